// Data loss on SQLite: statements that delete rows, tables or columns, and rebuilds that lose data.

import { backfillTarget, onDeleteCascade, wholeTableCopy } from "../../tokens/checks.ts";
import { key, type TokenCtx, type TokenRule } from "../../tokens/context.ts";
import { isTautology } from "../../tokens/expr.ts";
import type { Stmt } from "../../tokens/model.ts";

const SCHEMA_TABLE = /^sqlite_(master|schema|temp_master|temp_schema)$/i;
const OFF = /^(0|off|false|no)$/i;
const ON = /^(1|on|true|yes)$/i;

function unbounded(ctx: TokenCtx, st: Extract<Stmt, { kind: "delete" | "update" }>): void {
  const verb = st.kind === "delete" ? "DELETE" : "UPDATE";
  const check = st.kind === "delete" ? "delete-without-where" : "update-without-where";
  const what = st.kind === "delete" ? "deletes" : "changes";
  const target = st.targets.find((t) => t.name.name !== "" && ctx.existing(t.name.name));
  if (target === undefined || SCHEMA_TABLE.test(target.name.name)) return;
  if (st.where === undefined) {
    ctx.report(check, {
      message: `${verb} on ${target.name.name} has no WHERE: it ${what} every row`,
      hint: `add a WHERE clause selecting the rows; if every row is meant, say so in a reviewed data migration`,
      at: target.name.start,
    });
  } else if (isTautology(st.where)) {
    ctx.report(check, {
      message: `${verb} on ${target.name.name} has a WHERE that is always true: it ${what} every row`,
      hint: "write the condition that selects the rows meant; a constant condition selects them all",
      at: target.name.start,
    });
  }
}

/** PRAGMA name [= value] / PRAGMA name(value), with an optional schema prefix. */
export function pragma(ctx: TokenCtx): { name: string; value: string | undefined } | undefined {
  const t = ctx.toks;
  if (t[0]?.upper !== "PRAGMA") return undefined;
  let i = 1;
  if (t[i + 1]?.upper === ".") i += 2;
  const name = (t[i]?.text ?? "").toLowerCase();
  const rest = t.slice(i + 1).filter((x) => x.upper !== "=" && x.upper !== "(" && x.upper !== ")");
  return { name, value: rest[0]?.text };
}

