// The catalog checks every engine has, for the engines read through token preparation (SQL Server,
// Oracle, ClickHouse): one rule set, worded and levelled per engine through its profile, so an
// engine's folder holds only what is truly its own.
import type { CheckId } from "../catalog.ts";
import type { RiskLevel } from "../model.ts";
import {
  backfillTarget,
  duplicateColumns,
  indexHygiene,
  onDeleteCascade,
  tableKeysHygiene,
  wholeTableCopy,
} from "./checks.ts";
import { key, type TokenCtx, type TokenRule } from "./context.ts";
import { isTautology } from "./expr.ts";
import type { ColumnDef, KeyDef, Stmt } from "./model.ts";
import { schemaChecks } from "./schema.ts";
import { isDdl, isDml } from "./state.ts";

/** Column names that hold money: a binary floating-point type rounds them. */
export const MONEY_NAME = /(price|amount|cost|total|balance|fee)/i;

/** A NOT NULL column the engine must fill for existing rows and has no value for. */
export function mandatoryWithoutDefault(c: ColumnDef): boolean {
  return c.notNull && !c.autoIncrement && (c.default === undefined || c.default.kind === "null") && !c.generated;
}

export interface Advice {
  message: string;
  hint: string;
  level?: RiskLevel;
}

export interface EngineProfile {
  /** "SQL Server", "Oracle", "ClickHouse". */
  name: string;
  /** TRUNCATE: its level and why. */
  truncate: { level: RiskLevel; why: string };
  /** DDL is rolled back with the transaction it ran in (SQL Server). */
  transactionalDdl: boolean;
  /** The engine has transactions at all (ClickHouse has none). */
  transactions: boolean;
  /** ADD COLUMN … NOT NULL (or a non-nullable column) without DEFAULT on an existing table. */
  notNullWithoutDefault(table: string, c: ColumnDef): Advice | undefined;
  /** A type the engine does not have, or reads as something else. */
  typeProblem(c: ColumnDef): Advice | undefined;
  /** A type with a better alternative on this engine. */
  typeAdvice(c: ColumnDef, pk: boolean): Advice | undefined;
  /** Longest identifier the engine takes (bytes/characters as it counts them). */
  maxIdentifier: number;
  /** Hint for making CREATE/DROP re-runnable. */
  idempotentHint: { create: string; drop: string };
  /** The engine reports tables without a key itself (ClickHouse's ORDER BY). */
  ownPrimaryKeyCheck?: boolean;
  /** Key kinds the engine has no unique or foreign constraints for (ClickHouse): not compared. */
  uncheckedKeys: ReadonlyArray<KeyDef["kind"]>;
}

/** A name that needs no quoting (T-SQL temp tables start with # or ##). */
const PLAIN_NAME = /^#{0,2}[A-Za-z_][A-Za-z0-9_$#]*$/;

function report(ctx: TokenCtx, check: CheckId, advice: Advice, at: number, subject?: string[]): void {
  ctx.report(check, { ...advice, at, ...(subject === undefined ? {} : { subject }) });
}

function unbounded(ctx: TokenCtx, st: Extract<Stmt, { kind: "delete" | "update" }>): void {
  const verb = st.kind === "delete" ? "DELETE" : "UPDATE";
  const check = st.kind === "delete" ? "delete-without-where" : "update-without-where";
  const what = st.kind === "delete" ? "deletes" : "changes";
  const target = st.targets.find((t) => t.name.name !== "" && ctx.existing(t.name.name));
  if (target === undefined) return;
  const always = st.where !== undefined && isTautology(st.where);
  if (st.where !== undefined && !always) return;
  ctx.report(check, {
    message: `${verb} on ${target.name.name} ${always ? "has a WHERE that is always true" : "has no WHERE"}: it ${what} every row${ctx.notes.top !== undefined ? " (TOP only caps how many, in no set order)" : ""}`,
    hint: "write the condition that selects the rows meant; if every row is meant, say so in a reviewed data migration",
    at: target.name.start,
  });
}

/** The names a statement gives to new objects. */
function names(st: Stmt): Array<{ name: string; at: number; what: string }> {
  const out: Array<{ name: string; at: number; what: string }> = [];
  if (st.kind === "create-table") {
    out.push({ name: st.table.name, at: st.table.start, what: "table" });
    for (const c of st.columns) out.push({ name: c.name, at: c.pos, what: "column" });
  } else if (st.kind === "create-index") out.push({ name: st.name, at: st.key.pos, what: "index" });
  else if (st.kind === "alter-table") {
    for (const a of st.actions) {
      if (a.op === "add-column") out.push({ name: a.col.name, at: a.col.pos, what: "column" });
      else if (a.op === "rename-column") out.push({ name: a.to, at: a.pos, what: "column" });
    }
  }
  return out.filter((n) => n.name !== "");
}

