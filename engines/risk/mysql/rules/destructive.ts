// Data loss: statements that delete rows, tables or columns, and deletes/updates that reach too far.

import { backfillTarget, onDeleteCascade, wholeTableCopy } from "../../tokens/checks.ts";
import { key, type TokenCtx, type TokenRule } from "../../tokens/context.ts";
import { isTautology } from "../../tokens/expr.ts";
import type { Stmt } from "../../tokens/model.ts";

const FK_NAME = /(_fkey|_fk|^fk_|_fk_)/i;

function unbounded(ctx: TokenCtx, st: Extract<Stmt, { kind: "delete" | "update" }>): void {
  const verb = st.kind === "delete" ? "DELETE" : "UPDATE";
  const check = st.kind === "delete" ? "delete-without-where" : "update-without-where";
  const what = st.kind === "delete" ? "deletes" : "changes";
  const target = st.targets.find((t) => t.name.name !== "" && ctx.existing(t.name.name));
  if (target === undefined) return;
  // A join's ON condition filters the rows of a multi-table statement.
  const joined = (st.from?.items ?? []).some((i) => i.joins.some((j) => j.on !== undefined || j.using));
  const limit =
    st.limit === undefined ? "" : ` (LIMIT ${st.limit < 0 ? "n" : st.limit} only caps how many, in no defined order)`;
  if (st.where === undefined && !joined) {
    ctx.report(check, {
      message: `${verb} on ${target.name.name} has no WHERE: it ${what} every row${limit}`,
      hint: `add a WHERE clause selecting the rows; if every row is meant, say so in a reviewed data migration${verb === "DELETE" ? " (or TRUNCATE)" : ""}`,
      at: target.name.start,
    });
  } else if (st.where !== undefined && isTautology(st.where)) {
    ctx.report(check, {
      message: `${verb} on ${target.name.name} has a WHERE that is always true: it ${what} every row${limit}`,
      hint: "write the condition that selects the rows meant; a constant condition selects them all",
      at: target.name.start,
    });
  }
}

function limitOrder(ctx: TokenCtx, st: Extract<Stmt, { kind: "delete" | "update" }>): void {
  const verb = st.kind === "delete" ? "DELETE" : "UPDATE";
  if (st.limit !== undefined && !st.orderBy) {
    ctx.report("dml-limit-orderby", {
      message: `${verb} ... LIMIT without ORDER BY picks rows in no defined order: replicas may change other rows (statement-based replication marks it unsafe)`,
      hint: "add ORDER BY the primary key, or select the rows by key range instead of LIMIT",
    });
  } else if (st.limit !== undefined || st.orderBy) {
    ctx.report("dml-limit-orderby", {
      level: "Low",
      message: `${verb} with ${st.limit !== undefined ? "ORDER BY ... LIMIT" : "ORDER BY"}: deterministic only if the ORDER BY is unique`,
      hint: "order by the primary key (or select the rows by key range)",
    });
  }
}

