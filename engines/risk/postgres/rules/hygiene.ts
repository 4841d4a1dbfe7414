// Design and hygiene: keys, indexes, types and names that cost later.
import type { ColumnDef, CreateStmt } from "libpg-query";
import { get, names, typeName } from "../ast.ts";
import { indexesLedBy, type PgRule, type StmtCtx } from "../context.ts";
import { columnDefs, constraints, hasConstraint, keyColumns, relName } from "../facts.ts";
import { scan } from "../parser.ts";

const MAX_IDENT_BYTES = 63;

function pkColumns(c: CreateStmt): Set<string> {
  const out = new Set<string>();
  for (const d of columnDefs(c.tableElts)) if (hasConstraint(d, "CONSTR_PRIMARY")) out.add(d.colname ?? "");
  for (const k of constraints(c.tableElts)) {
    if (k.contype === "CONSTR_PRIMARY") for (const col of keyColumns(k.keys)) out.add(col);
  }
  return out;
}

function typeAdvice(def: ColumnDef, pk: boolean): { message: string; hint: string } | undefined {
  const t = typeName(def.typeName);
  const col = def.colname ?? "";
  if (t === "int4" || t === "int2") {
    const kind = t === "int4" ? "integer" : "smallint";
    return pk
      ? { message: `primary key ${col} is ${kind}: it runs out`, hint: "use bigint" }
      : {
          message: `${col} is ${kind}: counters and ids outgrow it`,
          hint: "use bigint unless the range is fixed by nature",
        };
  }
  if (t === "serial" || t === "bigserial" || t === "smallserial") {
    return {
      message: `${col} is ${t}: its sequence is a separate object with its own permissions`,
      hint: "use bigint GENERATED ALWAYS AS IDENTITY",
    };
  }
  if (t === "varchar" && (def.typeName?.typmods ?? []).length > 0) {
    return {
      message: `${col} is varchar(n): raising the limit later is a schema change`,
      hint: "use text (with a CHECK on length if a limit is a rule)",
    };
  }
  if (t === "timestamp") {
    return {
      message: `${col} is timestamp without time zone: values lose their offset`,
      hint: "use timestamptz",
    };
  }
  if (t === "bpchar") return { message: `${col} is char(n): it pads with spaces`, hint: "use text" };
  if (t === "json") return { message: `${col} is json: it cannot be indexed or compared`, hint: "use jsonb" };
  return undefined;
}

function checkName(name: string | undefined, what: string, location: number | undefined, ctx: StmtCtx): void {
  if (name === undefined || name === "") return;
  if (name !== name.toLowerCase()) {
    ctx.report("naming", {
      message: `${what} name "${name}" has capitals: it must be quoted everywhere, forever`,
      hint: "use lower_snake_case names",
      location,
    });
  }
}

/** Whether `text` may hold a name longer than PostgreSQL keeps (then the check reads the scanner's tokens). */
function mayHaveLongName(text: string): boolean {
  return /[A-Za-z0-9_$]{64}/.test(text);
}

/** The parser truncates long names before we see them, so they are found in the tokens. */
function longNames(ctx: StmtCtx): void {
  if (!mayHaveLongName(ctx.text)) return;
  let tokens: ReturnType<typeof scan>["tokens"];
  try {
    tokens = scan(ctx.text).tokens;
  } catch (err) {
    // The statement parsed, so it scans; should the scanner still refuse it, the check has nothing to add.
    void err;
    return;
  }
  for (const t of tokens) {
    if (t.tokenName !== "IDENT") continue;
    const name = t.text.startsWith('"') ? t.text.slice(1, -1).replaceAll('""', '"') : t.text;
    if (Buffer.byteLength(name) <= MAX_IDENT_BYTES) continue;
    ctx.report("naming", {
      message: `name ${name.slice(0, 24)}... is longer than 63 bytes: PostgreSQL truncates it`,
      hint: "use a name of at most 63 bytes",
    });
  }
}