function naming(ctx: TokenCtx, p: EngineProfile, st: Stmt): void {
  for (const n of names(st)) {
    if (n.name.length > p.maxIdentifier) {
      ctx.report("naming", {
        level: "High",
        message: `${n.what} name ${n.name} is ${n.name.length} characters: ${p.name} takes at most ${p.maxIdentifier}, the statement fails`,
        hint: `shorten it to ${p.maxIdentifier} characters or fewer`,
        at: n.at,
      });
    } else if (!PLAIN_NAME.test(n.name)) {
      ctx.report("naming", {
        message: `${n.what} name ${JSON.stringify(n.name)} needs quoting in every query that uses it`,
        hint: "use letters, digits and underscores, starting with a letter",
        at: n.at,
      });
    }
  }
}

function idempotence(ctx: TokenCtx, p: EngineProfile, st: Stmt): void {
  if (ctx.notes.guarded === true) return;
  if (
    (st.kind === "create-table" && !st.ifNotExists && !st.temporary) ||
    (st.kind === "create-index" && !st.ifNotExists)
  )
    ctx.report("non-idempotent", {
      message: `CREATE ${st.kind === "create-table" ? "TABLE" : "INDEX"} fails when run twice`,
      hint: p.idempotentHint.create,
    });
  else if (st.kind === "drop" && !st.ifExists)
    ctx.report("non-idempotent", { message: `DROP ${st.what} fails when run twice`, hint: p.idempotentHint.drop });
}

function destructive(ctx: TokenCtx, p: EngineProfile, st: Stmt): void {
  switch (st.kind) {
    case "delete":
    case "update": {
      unbounded(ctx, st);
      const backfill = backfillTarget(ctx, st);
      if (backfill !== undefined) {
        ctx.report("large-dml", {
          message: `UPDATE on ${backfill.name.name} touches every row its condition matches (no value narrows it), in one statement`,
          hint: "backfill in batches by primary key range, in its own migration",
          at: backfill.name.start,
        });
      }
      return;
    }
    case "insert":
      wholeTableCopy(ctx, st, { hint: "copy in batches by primary key range" });
      return;
    case "drop": {
      const what = st.what;
      if (what === "TABLE") {
        if (st.temporary) return;
        for (const n of st.names) {
          if (!ctx.existing(n.name)) continue;
          ctx.report("drop-table", {
            subject: [n.name],
            message: `DROP TABLE ${n.name} deletes the table and every row in it${ctx.notes.purge === true ? "; PURGE skips the recycle bin, so FLASHBACK TABLE cannot bring it back" : ""}`,
            hint: "stop using it first, keep a backup, and drop it in a later release",
            at: n.start,
          });
        }
      } else if (what === "DATABASE" || what === "SCHEMA" || what === "USER") {
        ctx.report("drop-database-or-schema", {
          subject: st.names.map((n) => n.name),
          message: `DROP ${what} ${st.names.map((n) => n.name).join(", ")} deletes ${what === "DATABASE" ? "the database" : "the schema"} and every object in it`,
          hint: "never drop a database or schema in a migration; do it by hand after a backup",
          at: st.names[0]?.start,
        });
      }
      return;
    }
    case "truncate": {
      const tables = st.tables.filter((t) => ctx.existing(t.name));
      if (tables.length === 0) return;
      ctx.report("truncate", {
        level: p.truncate.level,
        subject: tables.map((t) => t.name),
        message: `TRUNCATE ${tables.map((t) => t.name).join(", ")} deletes every row: ${p.truncate.why}`,
        hint: "DELETE with a WHERE in batches if only some rows must go; otherwise take a backup first",
      });
      return;
    }
    case "alter-table": {
      const table = st.table.name;
      if (!ctx.existing(table)) return;
      for (const a of st.actions) {
        if (a.op === "drop-column") {
          ctx.report("drop-column", {
            subject: [a.name],
            message: `DROP COLUMN ${table}.${a.name} deletes the column's data, and running code that reads it breaks`,
            hint: "stop using the column in the application first, release, then drop it in a later migration",
            at: a.pos,
          });
        } else if (
          a.op === "drop-key" &&
          (a.kind === "foreign" || (a.kind === "constraint" && /(^fk|_fk|fk_|_fkey$)/i.test(a.name)))
        ) {
          ctx.report("drop-fk-constraint", {
            message: `dropping foreign key ${a.name} on ${table} lets orphaned rows in`,
            hint: "keep the foreign key unless the relation is gone; if replacing it, add the new one first",
            at: a.pos,
          });
        }
      }
      const off = ctx.notes.disabledConstraint;
      if (off !== undefined) {
        ctx.report("drop-fk-constraint", {
          message: `constraint ${off.name} on ${table} is switched off: rows that break it get in, and ${p.name} no longer trusts it`,
          hint: "keep constraints enabled; if a load needs them off, re-enable them WITH CHECK / VALIDATE right after",
          at: off.pos,
        });
      }
      return;
    }
    default:
      return;
  }
}

