// Checks about the script as a whole: timeouts, locks held across statements, batching.
import type { Node, RangeVar } from "libpg-query";
import { get, names, nodeValue, walk } from "../ast.ts";
import type { PgRule, StmtCtx } from "../context.ts";
import { alterCmds, relName } from "../facts.ts";
import { isDdl, isDml } from "../state.ts";

/**
 * What this statement must lock that existed before the script: any DDL on an existing object,
 * and new tables whose foreign keys lock the tables they reference. Empty for brand-new objects.
 */
function lockedTables(ctx: StmtCtx): string[] {
  const n = ctx.node;
  const existing = (tables: string[]) => tables.filter((t) => t !== "" && ctx.existing(t));
  const create = get(n, "CreateStmt");
  if (create !== undefined) {
    const refs: string[] = [];
    walk(n, (type, value) => {
      if (type === "Constraint") refs.push(relName((value as { pktable?: RangeVar }).pktable));
    });
    return existing(refs);
  }
  const index = get(n, "IndexStmt");
  if (index !== undefined) return existing([relName(index.relation)]);
  const drop = get(n, "DropStmt");
  if (drop !== undefined) {
    return (drop.objects ?? [])
      .map((o) => names(get(o, "List")?.items).at(-1) ?? names([o]).at(-1) ?? "")
      .filter((name) => name !== "" && ctx.existing(name) && !ctx.script.createdIndexes.has(name));
  }
  const trunc = get(n, "TruncateStmt");
  if (trunc !== undefined) return existing((trunc.relations ?? []).map((r) => relName(get(r, "RangeVar"))));
  const vacuum = get(n, "VacuumStmt");
  if (vacuum !== undefined) {
    return existing((vacuum.rels ?? []).map((r) => relName(get(r, "VacuumRelation")?.relation)));
  }
  const rel = isDml(ctx.type) ? undefined : relationOf(n);
  if (rel !== undefined) return existing([rel]);
  const type = ctx.type;
  if (LOCKING_TYPES.has(type) || type.startsWith("Alter")) {
    return [describe(type)];
  }
  return [];
}

const LOCKING_TYPES = new Set(["DropdbStmt", "ReindexStmt", "ClusterStmt", "RenameStmt"]);

/** The table a statement names in its `relation`, if it has one. */
function relationOf(n: Node): string | undefined {
  const v = nodeValue(n);
  if (typeof v !== "object" || v === null || !("relation" in v)) return undefined;
  const rel = (v as { relation?: RangeVar }).relation;
  return rel === undefined ? undefined : relName(rel);
}

/** "AlterDomainStmt" → "the object it alters": for messages about statements without a table. */
function describe(type: string): string {
  return `the object of ${type
    .replace(/Stmt$/, "")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toUpperCase()}`;
}

/** Work whose duration grows with the table: scans, rewrites, index builds, row changes. */
function slowWork(ctx: StmtCtx): string | undefined {
  const n = ctx.node;
  if (get(n, "UpdateStmt") !== undefined) return "an UPDATE";
  if (get(n, "DeleteStmt") !== undefined) return "a DELETE";
  if (get(get(n, "InsertStmt")?.selectStmt, "SelectStmt")?.fromClause !== undefined) return "an INSERT ... SELECT";
  const index = get(n, "IndexStmt");
  if (index !== undefined && !index.concurrent && ctx.existing(relName(index.relation))) return "an index build";
  const alter = get(n, "AlterTableStmt");
  if (alter === undefined || !ctx.existing(relName(alter.relation))) return undefined;
  for (const cmd of alterCmds(alter.cmds)) {
    if (cmd.subtype === "AT_ValidateConstraint") return "VALIDATE CONSTRAINT";
    if (cmd.subtype === "AT_AlterColumnType") return "a column type change";
    if (cmd.subtype === "AT_SetNotNull") return "SET NOT NULL";
    const k = get(cmd.def, "Constraint");
    if (cmd.subtype === "AT_AddConstraint" && k !== undefined && !k.skip_validation && k.contype !== "CONSTR_NOTNULL") {
      return "a validating constraint";
    }
  }
  return undefined;
}

export const sessionRules: PgRule[] = [
  {
    statement(ctx) {
      const s = ctx.script;
      const locked = lockedTables(ctx);
      if (locked.length > 0 && !s.lockTimeout && !s.reported.has("missing-lock-timeout")) {
        s.reported.add("missing-lock-timeout");
        ctx.report("missing-lock-timeout", {
          message: `no lock_timeout is set before this statement locks ${locked.join(", ")}: waiting behind a long query queues every other query on it`,
          hint: "SET lock_timeout = '5s' at the top of the migration (and retry on timeout)",
        });
      }
      const touches = locked.length > 0 || isDml(ctx.type);
      if (touches && !s.statementTimeout && !s.reported.has("missing-statement-timeout")) {
        s.reported.add("missing-statement-timeout");
        ctx.report("missing-statement-timeout", {
          message: "no statement_timeout is set: a statement that runs long keeps its locks for as long as it runs",
          hint: "SET statement_timeout = '...' at the top of the migration",
        });
      }
      // Slow work while the transaction holds a lock an earlier statement took (the oldest named).
      const work = !ctx.ownSegment && s.held.size > 0 ? slowWork(ctx) : undefined;
      const oldest = work === undefined ? undefined : s.held.entries().next().value;
      if (work !== undefined && oldest !== undefined) {
        const [table, by] = oldest;
        ctx.report("long-lock-hold", {
          message: `${work} runs while this transaction still holds the lock ${by} took on ${table}: writes to ${table} wait until the migration commits`,
          hint: "move the slow step into its own migration (or after a COMMIT point), so the lock is released first",
        });
      }
      const alter = get(ctx.node, "AlterTableStmt");
      if (alter !== undefined && alter.objtype === "OBJECT_TABLE") {
        const table = relName(alter.relation);
        if ((s.alters.get(table) ?? 0) >= 1 && ctx.existing(table)) {
          ctx.report("merge-alter-table", {
            message: `another ALTER TABLE on ${table}: each one takes the lock again (and may scan again)`,
            hint: "combine the changes into one ALTER TABLE with comma-separated actions",
          });
        }
      }
      if ((isDml(ctx.type) && s.sawDdl) || (isDdl(ctx.type) && s.sawDml)) {
        if (!s.reported.has("mix-ddl-dml")) {
          s.reported.add("mix-ddl-dml");
          ctx.report("mix-ddl-dml", {
            message:
              "schema changes and data changes in one migration: the data change holds the schema locks and cannot be retried alone",
            hint: "put data changes (backfills) in their own migration",
          });
        }
      }
    },
  },
];
