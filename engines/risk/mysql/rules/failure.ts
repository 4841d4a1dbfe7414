// Statements that fail, or do something other than meant, on MySQL/MariaDB.

import { duplicateColumns } from "../../tokens/checks.ts";
import { key, type TokenCtx, type TokenRule } from "../../tokens/context.ts";
import type { ColumnDef } from "../../tokens/model.ts";
import { schemaChecks } from "../../tokens/schema.ts";
import { isDdl } from "../../tokens/state.ts";

/** Types other engines have and MySQL/MariaDB do not, with what to use instead. */
const FOREIGN_TYPES: Record<string, string> = {
  timestamptz: "datetime (store UTC) or timestamp",
  "timestamp with time zone": "datetime (store UTC) or timestamp",
  jsonb: "json",
  bytea: "blob or varbinary(n)",
  bigserial: "bigint unsigned auto_increment",
  smallserial: "smallint auto_increment",
  money: "decimal(19,4)",
  interval: "an integer count of seconds, or two datetime columns",
  cidr: "varchar(43)",
  macaddr: "binary(6) or char(17)",
  tsvector: "a FULLTEXT index on a text column",
  hstore: "json",
  citext: "varchar with a case-insensitive collation (utf8mb4_0900_ai_ci / utf8mb4_general_ci)",
  varchar2: "varchar(n)",
  nvarchar2: "varchar(n)",
  number: "decimal(p,s)",
  clob: "longtext",
  nclob: "longtext",
  datetime2: "datetime(6)",
  datetimeoffset: "datetime(6) in UTC",
  smalldatetime: "datetime",
  uniqueidentifier: "binary(16) or char(36)",
  ntext: "longtext",
  image: "longblob",
  string: "varchar(n) or text",
  oid: "bigint unsigned",
  regclass: "varchar(64)",
  xml: "longtext",
};
const MYSQL_ONLY_MISSING: Record<string, string> = {
  uuid: "binary(16) (UUID_TO_BIN) or char(36)",
  inet: "varbinary(16) (INET6_ATON) or varchar(45)",
  inet4: "int unsigned (INET_ATON)",
  inet6: "varbinary(16) (INET6_ATON)",
};
const MARIADB_MISSING: Record<string, string> = { inet: "inet6 (MariaDB 10.5+) or varchar(45)" };
const NEEDS_LENGTH = new Set(["varchar", "varbinary", "character varying", "national varchar", "nvarchar"]);

function typeProblem(engine: TokenCtx["engine"], c: ColumnDef): { message: string; hint: string } | undefined {
  const t = c.type;
  if (t === "") return undefined;
  if (t.endsWith("[]"))
    return { message: `column ${c.name}: MySQL has no array types (${t})`, hint: "use json, or a child table" };
  const instead = FOREIGN_TYPES[t] ?? (engine === "mysql" ? MYSQL_ONLY_MISSING[t] : MARIADB_MISSING[t]);
  if (instead !== undefined) {
    return {
      message: `column ${c.name}: ${engine === "mariadb" ? "MariaDB" : "MySQL"} has no type ${t}`,
      hint: `use ${instead}`,
    };
  }
  if (NEEDS_LENGTH.has(t) && c.typeArgs.length === 0) {
    return {
      message: `column ${c.name}: ${t.toUpperCase()} needs a length (the server rejects it as a syntax error)`,
      hint: `write ${t}(n), or use text`,
    };
  }
  return undefined;
}

const DATE_TYPES = new Set(["date", "datetime", "timestamp"]);

function notNullNoDefault(ctx: TokenCtx, table: string, c: ColumnDef): void {
  if (!c.notNull || c.default !== undefined || c.autoIncrement || c.generated !== undefined || c.primary) return;
  const t = c.type;
  if (DATE_TYPES.has(t)) {
    ctx.report("not-null-without-default", {
      level: "High",
      message: `ADD COLUMN ${c.name} ${t.toUpperCase()} NOT NULL without DEFAULT: existing rows of ${table} get the zero date 0000-00-00, and under NO_ZERO_DATE (MySQL 8's default sql_mode) the ALTER fails`,
      hint: "give it a real DEFAULT, or add it nullable, backfill in batches, then make it NOT NULL",
      at: c.pos,
    });
    return;
  }
  const filler = /int|dec|num|float|double|real|bit|bool|year/.test(t)
    ? "0"
    : t === "enum"
      ? `'${c.typeArgs[0] ?? ""}' (the first enum value)`
      : "'' (empty)";
  ctx.report("not-null-without-default", {
    level: "Medium",
    message: `ADD COLUMN ${c.name} NOT NULL without DEFAULT does not fail on ${ctx.engine === "mariadb" ? "MariaDB" : "MySQL"}: every existing row of ${table} silently gets ${filler}, a value nobody chose`,
    hint: "give it the DEFAULT you mean, or add it nullable, backfill in batches, then MODIFY it NOT NULL",
    at: c.pos,
  });
}

