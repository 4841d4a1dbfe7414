// Locks and rewrites: statements that block reads or writes on existing tables while they run.
import type { AlterTableCmd, ColumnDef, Node } from "libpg-query";
import { get, names, typeName, walk } from "../ast.ts";
import type { PgRule, StmtCtx } from "../context.ts";
import { alterCmds, constraints, relName } from "../facts.ts";

const VOLATILE = new Set([
  "random",
  "gen_random_uuid",
  "uuid_generate_v1",
  "uuid_generate_v1mc",
  "uuid_generate_v4",
  "uuidv4",
  "uuidv7",
  "clock_timestamp",
  "timeofday",
  "nextval",
  "txid_current",
  "setseed",
]);
/** Stable or immutable: PostgreSQL 11+ stores the value once instead of rewriting the table. */
const NON_VOLATILE = new Set([
  "now",
  "statement_timestamp",
  "transaction_timestamp",
  "current_setting",
  "lower",
  "upper",
  "length",
  "concat",
  "md5",
  "date_trunc",
  "make_interval",
  "to_jsonb",
  "jsonb_build_object",
  "json_build_object",
  "jsonb_build_array",
  "array_fill",
  "to_char",
]);

function volatileCall(expr: Node | undefined): { name: string; known: boolean } | undefined {
  let found: { name: string; known: boolean } | undefined;
  walk(expr, (type, value) => {
    if (found !== undefined || type !== "FuncCall") return;
    const name = names((value as { funcname?: Node[] }).funcname).at(-1) ?? "";
    if (VOLATILE.has(name)) found = { name, known: true };
    else if (!NON_VOLATILE.has(name)) found = { name, known: false };
  });
  return found;
}

function defaultExpr(def: ColumnDef): Node | undefined {
  return constraints(def.constraints).find((k) => k.contype === "CONSTR_DEFAULT")?.raw_expr;
}

const SERIALS = new Set(["serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"]);

/** varchar(n) → varchar(m ≥ n) or text, numeric(p, s) → numeric(q ≥ p, s): no rewrite, no scan. */
function safeWidening(old: string | undefined, def: ColumnDef): boolean {
  if (old === undefined) return false;
  const to = typeName(def.typeName);
  const mods = (def.typeName?.typmods ?? []).map((m) => get(m, "A_Const"));
  const newLen = mods[0]?.ival?.ival;
  const vc = /^(?:character varying|varchar)(?:\((\d+)\))?$/i.exec(
    old.replaceAll(" ", "").replace("charactervarying", "varchar"),
  );
  if (vc !== null) {
    if (to === "text") return true;
    if (to === "varchar") return newLen === undefined || (vc[1] !== undefined && newLen >= Number(vc[1]));
  }
  const num = /^numeric\((\d+),\s*(\d+)\)$/i.exec(old.replaceAll(" ", ""));
  if (num !== null && to === "numeric") {
    const newScale = mods[1]?.ival?.ival ?? 0;
    return newLen === undefined || (newLen >= Number(num[1]) && newScale === Number(num[2]));
  }
  return false;
}

function addColumnChecks(table: string, def: ColumnDef, ctx: StmtCtx): void {
  const col = def.colname ?? "";
  const kinds = constraints(def.constraints);
  const volatile = volatileCall(defaultExpr(def));
  if (volatile !== undefined) {
    ctx.report("add-column-volatile-default", {
      level: volatile.known ? "High" : "Medium",
      message: volatile.known
        ? `DEFAULT ${volatile.name}() is volatile: adding ${col} rewrites ${table} under an ACCESS EXCLUSIVE lock`
        : `DEFAULT ${volatile.name}(): if that function is volatile, adding ${col} rewrites ${table} under an ACCESS EXCLUSIVE lock`,
      hint: "add the column without a default (or with a constant one), set the default afterwards, and backfill existing rows in batches",
      location: def.location,
    });
  }
  const rewrite = SERIALS.has(typeName(def.typeName))
    ? "a serial column"
    : kinds.some((k) => k.contype === "CONSTR_IDENTITY")
      ? "an identity column"
      : kinds.some((k) => k.contype === "CONSTR_GENERATED")
        ? "a stored generated column"
        : undefined;
  if (rewrite !== undefined) {
    ctx.report("add-column-rewrite-type", {
      message: `adding ${rewrite} (${col}) rewrites ${table} and every index under an ACCESS EXCLUSIVE lock`,
      hint: "add a plain nullable column, backfill it in batches, then attach the sequence or expression",
      location: def.location,
    });
  }
  for (const k of kinds) {
    if (k.contype === "CONSTR_FOREIGN") {
      ctx.report("add-fk-validating", {
        message: `REFERENCES on new column ${col} locks ${table} and ${relName(k.pktable)} against writes while it is added`,
        hint: "add the column first, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a later migration",
        location: k.location,
      });
    } else if (k.contype === "CONSTR_PRIMARY") {
      ctx.report("add-primary-key-existing", {
        message: `PRIMARY KEY on new column ${col} builds a unique index on ${table} under an ACCESS EXCLUSIVE lock`,
        hint: "CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
        location: k.location,
      });
    }
  }
}

