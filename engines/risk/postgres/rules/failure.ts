// Statements that will fail, or fail depending on the data or on where they run.
import type { ColumnDef, Node } from "libpg-query";
import { get, names, typeName } from "../ast.ts";
import type { PgRule, StmtCtx } from "../context.ts";
import { alterCmds, columnDefs, hasConstraint, relName } from "../facts.ts";

/** Types other engines have and PostgreSQL does not, with what to use instead. */
const FOREIGN_TYPES: Record<string, string> = {
  tinyint: "smallint",
  mediumint: "integer",
  datetime: "timestamptz",
  datetime2: "timestamptz",
  smalldatetime: "timestamptz",
  datetimeoffset: "timestamptz",
  nvarchar: "text",
  nvarchar2: "text",
  varchar2: "text",
  ntext: "text",
  longtext: "text",
  mediumtext: "text",
  tinytext: "text",
  clob: "text",
  nclob: "text",
  blob: "bytea",
  longblob: "bytea",
  mediumblob: "bytea",
  tinyblob: "bytea",
  image: "bytea",
  varbinary: "bytea",
  number: "numeric",
  uniqueidentifier: "uuid",
  double: "double precision",
  year: "integer",
};

const INTEGERS = new Set(["int2", "int4", "int8"]);

function checkType(def: ColumnDef, ctx: StmtCtx): void {
  const tn = def.typeName;
  const parts = names(tn?.names);
  if (parts.length !== 1 && parts[0] !== "pg_catalog") return;
  const name = typeName(tn);
  if (ctx.script.types.has(name)) return;
  const instead = FOREIGN_TYPES[name];
  if (instead !== undefined) {
    ctx.report("unsupported-type", {
      message: `column ${def.colname ?? ""}: PostgreSQL has no type ${name}`,
      hint: `use ${instead}`,
      location: tn?.location,
    });
  } else if (INTEGERS.has(name) && (tn?.typmods ?? []).length > 0) {
    ctx.report("unsupported-type", {
      message: `column ${def.colname ?? ""}: PostgreSQL integers take no display width (MySQL's INT(11))`,
      hint: "drop the (n): integer, bigint or smallint",
      location: tn?.location,
    });
  }
}

function duplicates(list: Array<{ name: string; location: number | undefined }>, what: string, ctx: StmtCtx) {
  const seen = new Set<string>();
  for (const item of list) {
    if (seen.has(item.name)) {
      ctx.report("duplicate-column", {
        message: `column ${item.name} appears twice in ${what}`,
        hint: "keep one; PostgreSQL rejects the statement",
        location: item.location,
      });
    }
    seen.add(item.name);
  }
}

function targets(list: readonly Node[] | undefined): Array<{ name: string; location: number | undefined }> {
  return (list ?? []).flatMap((n) => {
    const t = get(n, "ResTarget");
    return t?.name === undefined ? [] : [{ name: t.name, location: t.location }];
  });
}

const CONCURRENT_HINT =
  "run it outside BEGIN ... COMMIT: Migratrix runs CONCURRENTLY statements on their own, outside the transaction";

function concurrentInTxn(ctx: StmtCtx, what: string): void {
  if (!ctx.script.explicitTxn) return;
  ctx.report("concurrent-index-in-transaction", {
    message: `${what} cannot run inside a transaction block (this one is after BEGIN)`,
    hint: CONCURRENT_HINT,
  });
}