export const destructiveRules: TokenRule[] = [
  {
    statement(ctx) {
      const st = ctx.stmt;
      const s = ctx.script;
      switch (st.kind) {
        case "delete":
        case "update": {
          unbounded(ctx, st);
          const target = st.targets[0];
          if (target !== undefined && SCHEMA_TABLE.test(target.name.name)) {
            ctx.report("drop-database-or-schema", {
              message: `${st.kind.toUpperCase()} on ${target.name.name} edits the schema table directly: one mistake makes the database unreadable`,
              hint: "change the schema with CREATE/ALTER/DROP statements, never through sqlite_schema",
              at: target.name.start,
            });
          }
          const backfill = backfillTarget(ctx, st);
          if (backfill !== undefined) {
            ctx.report("large-dml", {
              message: `UPDATE on ${backfill.name.name} touches every row its condition matches (no value narrows it), holding the database's write lock while it runs`,
              hint: "backfill in batches by rowid / primary key range, in its own migration",
              at: backfill.name.start,
            });
          }
          return;
        }
        case "insert": {
          if (SCHEMA_TABLE.test(st.table.name)) {
            ctx.report("drop-database-or-schema", {
              message: `INSERT into ${st.table.name} edits the schema table directly: one mistake makes the database unreadable`,
              hint: "change the schema with CREATE/ALTER/DROP statements",
              at: st.table.start,
            });
          }
          wholeTableCopy(ctx, st, {
            extra: ", holding the write lock throughout",
            hint: "copy in batches by rowid / primary key range",
            // The copy step of a table rebuild is the point of the rebuild.
            skip: (sources) => sources.some((src) => s.rebuilds.get(key(src))?.via === key(st.table.name)),
          });
          return;
        }
        case "drop":
          if (st.what !== "TABLE" || st.temporary) return;
          for (const n of st.names) {
            if (!ctx.existing(n.name)) continue;
            const rebuild = s.rebuilds.get(key(n.name));
            if (rebuild !== undefined) {
              s.beforeRebuild.set(key(n.name), new Map(s.columns.get(key(n.name)) ?? []));
              if (rebuild.copied) continue;
              ctx.report("drop-table", {
                subject: [n.name],
                message: `${n.name} is rebuilt as ${rebuild.via}, but no INSERT INTO ${rebuild.via} ... SELECT ... FROM ${n.name} copies its rows first: they are lost`,
                hint: `copy the rows before the DROP: INSERT INTO ${rebuild.via} (...) SELECT ... FROM ${n.name}`,
                at: n.start,
              });
              continue;
            }
            ctx.report("drop-table", {
              subject: [n.name],
              message: `DROP TABLE ${n.name} deletes the table and every row in it`,
              hint: "stop using it first, keep a backup, and drop it in a later release",
              at: n.start,
            });
          }
          return;
        case "truncate":
          ctx.report("truncate", {
            level: "High",
            subject: st.tables.map((t) => t.name),
            message: "SQLite has no TRUNCATE statement: the migration fails here",
            hint: "DELETE FROM t (without WHERE: SQLite's truncate optimization) if every row must go, after a backup",
          });
          return;
        case "alter-table": {
          const table = st.table.name;
          if (!ctx.existing(table)) return;
          for (const a of st.actions) {
            if (a.op !== "drop-column") continue;
            ctx.report("drop-column", {
              subject: [a.name],
              message: `DROP COLUMN ${table}.${a.name} deletes the column's data and rewrites the table (SQLite 3.35+); it fails if the column is indexed, a key, or used by a view, trigger or CHECK`,
              hint: "stop using the column first; drop its indexes, then the column, in a later migration",
              at: a.pos,
            });
          }
          return;
        }
        case "other": {
          const p = pragma(ctx);
          if (p?.name === "foreign_keys" && p.value !== undefined && OFF.test(p.value)) {
            ctx.report("drop-fk-constraint", {
              message:
                "PRAGMA foreign_keys = OFF: no foreign key is enforced on this connection, so orphaned rows get in (and inside a transaction the PRAGMA silently does nothing)",
              hint: "keep foreign keys on; for a table rebuild, turn them off outside the transaction and run PRAGMA foreign_key_check before turning them back on",
            });
          } else if (p?.name === "writable_schema" && p.value !== undefined && ON.test(p.value)) {
            ctx.report("drop-database-or-schema", {
              message:
                "PRAGMA writable_schema = ON lets statements edit sqlite_schema directly: a mistake corrupts the whole database",
              hint: "change the schema with CREATE/ALTER/DROP (a table rebuild) instead",
            });
          }
          return;
        }
        default:
          return;
      }
    },
  },
  {
    // A rebuilt table's new definition against the old one: columns lost, NOT NULL added or dropped.
    statement(ctx) {
      const st = ctx.stmt;
      if (st.kind !== "alter-table") return;
      const s = ctx.script;
      for (const a of st.actions) {
        if (a.op !== "rename-table") continue;
        const target = key(a.to.name);
        const rebuild = s.rebuilds.get(target);
        const old = s.beforeRebuild.get(target);
        const next = s.columns.get(key(st.table.name));
        if (
          rebuild === undefined ||
          rebuild.via !== key(st.table.name) ||
          old === undefined ||
          old.size === 0 ||
          next === undefined
        )
          continue;
        for (const [col, fact] of old) {
          const now = next.get(col);
          // Key columns follow the key's own rules (an INTEGER PRIMARY KEY is never NULL).
          if (now?.primary === true || fact.primary === true) continue;
          if (now === undefined) {
            ctx.report("drop-column", {
              subject: [col],
              message: `the rebuilt ${a.to.name} has no column ${col}: its data is gone, and running code that reads it breaks`,
              hint: "stop using the column in the application first, release, then rebuild without it",
              at: a.pos,
            });
          } else if (fact.notNull && !now.notNull) {
            ctx.report("drop-not-null", {
              subject: [col],
              message: `the rebuilt ${a.to.name}.${col} allows NULL: code that assumes a value breaks`,
              hint: "keep NOT NULL, or make every reader handle NULL first",
              at: a.pos,
            });
          } else if (!fact.notNull && now.notNull) {
            ctx.report("set-not-null", {
              subject: [col],
              message: `the rebuilt ${a.to.name}.${col} is NOT NULL: the copy fails on the first NULL in ${col}`,
              hint: `backfill NULLs first (UPDATE ${a.to.name} SET ${col} = ... WHERE ${col} IS NULL), then rebuild`,
              at: a.pos,
            });
          }
        }
      }
    },
  },
  {
    statement: (ctx) =>
      onDeleteCascade(ctx, {
        hint: "prefer ON DELETE RESTRICT (or NO ACTION) and delete children explicitly",
        caveat: " (when foreign_keys is on)",
        alterKeys: false,
      }),
  },
];