function constraintChecks(table: string, cmd: AlterTableCmd, ctx: StmtCtx): void {
  const k = get(cmd.def, "Constraint");
  if (k === undefined) return;
  const name = k.conname ? ` ${k.conname}` : "";
  if (k.contype === "CONSTR_FOREIGN" && !k.skip_validation) {
    ctx.report("add-fk-validating", {
      message: `FOREIGN KEY${name} is checked against every row of ${table} while both tables are locked against writes`,
      hint: "ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a later migration",
      location: k.location,
    });
  } else if (k.contype === "CONSTR_CHECK" && !k.skip_validation) {
    ctx.report("add-check-validating", {
      message: `CHECK${name} scans every row of ${table} under an ACCESS EXCLUSIVE lock`,
      hint: "ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a later migration",
      location: k.location,
    });
  } else if (k.contype === "CONSTR_UNIQUE" && !k.indexname) {
    ctx.report("add-unique-constraint", {
      message: `UNIQUE${name} builds its index on ${table} under an ACCESS EXCLUSIVE lock`,
      hint: "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX",
      location: k.location,
    });
  } else if (k.contype === "CONSTR_PRIMARY" && !k.indexname) {
    ctx.report("add-primary-key-existing", {
      message: `PRIMARY KEY${name} builds a unique index on ${table} and checks NOT NULL under an ACCESS EXCLUSIVE lock`,
      hint: "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX",
      location: k.location,
    });
  } else if (k.contype === "CONSTR_EXCLUSION") {
    ctx.report("add-exclusion-constraint", {
      message: `EXCLUDE${name} builds its index and checks every row of ${table} under an ACCESS EXCLUSIVE lock`,
      hint: "build it on a new table and swap, or add it in a maintenance window",
      location: k.location,
    });
  }
}