function failure(ctx: TokenCtx, p: EngineProfile, st: Stmt): void {
  const types = (cols: readonly ColumnDef[], pk: ReadonlySet<string>) => {
    for (const c of cols) {
      const problem = p.typeProblem(c);
      if (problem !== undefined) report(ctx, "unsupported-type", problem, c.typePos);
      else {
        const advice = p.typeAdvice(c, c.primary || pk.has(key(c.name)));
        if (advice !== undefined) report(ctx, "type-hygiene", advice, c.typePos);
      }
    }
  };
  if (st.kind === "create-table") {
    const pk = new Set(st.keys.filter((k) => k.kind === "primary").flatMap((k) => k.columns.map(key)));
    types(st.columns, pk);
    duplicateColumns(ctx, st.columns, {
      what: `CREATE TABLE ${st.table.name}`,
      level: "High",
      hint: `keep one; ${p.name} rejects the statement`,
    });
    tableKeysHygiene(ctx, st, p.uncheckedKeys);
  } else if (st.kind === "insert") {
    duplicateColumns(ctx, st.columns, {
      what: "the INSERT column list",
      level: "High",
      hint: `list each column once; ${p.name} rejects the statement`,
    });
  } else if (st.kind === "update") {
    duplicateColumns(
      ctx,
      st.sets.map((s) => ({ name: s.column.join("."), pos: s.pos })),
      { what: "the SET list", level: "High", hint: `assign each column once; ${p.name} rejects the statement` },
    );
  } else if (st.kind === "create-index") {
    indexHygiene(ctx, { table: st.table.name, key: st.key, at: st.table.start, unchecked: p.uncheckedKeys });
    if (st.key.kind === "unique" && ctx.existing(st.table.name)) unique(ctx, st.table.name, st.table.start);
  } else if (st.kind === "alter-table") {
    const table = st.table.name;
    const known = ctx.script.columns.get(key(table));
    const existing = ctx.existing(table);
    types(
      st.actions.flatMap((a) => (a.op === "add-column" ? [a.col] : [])),
      new Set(),
    );
    for (const a of st.actions) {
      if (a.op === "add-column") {
        if (known?.has(key(a.col.name)))
          ctx.report("duplicate-column", {
            message: `column ${table}.${a.col.name} exists already: the statement fails`,
            hint: "add it once",
            at: a.col.pos,
          });
        const advice = existing ? p.notNullWithoutDefault(table, a.col) : undefined;
        if (advice !== undefined) report(ctx, "not-null-without-default", advice, a.col.pos);
      } else if (a.op === "add-key" && a.key.kind === "unique" && existing) unique(ctx, table, a.pos);
      else if (a.op === "add-key" && a.key.kind === "primary" && existing) unique(ctx, table, a.pos);
    }
  }
  schemaChecks(ctx, st);
}

function unique(ctx: TokenCtx, table: string, at: number): void {
  ctx.report("unique-on-existing-data", {
    message: `a unique key on ${table} fails if existing rows hold duplicates`,
    hint: "check for duplicates first (GROUP BY ... HAVING COUNT(*) > 1) and clean them up in an earlier migration",
    at,
  });
}