export const destructiveRules: TokenRule[] = [
  {
    statement(ctx) {
      const st = ctx.stmt;
      switch (st.kind) {
        case "delete":
        case "update": {
          unbounded(ctx, st);
          limitOrder(ctx, st);
          const backfill = backfillTarget(ctx, st);
          if (backfill !== undefined) {
            ctx.report("large-dml", {
              message: `UPDATE on ${backfill.name.name} touches every row its condition matches (no value narrows it): a whole-table backfill in one statement, row locks held until it ends`,
              hint: "backfill in batches by primary key range (WHERE id BETWEEN ... AND ...), in its own migration",
              at: backfill.name.start,
            });
          }
          return;
        }
        case "insert":
          wholeTableCopy(ctx, st, {
            extra: ", and locks the rows it reads",
            hint: "copy in batches by primary key range",
          });
          return;
        case "drop":
          if (st.what === "TABLE" && !st.temporary) {
            for (const n of st.names) {
              if (!ctx.existing(n.name)) continue;
              ctx.report("drop-table", {
                subject: [n.name],
                message: `DROP TABLE ${n.parts.join(".")} deletes the table and every row in it (MySQL commits it at once: no rollback)`,
                hint: "stop using it first, keep a backup, and drop it in a later release (or RENAME it to an archive name)",
                at: n.start,
              });
            }
          } else if (st.what === "DATABASE" || st.what === "SCHEMA") {
            ctx.report("drop-database-or-schema", {
              message: `DROP ${st.what} ${st.names.map((n) => n.name).join(", ")} deletes every table in it`,
              hint: "never from a migration: drop databases by hand, after a backup",
            });
          }
          return;
        case "set":
          for (const v of st.vars) {
            if (v.name !== "foreign_key_checks" || !/^(0|off|false)$/i.test(v.value.trim())) continue;
            ctx.report("drop-fk-constraint", {
              message:
                "foreign_key_checks = 0: no foreign key is checked on this connection, so orphaned rows get in unnoticed (and are not re-checked when it is turned back on)",
              hint: "keep foreign_key_checks on in migrations; if a step truly needs it off, check for orphans explicitly before turning it back on",
              at: v.pos,
            });
          }
          return;
        case "truncate": {
          const tables = st.tables.filter((t) => ctx.existing(t.name));
          if (tables.length === 0) return;
          ctx.report("truncate", {
            subject: tables.map((t) => t.name),
            message: `TRUNCATE ${tables.map((t) => t.name).join(", ")} deletes every row and commits at once: MySQL cannot roll it back, and DELETE triggers do not fire`,
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
                message: `DROP COLUMN ${table}.${a.name} deletes the column's data; running code that reads it breaks`,
                hint: "stop reading and writing the column in the application first, release, then drop it in a later migration",
                at: a.pos,
              });
            } else if (
              a.op === "drop-key" &&
              (a.kind === "foreign" || (a.kind === "constraint" && FK_NAME.test(a.name)))
            ) {
              ctx.report("drop-fk-constraint", {
                message: `dropping foreign key ${a.name} on ${table} lets orphaned rows in`,
                hint: "keep the foreign key unless the relation is gone; if replacing it, add the new one first",
                at: a.pos,
              });
            } else if (a.op === "partition" && (a.what === "DROP PARTITION" || a.what === "TRUNCATE PARTITION")) {
              ctx.report("truncate", {
                message: `${a.what} deletes every row of the partition, with no rollback`,
                hint: "archive the partition (EXCHANGE PARTITION into a table) before dropping it",
                at: a.pos,
              });
            } else if (a.op === "modify" || a.op === "change") {
              const old = ctx.script.columns.get(key(table))?.get(key(a.op === "change" ? a.from : a.col.name));
              const loosened = old !== undefined ? old.notNull && !a.col.notNull && !a.col.primary : a.col.nullable;
              if (loosened) {
                ctx.report("drop-not-null", {
                  // Without a schema an explicit NULL may restate what was there: a question, not an alarm.
                  level: old !== undefined ? "Medium" : "Low",
                  subject: [a.op === "change" ? a.from : a.col.name],
                  message:
                    old !== undefined
                      ? `${a.op.toUpperCase()} restates ${table}.${a.col.name} without NOT NULL: it becomes nullable, and code that assumes a value breaks`
                      : `${table}.${a.col.name} is declared NULL: if it was NOT NULL, code that assumes a value breaks`,
                  hint: "restate NOT NULL (MODIFY replaces the whole definition), or make every reader handle NULL first",
                  at: a.pos,
                });
              }
            }
          }
          return;
        }
        default:
          return;
      }
    },
  },
  {
    // ON DELETE CASCADE anywhere: a column's REFERENCES or a table-level FOREIGN KEY.
    statement: (ctx) =>
      onDeleteCascade(ctx, {
        hint: "prefer ON DELETE RESTRICT (or NO ACTION) and delete children explicitly",
        alterKeys: true,
      }),
  },
];