export const lockingRules: PgRule[] = [
  {
    nodes: {
      AlterTableStmt: (a, ctx) => {
        const table = relName(a.relation);
        if (!ctx.existing(table)) return;
        for (const cmd of alterCmds(a.cmds)) {
          const def = get(cmd.def, "ColumnDef");
          if (cmd.subtype === "AT_AddColumn" && def !== undefined) addColumnChecks(table, def, ctx);
          else if (cmd.subtype === "AT_AddConstraint") constraintChecks(table, cmd, ctx);
          else if (cmd.subtype === "AT_AlterColumnType" && def !== undefined) {
            const old = ctx.script.columnTypes.get(`${table}.${cmd.name ?? ""}`);
            if (!safeWidening(old, def)) {
              ctx.report("alter-column-type", {
                subject: [cmd.name ?? ""],
                message: `changing the type of ${table}.${cmd.name ?? ""} rewrites the table and its indexes under an ACCESS EXCLUSIVE lock, and may break clients`,
                hint: "add a new column of the new type, write to both, backfill in batches, switch readers, then drop the old column",
              });
            }
            if (def.collClause !== undefined) {
              ctx.report("charset-change", {
                message: `changing the collation of ${table}.${cmd.name ?? ""} rebuilds its indexes and changes sort order and comparisons`,
                hint: "add a new column (or an index with the new COLLATE) and switch over, after checking affected queries",
                location: def.collClause.location,
              });
            }
          } else if (cmd.subtype === "AT_SetNotNull") {
            if (ctx.script.notNullChecks.has(`${table}.${cmd.name ?? ""}`)) continue;
            ctx.report("set-not-null", {
              message: `SET NOT NULL on ${table}.${cmd.name ?? ""} scans every row under an ACCESS EXCLUSIVE lock, and fails on a NULL`,
              hint: "ADD CONSTRAINT ... CHECK (col IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ skips the scan)",
            });
          } else if (cmd.subtype === "AT_DetachPartition" && !get(cmd.def, "PartitionCmd")?.concurrent) {
            ctx.report("detach-partition", {
              message: `DETACH PARTITION takes an ACCESS EXCLUSIVE lock on ${table}`,
              hint: "DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), which Migratrix runs outside the transaction",
            });
          }
        }
      },
      IndexStmt: (i, ctx) => {
        const table = relName(i.relation);
        if (i.concurrent || !ctx.existing(table)) return;
        const known = ctx.script.schema?.tables.some((t) => t.name === table) === true;
        ctx.report("create-index-non-concurrent", {
          level: known ? "High" : "Medium",
          message: `CREATE INDEX without CONCURRENTLY blocks writes to ${table} while the index builds`,
          hint: "use CREATE INDEX CONCURRENTLY; it runs outside the transaction",
          location: i.relation?.location,
        });
      },
      DropStmt: (d, ctx) => {
        if (d.removeType !== "OBJECT_INDEX" || d.concurrent) return;
        const idx = (d.objects ?? []).map((o) => names(get(o, "List")?.items).at(-1) ?? "");
        if (idx.every((n) => ctx.script.createdIndexes.has(n))) return;
        ctx.report("drop-index-non-concurrent", {
          message: `DROP INDEX ${idx.join(", ")} without CONCURRENTLY blocks reads and writes of its table`,
          hint: "use DROP INDEX CONCURRENTLY; it runs outside the transaction",
        });
      },
      ReindexStmt: (r, ctx) => {
        if ((r.params ?? []).some((p) => get(p, "DefElem")?.defname === "concurrently")) return;
        ctx.report("reindex-non-concurrent", {
          message: "REINDEX without CONCURRENTLY blocks writes (and reads using the index) while it rebuilds",
          hint: "REINDEX ... CONCURRENTLY (PostgreSQL 12+), which runs outside the transaction",
          location: r.relation?.location,
        });
      },
      VacuumStmt: (v, ctx) => {
        const full = (v.options ?? []).some((o) => {
          const d = get(o, "DefElem");
          return d?.defname === "full" && get(d.arg, "A_Const")?.boolval?.boolval !== false;
        });
        if (!full || v.is_vacuumcmd === false) return;
        ctx.report("vacuum-full-cluster", {
          message: "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock",
          hint: "use plain VACUUM, or pg_repack for an online rewrite",
        });
      },
      ClusterStmt: (_c, ctx) => {
        ctx.report("vacuum-full-cluster", {
          message: "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock",
          hint: "use pg_repack for an online reorder",
        });
      },
      CreateDomainStmt: (d, ctx) => {
        if (!constraints(d.constraints).some((k) => k.contype === "CONSTR_CHECK")) return;
        ctx.report("domain-constraint", {
          message:
            "a CHECK on a domain is hard to change later: altering it checks every column of that domain in every table",
          hint: "put the CHECK on the table columns instead",
        });
      },
      AlterDomainStmt: (d, ctx) => {
        if (d.subtype !== "C") return;
        ctx.report("domain-constraint", {
          message: "adding a domain constraint scans every column of the domain in every table, holding locks",
          hint: "add a table CHECK ... NOT VALID instead and VALIDATE it later",
        });
      },
      AlterEnumStmt: (e, ctx) => {
        const type = names(e.typeName).join(".");
        if (e.oldVal !== undefined) {
          ctx.report("enum-change", {
            message: `renaming enum value ${e.oldVal} of ${type} breaks code that still writes the old value`,
            hint: "add the new value, migrate rows and code, and stop using the old one",
          });
        } else if (e.newVal !== undefined && e.newValNeighbor === undefined) {
          ctx.report("enum-change", {
            message: `ADD VALUE ${e.newVal} to ${type} without BEFORE/AFTER puts it last, which decides how the enum sorts`,
            hint: "say where it goes: ADD VALUE ... BEFORE 'x' or AFTER 'x'",
          });
        }
      },
    },
  },
];