export const failureRules: TokenRule[] = [
  {
    statement(ctx) {
      const st = ctx.stmt;
      const cols =
        st.kind === "create-table"
          ? st.columns
          : st.kind === "alter-table"
            ? st.actions.flatMap((a) =>
                a.op === "add-column" || a.op === "modify" || a.op === "change" ? [a.col] : [],
              )
            : [];
      for (const c of cols) {
        const p = typeProblem(ctx.engine, c);
        if (p !== undefined) ctx.report("unsupported-type", { ...p, at: c.typePos });
      }
      if (st.kind === "create-table") {
        duplicateColumns(ctx, st.columns, {
          what: `CREATE TABLE ${st.table.name}`,
          level: "High",
          hint: "keep one; the server rejects the statement (error 1060)",
        });
      } else if (st.kind === "insert") {
        duplicateColumns(ctx, st.columns, {
          what: "the INSERT column list",
          level: "High",
          hint: "keep one; the server rejects the statement (error 1110)",
        });
      } else if (st.kind === "update") {
        duplicateColumns(
          ctx,
          st.sets.map((s) => ({ name: s.column.join("."), pos: s.pos })),
          {
            what: "the SET list (MySQL applies both, left to right: the last one wins)",
            level: "Medium",
            hint: "assign each column once",
          },
        );
      } else if (st.kind === "alter-table") {
        const table = st.table.name;
        const known = ctx.script.columns.get(key(table));
        const added = new Set<string>();
        for (const a of st.actions) {
          if (a.op !== "add-column") continue;
          const k = key(a.col.name);
          if (added.has(k) || (!a.ifNotExists && known?.has(k))) {
            ctx.report("duplicate-column", {
              message: `column ${table}.${a.col.name} ${added.has(k) ? "is added twice" : "exists already"}`,
              hint: "add it once (MariaDB: ADD COLUMN IF NOT EXISTS when the migration must be re-runnable)",
              at: a.col.pos,
            });
          }
          added.add(k);
          if (ctx.existing(table)) notNullNoDefault(ctx, table, a.col);
        }
      }
      schemaChecks(ctx, st);
    },
  },
  {
    // Transactions: MySQL commits implicitly around every DDL statement.
    statement(ctx) {
      const st = ctx.stmt;
      const s = ctx.script;
      if (st.kind === "txn" && st.verb === "begin" && s.explicitTxn) {
        ctx.report("transaction-control", {
          message: "a new transaction while one is open: MySQL commits the open one implicitly first",
          hint: "COMMIT (or ROLLBACK) the open transaction explicitly before starting another",
          at: st.pos,
        });
      } else if (isDdl(st) && s.explicitTxn) {
        ctx.report("transaction-control", {
          message:
            "DDL inside START TRANSACTION: MySQL commits the open transaction before it and this statement at once, so a later ROLLBACK undoes neither",
          hint: "keep DDL out of explicit transactions; put the data changes that must be atomic in their own transaction",
        });
      }
    },
  },
  {
    statement(ctx) {
      const st = ctx.stmt;
      const unique = (table: string, at: number, via: string) => {
        if (!ctx.existing(table)) return;
        ctx.report("unique-on-existing-data", {
          message: `${via} on ${table} fails if existing rows hold duplicates (after building the whole index)`,
          hint: "check for duplicates first (GROUP BY ... HAVING COUNT(*) > 1) and clean them up in an earlier migration",
          at,
        });
      };
      if (st.kind === "create-index" && st.key.kind === "unique") unique(st.table.name, st.table.start, "UNIQUE index");
      if (st.kind === "alter-table") {
        for (const a of st.actions) {
          if (a.op !== "add-key" || (a.key.kind !== "unique" && a.key.kind !== "primary")) continue;
          if (st.ignore && ctx.existing(st.table.name)) {
            ctx.report("unique-on-existing-data", {
              level: "Critical",
              message: `ALTER IGNORE TABLE ... ADD ${a.key.kind === "primary" ? "PRIMARY KEY" : "UNIQUE"} on ${st.table.name} silently deletes every row that duplicates an earlier one`,
              hint: "find and resolve the duplicates yourself first; then add the key without IGNORE",
              at: a.pos,
            });
          } else if (a.key.kind === "unique") unique(st.table.name, a.pos, "UNIQUE key");
        }
      }
    },
  },
];

/** BEGIN without COMMIT at the end of the script: tracked across statements. */
export const openTransactionRule: TokenRule = {
  finish({ script, reportAt }) {
    if (!script.explicitTxn || script.txnStart === undefined) return;
    reportAt(script.txnStart.statement, script.txnStart.offset, "transaction-control", {
      message:
        "START TRANSACTION without COMMIT: the migration ends with the transaction open, and its changes are rolled back when the connection closes",
      hint: "end the transaction with COMMIT",
    });
  },
};
