// Oracle's rules: the shared ones (tokens/common-rules.ts) with Oracle's facts (DDL commits at once,
// ADD COLUMN NOT NULL without DEFAULT fails on a table with rows), and the checks only Oracle has here:
// CASCADE CONSTRAINTS, index builds without ONLINE, COMMIT in a script.
import { commonRules, type EngineProfile, MONEY_NAME, mandatoryWithoutDefault } from "../tokens/common-rules.ts";
import type { TokenRule } from "../tokens/context.ts";
import type { ColumnDef } from "../tokens/model.ts";
import { queryRules } from "../tokens/query.ts";

const FOREIGN_TYPES: Record<string, string> = {
  text: "CLOB (or VARCHAR2(n))",
  mediumtext: "CLOB",
  longtext: "CLOB",
  tinytext: "VARCHAR2(255)",
  serial: "NUMBER GENERATED ALWAYS AS IDENTITY",
  bigserial: "NUMBER(19) GENERATED ALWAYS AS IDENTITY",
  bigint: "NUMBER(19)",
  tinyint: "NUMBER(3)",
  mediumint: "NUMBER(7)",
  datetime: "TIMESTAMP (or DATE)",
  datetime2: "TIMESTAMP",
  bit: "NUMBER(1) with a CHECK (col IN (0, 1))",
  uuid: "RAW(16)",
  uniqueidentifier: "RAW(16)",
  jsonb: "JSON (21c+) or CLOB with IS JSON",
  bytea: "BLOB",
  money: "NUMBER(19,4)",
  enum: "VARCHAR2(n) with a CHECK constraint",
  double: "BINARY_DOUBLE (or DOUBLE PRECISION)",
  timestamptz: "TIMESTAMP WITH TIME ZONE",
  string: "VARCHAR2(n)",
  int4: "NUMBER(10)",
  int8: "NUMBER(19)",
};
const NEEDS_LENGTH = new Set(["varchar2", "nvarchar2", "varchar", "raw"]);
const TXN_HINT =
  "leave it out: Oracle commits each DDL statement anyway; keep data changes that belong together in one migration";

export const ORACLE_PROFILE: EngineProfile = {
  name: "Oracle",
  truncate: {
    level: "Critical",
    why: "Oracle commits it at once, it cannot be rolled back or flashed back, and no DELETE trigger fires",
  },
  transactionalDdl: false,
  transactions: true,
  notNullWithoutDefault(table: string, c: ColumnDef) {
    if (!mandatoryWithoutDefault(c)) return undefined;
    return {
      level: "High",
      message: `ADD ${c.name} NOT NULL without DEFAULT fails on ${table} as soon as it has a row (ORA-01758: table must be empty to add mandatory (NOT NULL) column)`,
      hint: "give it a DEFAULT (Oracle 11g+ adds a NOT NULL column with a constant default without touching rows), or add it nullable, backfill, then MODIFY ... NOT NULL",
    };
  },
  typeProblem(c: ColumnDef) {
    const t = c.type;
    if (c.unsigned)
      return {
        message: `column ${c.name}: Oracle has no UNSIGNED types`,
        hint: "use NUMBER(p) with a CHECK (col >= 0)",
      };
    const instead = FOREIGN_TYPES[t];
    if (instead !== undefined)
      return { message: `column ${c.name}: Oracle has no type ${t.toUpperCase()} (ORA-00902)`, hint: `use ${instead}` };
    if (c.typeArgs[0]?.toLowerCase() === "max")
      return {
        message: `column ${c.name}: ${t.toUpperCase()}(MAX) is SQL Server's`,
        hint: "use CLOB (or VARCHAR2(4000))",
      };
    if (NEEDS_LENGTH.has(t) && c.typeArgs.length === 0)
      return {
        message: `column ${c.name}: ${t.toUpperCase()} needs a length in Oracle (ORA-00906)`,
        hint: `${t.toUpperCase()}(n CHAR)`,
      };
    return undefined;
  },
  typeAdvice(c: ColumnDef) {
    const t = c.type;
    if (t === "varchar")
      return {
        message: `${c.name} is VARCHAR: Oracle reserves it for possible future meaning`,
        hint: "use VARCHAR2(n CHAR)",
      };
    if (t === "long" || t === "long raw")
      return {
        message: `${c.name} is ${t.toUpperCase()}, deprecated (one per table, no functions on it)`,
        hint: "use CLOB or BLOB",
      };
    if ((t === "float" || t === "binary_float" || t === "binary_double") && MONEY_NAME.test(c.name))
      return { message: `${c.name} is ${t.toUpperCase()}: amounts need exact decimals`, hint: "use NUMBER(19,4)" };
    if (t === "char" || t === "nchar")
      return {
        message: `${c.name} is ${t.toUpperCase()}: values are blank-padded to the length, so comparisons with VARCHAR2 surprise`,
        hint: "use VARCHAR2(n CHAR)",
      };
    return undefined;
  },
  maxIdentifier: 128,
  idempotentHint: {
    create: "CREATE ... IF NOT EXISTS (Oracle 23ai), or a PL/SQL block that ignores ORA-00955",
    drop: "DROP ... IF EXISTS (Oracle 23ai), or a PL/SQL block that ignores ORA-00942",
  },
  uncheckedKeys: ["primary"],
};

const oracleOwn: TokenRule = {
  statement(ctx) {
    const st = ctx.stmt;
    if (ctx.notes.cascade !== undefined && (st.kind === "drop" || st.kind === "truncate")) {
      ctx.report("cascade", {
        message:
          st.kind === "truncate"
            ? "TRUNCATE ... CASCADE also empties every table whose foreign key points here (ON DELETE CASCADE ones), unlisted"
            : st.what === "USER"
              ? "DROP USER ... CASCADE drops every object the user owns: a whole schema"
              : "CASCADE CONSTRAINTS also drops the foreign keys of other tables that point here: their integrity goes silently",
        hint: "drop or change the dependent objects explicitly, in reviewed statements",
        at: ctx.notes.cascade,
      });
    }
    if (st.kind === "create-index" && ctx.existing(st.table.name) && ctx.notes.online !== true) {
      ctx.report("create-index-non-concurrent", {
        message: `CREATE INDEX on ${st.table.name} locks out inserts, updates and deletes on it while the index builds`,
        hint: "add ONLINE (CREATE INDEX ... ONLINE) to keep the table writable (Enterprise Edition)",
        at: st.table.start,
      });
    }
    if (st.kind === "txn" && (st.verb === "commit" || st.verb === "rollback")) {
      ctx.report("transaction-control", {
        message:
          st.verb === "commit"
            ? "COMMIT in a migration makes the data changes before it permanent: a failure after it cannot undo them"
            : "ROLLBACK in a migration undoes the data changes since the last commit, which is the last DDL statement, not the migration's start",
        hint: TXN_HINT,
        at: st.pos,
      });
    }
  },
};

export const ORACLE_RULES: readonly TokenRule[] = [...commonRules(ORACLE_PROFILE), oracleOwn, ...queryRules];