export const hygieneRules: PgRule[] = [
  {
    statement: longNames,
    finish({ script, reportAt }) {
      for (const [table, t] of script.created) {
        if (t.pk) continue;
        reportAt(t.statement, t.offset, "missing-primary-key", {
          message: `table ${table} has no primary key: rows cannot be addressed one by one (replication, batching, tools)`,
          hint: "add a primary key, e.g. id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        });
      }
      for (const fk of script.fks) {
        const indexed = indexesLedBy(script, fk.table, fk.columns[0] ?? "").some(
          (i) => i.table === fk.table && fk.columns.every((c, k) => i.columns[k] === c),
        );
        if (indexed) continue;
        reportAt(fk.statement, fk.offset, "fk-missing-index", {
          message: `foreign key ${fk.table}(${fk.columns.join(", ")}) has no index: deletes on the referenced table scan ${fk.table}`,
          hint: `CREATE INDEX CONCURRENTLY ON ${fk.table} (${fk.columns.join(", ")})`,
        });
      }
    },
    nodes: {
      CreateStmt: (c, ctx) => {
        const pk = pkColumns(c);
        checkName(c.relation?.relname, "table", c.relation?.location, ctx);
        for (const def of columnDefs(c.tableElts)) {
          checkName(def.colname, "column", def.location, ctx);
          const advice = typeAdvice(def, pk.has(def.colname ?? ""));
          if (advice !== undefined) ctx.report("type-hygiene", { ...advice, location: def.typeName?.location });
        }
        if (!c.if_not_exists) {
          ctx.report("non-idempotent", {
            message: `CREATE TABLE ${c.relation?.relname ?? ""} fails when run twice`,
            hint: "CREATE TABLE IF NOT EXISTS",
            location: c.relation?.location,
          });
        }
        if (c.relation?.schemaname === undefined) {
          ctx.report("require-schema-qualified", {
            message: `table ${c.relation?.relname ?? ""} is not schema-qualified: where it lands depends on search_path`,
            hint: "write schema.table",
            location: c.relation?.location,
          });
        }
      },
      AlterTableStmt: (a, ctx) => {
        for (const n of a.cmds ?? []) {
          const cmd = get(n, "AlterTableCmd");
          const def = get(cmd?.def, "ColumnDef");
          if (cmd?.subtype === "AT_AlterColumnType" && def !== undefined) {
            const advice = typeAdvice({ ...def, colname: cmd.name }, false);
            if (advice !== undefined) ctx.report("type-hygiene", { ...advice, location: def.typeName?.location });
          }
          if (cmd?.subtype !== "AT_AddColumn" || def === undefined) continue;
          checkName(def.colname, "column", def.location, ctx);
          const advice = typeAdvice(def, hasConstraint(def, "CONSTR_PRIMARY"));
          if (advice !== undefined) ctx.report("type-hygiene", { ...advice, location: def.typeName?.location });
        }
        // Only ADD COLUMN IF NOT EXISTS and DROP … IF EXISTS can be repeated; anything else fails
        // (or changes again) on a second run.
        const cmds = (a.cmds ?? []).map((n) => get(n, "AlterTableCmd"));
        if (!a.missing_ok && cmds.some((c) => !c?.missing_ok)) {
          ctx.report("non-idempotent", {
            message: `ALTER TABLE ${a.relation?.relname ?? ""} is not safe to run twice`,
            hint: "use ADD COLUMN IF NOT EXISTS / DROP ... IF EXISTS, or guard the change",
            location: a.relation?.location,
          });
        }
        if (a.relation?.schemaname === undefined) {
          ctx.report("require-schema-qualified", {
            message: `table ${a.relation?.relname ?? ""} is not schema-qualified`,
            hint: "write schema.table",
            location: a.relation?.location,
          });
        }
      },
      IndexStmt: (i, ctx) => {
        const table = relName(i.relation);
        const cols = keyColumns(i.indexParams);
        checkName(i.idxname, "index", undefined, ctx);
        if (!i.if_not_exists && i.idxname !== undefined) {
          ctx.report("non-idempotent", {
            message: `CREATE INDEX ${i.idxname} fails when run twice`,
            hint: "CREATE INDEX IF NOT EXISTS",
          });
        }
        const dup = cols.find((c, k) => c !== "(expr)" && cols.indexOf(c) !== k);
        if (dup !== undefined) {
          ctx.report("index-hygiene", {
            message: `column ${dup} appears twice in the index`,
            hint: "list each column once",
            location: i.relation?.location,
          });
          return;
        }
        if (cols.includes("(expr)") || i.whereClause !== undefined) return;
        const same = indexesLedBy(ctx.script, table, cols[0] ?? "").find(
          (x) => x.table === table && x.columns.length >= cols.length && cols.every((c, k) => x.columns[k] === c),
        );
        if (same !== undefined && (!i.unique || (same.unique && same.columns.length === cols.length))) {
          ctx.report("index-hygiene", {
            message: `index on ${table} (${cols.join(", ")}) is covered by ${same.name || "an existing index"} (${same.columns.join(", ")})`,
            hint: "drop the redundant index: it slows writes and costs space",
            location: i.relation?.location,
          });
        }
      },
      RenameStmt: (r, ctx) => {
        ctx.report("non-idempotent", {
          message: "RENAME fails when run twice (the old name is gone)",
          hint: "guard it, or accept that this migration runs once",
          location: r.relation?.location,
        });
        if (r.relation !== undefined && r.relation.schemaname === undefined) {
          ctx.report("require-schema-qualified", {
            message: `table ${r.relation.relname ?? ""} is not schema-qualified`,
            hint: "write schema.table",
            location: r.relation.location,
          });
        }
      },
      DropStmt: (d, ctx) => {
        if (!d.missing_ok) {
          ctx.report("non-idempotent", { message: "DROP fails when run twice", hint: "DROP ... IF EXISTS" });
        }
        if (d.removeType !== "OBJECT_TABLE") return;
        for (const obj of d.objects ?? []) {
          const parts = names(get(obj, "List")?.items);
          if (parts.length === 1) {
            ctx.report("require-schema-qualified", {
              message: `table ${parts[0] ?? ""} is not schema-qualified: which one is dropped depends on search_path`,
              hint: "write schema.table",
            });
          }
        }
      },
      CreateTrigStmt: (t, ctx) => {
        ctx.report("object-policy", {
          message: `trigger ${t.trigname ?? ""} on ${relName(t.relation)}: logic that runs unseen on every write`,
          hint: "keep the logic in the application or document the trigger where the table is described",
          location: t.relation?.location,
        });
      },
      RuleStmt: (r, ctx) => {
        ctx.report("object-policy", {
          message: `rule ${r.rulename ?? ""} rewrites queries on ${relName(r.relation)}`,
          hint: "use a trigger or a view instead of a rule",
          location: r.relation?.location,
        });
      },
      CreateEventTrigStmt: (t, ctx) => {
        ctx.report("object-policy", {
          message: `event trigger ${t.trigname ?? ""} runs on DDL database-wide`,
          hint: "keep database-wide hooks out of application migrations",
        });
      },
    },
  },
];