export const failureRules: PgRule[] = [
  {
    nodes: {
      ColumnDef: (def, ctx) => checkType(def, ctx),
      TypeCast: (cast, ctx) => {
        const name = typeName(cast.typeName);
        const instead = FOREIGN_TYPES[name];
        if (instead === undefined || names(cast.typeName?.names).length !== 1 || ctx.script.types.has(name)) return;
        ctx.report("unsupported-type", {
          message: `cast to ${name}: PostgreSQL has no such type`,
          hint: `use ${instead}`,
          location: cast.typeName?.location,
        });
      },
      CreateStmt: (c, ctx) =>
        duplicates(
          columnDefs(c.tableElts).map((d) => ({ name: d.colname ?? "", location: d.location })),
          `CREATE TABLE ${relName(c.relation)}`,
          ctx,
        ),
      InsertStmt: (i, ctx) => duplicates(targets(i.cols), "the INSERT column list", ctx),
      UpdateStmt: (u, ctx) => duplicates(targets(u.targetList), "the SET list", ctx),
      AlterTableStmt: (a, ctx) => {
        const table = relName(a.relation);
        const known = ctx.script.columns.get(table);
        const added = new Set<string>();
        for (const cmd of alterCmds(a.cmds)) {
          const def = get(cmd.def, "ColumnDef");
          if (cmd.subtype !== "AT_AddColumn" || def === undefined) continue;
          const name = def.colname ?? "";
          if (added.has(name) || (!cmd.missing_ok && known?.has(name))) {
            ctx.report("duplicate-column", {
              message: `column ${table}.${name} ${added.has(name) ? "is added twice" : "exists already"}`,
              hint: "add it once (ADD COLUMN IF NOT EXISTS when the migration must be re-runnable)",
              location: def.location,
            });
          }
          added.add(name);
          if (!ctx.existing(table)) continue;
          const notNull = hasConstraint(def, "CONSTR_NOTNULL") || hasConstraint(def, "CONSTR_PRIMARY");
          const filled =
            hasConstraint(def, "CONSTR_DEFAULT") ||
            hasConstraint(def, "CONSTR_IDENTITY") ||
            hasConstraint(def, "CONSTR_GENERATED") ||
            typeName(def.typeName).includes("serial");
          if (notNull && !filled) {
            ctx.report("not-null-without-default", {
              message: `ADD COLUMN ${name} NOT NULL without DEFAULT fails on ${table} as soon as it has a row`,
              hint: "add it nullable, backfill in batches, then add CHECK (... IS NOT NULL) NOT VALID, VALIDATE, and SET NOT NULL; or give it a constant DEFAULT",
              location: def.location,
            });
          }
        }
      },
    },
  },
  {
    statement(ctx) {
      const n = ctx.node;
      const index = get(n, "IndexStmt");
      if (index?.concurrent) concurrentInTxn(ctx, "CREATE INDEX CONCURRENTLY");
      const drop = get(n, "DropStmt");
      if (drop?.concurrent) concurrentInTxn(ctx, "DROP INDEX CONCURRENTLY");
      const reindex = get(n, "ReindexStmt");
      if (reindex !== undefined && (reindex.params ?? []).some((p) => get(p, "DefElem")?.defname === "concurrently")) {
        concurrentInTxn(ctx, "REINDEX CONCURRENTLY");
      }
      const alter = get(n, "AlterTableStmt");
      for (const cmd of alterCmds(alter?.cmds)) {
        if (cmd.subtype === "AT_DetachPartition" && get(cmd.def, "PartitionCmd")?.concurrent) {
          concurrentInTxn(ctx, "DETACH PARTITION CONCURRENTLY");
        }
      }
      const txn = get(n, "TransactionStmt");
      if (txn === undefined) return;
      const begin = txn.kind === "TRANS_STMT_BEGIN" || txn.kind === "TRANS_STMT_START";
      const end = txn.kind === "TRANS_STMT_COMMIT" || txn.kind === "TRANS_STMT_ROLLBACK";
      if (begin) {
        ctx.report("transaction-control", {
          message: ctx.script.explicitTxn
            ? "BEGIN inside an open transaction: PostgreSQL only warns, and the first COMMIT ends both"
            : "BEGIN in a migration: Migratrix already runs the migration in a transaction; its COMMIT would end that one early",
          hint: "leave transaction control to Migratrix; use -- migratrix:no-transaction for a migration that must run outside one",
          location: txn.location,
        });
      } else if (end) {
        ctx.report("transaction-control", {
          message: `${txn.kind === "TRANS_STMT_COMMIT" ? "COMMIT" : "ROLLBACK"} in a migration ends Migratrix's transaction early: what follows is no longer undone with what came before`,
          hint: "remove it; split the migration in two if part of it must commit first",
          location: txn.location,
        });
      }
    },
  },
  {
    // Changes under a view created earlier in the script: PostgreSQL refuses them, or CASCADE drops the view.
    statement(ctx) {
      const views = ctx.script.views;
      if (views.size === 0) return;
      const usedBy = (table: string): string[] => [...views].filter(([, t]) => t.has(table)).map(([v]) => v);
      const flag = (table: string, what: string): void => {
        const deps = usedBy(table);
        if (deps.length === 0) return;
        ctx.report("dependent-view", {
          message: `${what} ${table}, which view ${deps.join(", ")} depends on: PostgreSQL refuses it (or CASCADE drops the view)`,
          hint: "drop the view first and re-create it after the change, in the same migration",
        });
      };
      const drop = get(ctx.node, "DropStmt");
      if (drop?.removeType === "OBJECT_TABLE") {
        for (const obj of drop.objects ?? []) flag(names(get(obj, "List")?.items).at(-1) ?? "", "drops table");
      }
      const alter = get(ctx.node, "AlterTableStmt");
      if (alter !== undefined) {
        const table = relName(alter.relation);
        for (const cmd of alterCmds(alter.cmds)) {
          if (cmd.subtype === "AT_DropColumn") flag(table, `drops column ${cmd.name ?? ""} of`);
          else if (cmd.subtype === "AT_AlterColumnType") flag(table, `changes the type of ${cmd.name ?? ""} in`);
        }
      }
    },
  },
  {
    nodes: {
      IndexStmt: (i, ctx) => {
        const table = relName(i.relation);
        if (!i.unique || !ctx.existing(table)) return;
        ctx.report("unique-on-existing-data", {
          level: i.concurrent ? "Low" : "Medium",
          message: `unique index on ${table} fails if existing rows hold duplicates${i.concurrent ? " (and leaves an INVALID index to drop)" : ""}`,
          hint: "check for duplicates first (GROUP BY ... HAVING count(*) > 1) and clean them up in an earlier migration",
          location: i.relation?.location,
        });
      },
      AlterTableStmt: (a, ctx) => {
        const table = relName(a.relation);
        if (!ctx.existing(table)) return;
        for (const cmd of alterCmds(a.cmds)) {
          const k = get(cmd.def, "Constraint");
          if (cmd.subtype !== "AT_AddConstraint" || k?.contype !== "CONSTR_UNIQUE" || k.indexname) continue;
          ctx.report("unique-on-existing-data", {
            message: `UNIQUE constraint on ${table} fails if existing rows hold duplicates`,
            hint: "check for duplicates first (GROUP BY ... HAVING count(*) > 1) and clean them up in an earlier migration",
            location: k.location,
          });
        }
      },
    },
  },
];
