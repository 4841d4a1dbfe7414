// Design and hygiene: keys, indexes, types and names that cost later; renames that break clients.

import { indexHygiene, tableKeysHygiene } from "../../tokens/checks.ts";
import { key, type TokenCtx, type TokenRule } from "../../tokens/context.ts";
import type { ColumnDef, KeyDef, Stmt } from "../../tokens/model.ts";

/** Keys the index-coverage check does not compare. */
const UNCHECKED_KEYS: ReadonlyArray<KeyDef["kind"]> = ["primary", "fulltext", "spatial"];

const MAX_IDENT = 64;
const SMALL_INTS = new Set(["int", "integer", "mediumint", "smallint", "tinyint"]);
const MONEY = /(price|amount|cost|total|balance|fee|salary)/i;

function typeAdvice(c: ColumnDef, pk: boolean, engine: string): { message: string; hint: string } | undefined {
  const t = c.type;
  if (SMALL_INTS.has(t) && (pk || c.autoIncrement)) {
    return {
      message: `${pk ? "primary key" : "AUTO_INCREMENT column"} ${c.name} is ${t.toUpperCase()}: it runs out`,
      hint: "use BIGINT UNSIGNED",
    };
  }
  if (t === "timestamp") {
    return {
      message: `${c.name} is TIMESTAMP: it ends in January 2038 and converts through the session time zone`,
      hint: "use DATETIME (store UTC)",
    };
  }
  if ((t === "float" || t === "double" || t === "real" || t === "double precision") && MONEY.test(c.name)) {
    return { message: `${c.name} is ${t.toUpperCase()}: binary floating point rounds money`, hint: "use DECIMAL(p,s)" };
  }
  if (c.charset !== undefined && (c.charset.value === "utf8" || c.charset.value === "utf8mb3")) {
    return {
      message: `${c.name} is ${c.charset.value}: it cannot store 4-byte characters (emoji, some CJK)`,
      hint: "use utf8mb4",
    };
  }
  // MySQL 8.0.17 deprecated display widths; MariaDB keeps them (and prints them in every dump).
  if (engine === "mysql" && (SMALL_INTS.has(t) || t === "bigint")) {
    if (c.typeArgs.length > 0 && !(t === "tinyint" && c.typeArgs[0] === "1")) {
      return {
        message: `${c.name} ${t.toUpperCase()}(${c.typeArgs.join(",")}): integer display widths are deprecated (MySQL 8.0.17) and limit nothing`,
        hint: `write ${t.toUpperCase()} without (n)`,
      };
    }
  }
  return undefined;
}

function names(ctx: TokenCtx, list: Array<{ name: string; pos: number; what: string }>): void {
  for (const n of list) {
    if (n.name.length > MAX_IDENT) {
      ctx.report("naming", {
        level: "High",
        message: `${n.what} name ${n.name.slice(0, 24)}... is ${n.name.length} characters: MySQL rejects names over 64`,
        hint: "use a name of at most 64 characters",
        at: n.pos,
      });
    } else if (n.what === "table" && n.name !== n.name.toLowerCase()) {
      ctx.report("naming", {
        message: `table name ${n.name} has capitals: table names are case-sensitive on Linux and not on macOS/Windows (lower_case_table_names)`,
        hint: "use lower_snake_case table names",
        at: n.pos,
      });
    }
  }
}

