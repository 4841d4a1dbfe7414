// Design and hygiene on SQLite: keys, types, names; renames that break clients; triggers and opaque SQL.

import { indexHygiene, tableKeysHygiene } from "../../tokens/checks.ts";
import { key, type TokenCtx, type TokenRule } from "../../tokens/context.ts";
import type { ColumnDef, KeyDef, Stmt } from "../../tokens/model.ts";

/** Keys the index-coverage check does not compare. */
const UNCHECKED_KEYS: ReadonlyArray<KeyDef["kind"]> = ["primary"];

function typeAdvice(c: ColumnDef, strict: boolean): { message: string; hint: string } | undefined {
  const t = c.type;
  if (c.autoIncrement) {
    return {
      message: `${c.name} is AUTOINCREMENT: it costs a sqlite_sequence write per insert and only forbids reusing deleted ids`,
      hint: "INTEGER PRIMARY KEY alone already numbers rows",
    };
  }
  if (
    !strict &&
    (t === "varchar" || t === "char" || t === "nvarchar" || t === "character varying") &&
    c.typeArgs.length > 0
  ) {
    return {
      message: `${c.name} is ${t.toUpperCase()}(${c.typeArgs.join(",")}): SQLite does not enforce the length`,
      hint: "use TEXT, with CHECK (length(col) <= n) if the limit is a rule",
    };
  }
  if (!strict && /^(datetime|timestamp|date|time|boolean|bool)$/.test(t)) {
    return {
      message: `${c.name} is ${t.toUpperCase()}: SQLite has no such storage class, values keep whatever form they are written in`,
      hint: t.startsWith("bool")
        ? "use INTEGER with CHECK (col IN (0, 1))"
        : "use TEXT (ISO-8601) or INTEGER (Unix time), one of them everywhere",
    };
  }
  if (!strict && /^(decimal|numeric)/.test(t) && /(price|amount|cost|total|balance|fee)/i.test(c.name)) {
    return {
      message: `${c.name} is ${t.toUpperCase()}: SQLite stores fractions as binary floating point (REAL)`,
      hint: "store money as INTEGER minor units (cents)",
    };
  }
  return undefined;
}

function reserved(ctx: TokenCtx, name: string, at: number, what: string): void {
  if (!/^sqlite_/i.test(name)) return;
  ctx.report("naming", {
    level: "High",
    message: `${what} name ${name}: names starting with sqlite_ are reserved, SQLite refuses it`,
    hint: "choose another name",
    at,
  });
}

function idempotence(ctx: TokenCtx, st: Stmt): void {
  if (st.kind === "create-table" && !st.ifNotExists && !st.temporary) {
    ctx.report("non-idempotent", {
      message: `CREATE TABLE ${st.table.name} fails when run twice`,
      hint: "CREATE TABLE IF NOT EXISTS",
      at: st.table.start,
    });
  } else if (st.kind === "create-index" && !st.ifNotExists) {
    ctx.report("non-idempotent", {
      message: `CREATE INDEX ${st.name} fails when run twice`,
      hint: "CREATE INDEX IF NOT EXISTS",
    });
  } else if (st.kind === "drop" && !st.ifExists) {
    ctx.report("non-idempotent", {
      message: `DROP ${st.what} fails when run twice`,
      hint: `DROP ${st.what} IF EXISTS`,
    });
  } else if (st.kind === "alter-table") {
    ctx.report("non-idempotent", {
      message: `ALTER TABLE ${st.table.name} fails (or changes again) when run twice: SQLite has no IF [NOT] EXISTS for columns`,
      hint: "accept that this migration runs once (Migratrix's history table ensures it)",
      at: st.table.start,
    });
  }
}

export const hygieneRules: TokenRule[] = [
  {
    statement(ctx) {
      const st = ctx.stmt;
      idempotence(ctx, st);
      if (st.kind === "create-table") {
        const strict = st.options.some((o) => o.name === "STRICT");
        reserved(ctx, st.table.name, st.table.start, "table");
        for (const c of st.columns) {
          const advice = typeAdvice(c, strict);
          if (advice !== undefined) ctx.report("type-hygiene", { ...advice, at: c.typePos });
        }
        tableKeysHygiene(ctx, st, UNCHECKED_KEYS);
      } else if (st.kind === "create-index") {
        reserved(ctx, st.name, st.key.pos, "index");
        indexHygiene(ctx, { table: st.table.name, key: st.key, at: st.table.start, unchecked: UNCHECKED_KEYS });
      } else if (st.kind === "view") {
        reserved(ctx, st.name.name, st.name.start, "view");
      } else if (st.kind === "alter-table") {
        const table = st.table.name;
        for (const a of st.actions) {
          if (a.op === "add-column") {
            const advice = typeAdvice(a.col, false);
            if (advice !== undefined) ctx.report("type-hygiene", { ...advice, at: a.col.typePos });
          }
          if (!ctx.existing(table)) continue;
          if (a.op === "rename-column") {
            ctx.report("rename-column", {
              subject: [a.from],
              message: `renaming ${table}.${a.from} to ${a.to} breaks the running application, which still uses the old name`,
              hint: "add the new column, write to both, backfill, switch readers, then drop the old one (expand and contract)",
              at: a.pos,
            });
          } else if (a.op === "rename-table") {
            // The last step of a table rebuild keeps the old name.
            if (ctx.script.rebuilds.get(key(a.to.name))?.via === key(table)) continue;
            reserved(ctx, a.to.name, a.to.start, "table");
            ctx.report("rename-table", {
              subject: [table],
              message: `renaming ${table} to ${a.to.name} breaks the running application, which still uses the old name`,
              hint: "create the new table (or a view under the old name) and move clients over before removing the old name",
              at: a.pos,
            });
          }
        }
      } else if (st.kind === "routine") {
        ctx.report("object-policy", {
          message: `${st.what.toLowerCase()} ${st.name?.name ?? ""}: logic that runs unseen on every write`,
          hint: "keep the logic in the application, or document the trigger where the table is described",
        });
      } else if (st.kind === "select" || st.kind === "other") {
        const load = ctx.toks.find((t, i) => t.upper === "LOAD_EXTENSION" && ctx.toks[i + 1]?.upper === "(");
        if (load !== undefined) {
          ctx.report("raw-sql-unchecked", {
            message: "load_extension() loads native code into the database process: what it does is not analysed",
            hint: "load extensions in the application's connection setup, not in a migration",
            at: load.start,
          });
        }
      }
    },
    finish({ script, reportAt }) {
      for (const t of script.created.values()) {
        if (t.pk) continue;
        reportAt(t.statement, t.offset, "missing-primary-key", {
          message: `table ${t.name} has no primary key: rows have only the implicit rowid, which VACUUM may renumber, so nothing stable identifies a row`,
          hint: "add id INTEGER PRIMARY KEY (an alias of the rowid: stable and free)",
        });
      }
    },
  },
];