/** NULL/NOT NULL restated on a column (ALTER COLUMN, MODIFY): the old one from the schema or script. */
function nullability(ctx: TokenCtx, st: Stmt): void {
  if (st.kind !== "alter-table" || !ctx.existing(st.table.name)) return;
  const cols = ctx.script.columns.get(key(st.table.name));
  for (const a of st.actions) {
    if (a.op !== "modify") continue;
    const old = cols?.get(key(a.col.name));
    if (a.col.notNull && old?.notNull !== true) {
      ctx.report("set-not-null", {
        subject: [a.col.name],
        message: `${st.table.name}.${a.col.name} becomes NOT NULL: every row is checked under a lock, and the statement fails on the first NULL`,
        hint: `backfill NULLs first (UPDATE ... SET ${a.col.name} = ... WHERE ${a.col.name} IS NULL, in batches), then add NOT NULL`,
        at: a.pos,
      });
    } else if (a.col.nullable && old?.notNull !== false) {
      ctx.report("drop-not-null", {
        subject: [a.col.name],
        message: `${st.table.name}.${a.col.name} now allows NULL: code that assumes a value breaks`,
        hint: "keep NOT NULL, or make every reader handle NULL first",
        at: a.pos,
      });
    }
  }
}

function compat(ctx: TokenCtx, st: Stmt): void {
  if (st.kind === "rename-table") {
    for (const pair of st.pairs) {
      if (!ctx.existing(pair.from.name)) continue;
      ctx.report("rename-table", {
        subject: [pair.from.name],
        message: `renaming ${pair.from.name} to ${pair.to.name} breaks the running application, which still uses the old name`,
        hint: "create the new table (or a view under the old name) and move clients over before removing the old name",
        at: pair.from.start,
      });
    }
    return;
  }
  if (st.kind !== "alter-table" || !ctx.existing(st.table.name)) return;
  for (const a of st.actions) {
    if (a.op === "rename-column") {
      ctx.report("rename-column", {
        subject: [a.from],
        message: `renaming ${st.table.name}.${a.from} to ${a.to} breaks the running application, which still uses the old name`,
        hint: "add the new column, write to both, backfill, switch readers, then drop the old one (expand and contract)",
        at: a.pos,
      });
    } else if (a.op === "rename-table") {
      ctx.report("rename-table", {
        subject: [st.table.name],
        message: `renaming ${st.table.name} to ${a.to.name} breaks the running application, which still uses the old name`,
        hint: "create the new table (or a view under the old name) and move clients over before removing the old name",
        at: a.pos,
      });
    }
  }
}

function session(ctx: TokenCtx, p: EngineProfile, st: Stmt): void {
  const s = ctx.script;
  if (st.kind === "alter-table" && ctx.existing(st.table.name) && (s.alters.get(key(st.table.name)) ?? 0) >= 1) {
    ctx.report("merge-alter-table", {
      message: `another ALTER TABLE on ${st.table.name}: each one takes its own lock${p.name === "ClickHouse" ? " and may start its own mutation" : ""}`,
      hint: "combine the changes into one ALTER TABLE with several actions",
    });
  }
  if (((isDml(st) && s.sawDdl) || (isDdl(st) && s.sawDml)) && !s.reported.has("mix-ddl-dml")) {
    s.reported.add("mix-ddl-dml");
    ctx.report("mix-ddl-dml", {
      message: "schema changes and data changes in one migration: the data change cannot be retried alone",
      hint: "put data changes (backfills) in their own migration",
    });
  }
  if (ctx.notes.opaque !== undefined) {
    const o = ctx.notes.opaque;
    ctx.report("raw-sql-unchecked", {
      message: `${o.what} is not analysed here${o.dynamic ? ", and it builds SQL at run time" : ""}: what it changes is unknown`,
      hint: "review it by hand; prefer plain statements in migrations",
      at: o.pos,
    });
  }
  if (st.kind === "routine") {
    ctx.report("object-policy", {
      message: `${st.what.toLowerCase()} ${st.name?.name ?? ""}: logic that runs unseen`,
      hint: "keep logic in the application, or document it where the table is described",
    });
  }
}

/** The rules for an engine's profile, in the order they run on a statement. */
export function commonRules(p: EngineProfile): TokenRule[] {
  return [
    {
      statement(ctx) {
        const st = ctx.stmt;
        destructive(ctx, p, st);
        onDeleteCascade(ctx, { hint: "prefer NO ACTION and delete children explicitly", alterKeys: true });
        failure(ctx, p, st);
        nullability(ctx, st);
        compat(ctx, st);
        session(ctx, p, st);
        naming(ctx, p, st);
        idempotence(ctx, p, st);
      },
      finish({ script, reportAt }) {
        if (p.ownPrimaryKeyCheck === true) return;
        for (const t of script.created.values()) {
          if (t.pk) continue;
          reportAt(t.statement, t.offset, "missing-primary-key", {
            message: `table ${t.name} has no primary key: nothing identifies a row, so updates, deletes and replication cannot target one`,
            hint: "add a PRIMARY KEY (an identity column if nothing natural fits)",
          });
        }
      },
    },
  ];
}