function idempotence(ctx: TokenCtx, st: Stmt): void {
  if (st.kind === "create-table" && !st.ifNotExists && !st.orReplace && !st.temporary) {
    ctx.report("non-idempotent", {
      message: `CREATE TABLE ${st.table.name} fails when run twice`,
      hint: "CREATE TABLE IF NOT EXISTS",
      at: st.table.start,
    });
  } else if (st.kind === "drop" && !st.ifExists) {
    ctx.report("non-idempotent", {
      message: `DROP ${st.what} fails when run twice`,
      hint: `DROP ${st.what} IF EXISTS`,
    });
  } else if (st.kind === "create-index" && !st.ifNotExists && ctx.engine === "mariadb") {
    ctx.report("non-idempotent", {
      message: `CREATE INDEX ${st.name} fails when run twice`,
      hint: "CREATE INDEX IF NOT EXISTS (MariaDB)",
    });
  } else if (st.kind === "alter-table" && ctx.engine === "mariadb") {
    const once =
      st.actions.some((a) => (a.op === "add-column" || a.op === "add-key") && !a.ifNotExists) ||
      st.actions.some((a) => a.op === "drop-column" && !a.ifExists);
    if (once)
      ctx.report("non-idempotent", {
        message: `ALTER TABLE ${st.table.name} is not safe to run twice`,
        hint: "MariaDB: ADD COLUMN IF NOT EXISTS / DROP COLUMN IF EXISTS",
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
        const pk = new Set(st.keys.filter((k) => k.kind === "primary").flatMap((k) => k.columns.map(key)));
        names(ctx, [
          { name: st.table.name, pos: st.table.start, what: "table" },
          ...st.columns.map((c) => ({ name: c.name, pos: c.pos, what: "column" })),
        ]);
        for (const c of st.columns) {
          const advice = typeAdvice(c, c.primary || pk.has(key(c.name)), ctx.engine);
          if (advice !== undefined) ctx.report("type-hygiene", { ...advice, at: c.typePos });
        }
        tableKeysHygiene(ctx, st, UNCHECKED_KEYS);
        const charset = st.options.find((o) => o.name === "CHARSET" && (o.value === "UTF8" || o.value === "UTF8MB3"));
        if (charset !== undefined) {
          ctx.report("type-hygiene", {
            message: `table ${st.table.name} uses ${charset.value.toLowerCase()}: it cannot store 4-byte characters (emoji, some CJK)`,
            hint: "DEFAULT CHARSET=utf8mb4",
            at: charset.pos,
          });
        }
        if (st.options.some((o) => o.name === "PARTITION")) {
          ctx.report("object-policy", {
            message: `table ${st.table.name} is partitioned: every unique key must include the partitioning columns`,
            hint: "partition only when pruning is measured to help",
          });
        }
      } else if (st.kind === "alter-table") {
        for (const a of st.actions) {
          if (a.op === "add-column" || a.op === "modify" || a.op === "change") {
            names(ctx, [{ name: a.col.name, pos: a.col.pos, what: "column" }]);
            const advice = typeAdvice(a.col, a.op === "add-column" && a.col.primary, ctx.engine);
            if (advice !== undefined) ctx.report("type-hygiene", { ...advice, at: a.col.typePos });
          } else if (a.op === "add-key")
            indexHygiene(ctx, { table: st.table.name, key: a.key, at: a.pos, unchecked: UNCHECKED_KEYS });
          else if (a.op === "rename-table") names(ctx, [{ name: a.to.name, pos: a.to.start, what: "table" }]);
        }
      } else if (st.kind === "create-index") {
        names(ctx, [{ name: st.name, pos: st.key.pos, what: "index" }]);
        indexHygiene(ctx, { table: st.table.name, key: st.key, at: st.table.start, unchecked: UNCHECKED_KEYS });
      } else if (st.kind === "rename-table") {
        for (const [i, p] of st.pairs.entries()) {
          names(ctx, [{ name: p.to.name, pos: p.to.start, what: "table" }]);
          if (!ctx.existing(p.from.name)) continue;
          // RENAME TABLE a TO a_old, a_new TO a: the atomic swap of an online schema change keeps the name.
          const swappedIn = st.pairs.some((q) => key(q.to.name) === key(p.from.name));
          const takesVacated = st.pairs.some((q, j) => j < i && key(q.from.name) === key(p.to.name));
          if (swappedIn || takesVacated) continue;
          ctx.report("rename-table", {
            subject: [p.from.name],
            message: `renaming ${p.from.name} to ${p.to.name} breaks the running application, which still uses the old name`,
            hint: "create the new table (or a view under the old name) and move clients over before removing the old name",
            at: p.from.start,
          });
        }
      } else if (st.kind === "routine") {
        ctx.report("object-policy", {
          message: `${st.what.toLowerCase()} ${st.name?.name ?? ""}: logic that runs inside the database, unseen by the application's tests`,
          hint: "keep the logic in the application, or document it where the schema is described",
        });
      }
    },
    finish({ script, reportAt }) {
      for (const [table, t] of script.created) {
        if (t.pk) continue;
        reportAt(t.statement, t.offset, "missing-primary-key", {
          message: `table ${t.name} has no primary key: InnoDB clusters rows on a hidden row id, and rows cannot be addressed one by one (replication, batching, online schema change tools)`,
          hint: "add a primary key, e.g. id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY",
        });
        void table;
      }
      for (const fk of script.fks) {
        const indexed = script.indexes.some(
          (i) => i.table === fk.table && fk.columns.every((c, k) => i.columns[k] === c),
        );
        if (indexed) continue;
        reportAt(fk.statement, fk.offset, "fk-missing-index", {
          message: `foreign key ${fk.table}(${fk.columns.join(", ")}) has no index of its own: InnoDB creates one implicitly, named after the constraint, that cannot be dropped while the key exists`,
          hint: `declare the index yourself: INDEX (${fk.columns.join(", ")})`,
        });
      }
    },
  },
];
