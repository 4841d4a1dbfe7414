// SQL Server's rules: the shared ones (tokens/common-rules.ts) with SQL Server's facts, and the checks
// only SQL Server has here: TOP in DELETE/UPDATE, offline index builds, column type changes, and
// transaction control (DDL is transactional: the runner's transaction covers the whole script).
import { commonRules, type EngineProfile, MONEY_NAME, mandatoryWithoutDefault } from "../tokens/common-rules.ts";
import { key, type TokenCtx, type TokenRule } from "../tokens/context.ts";
import type { ColumnDef } from "../tokens/model.ts";
import { queryRules } from "../tokens/query.ts";

/** Types of other engines that SQL Server does not have, with what to use instead. */
const FOREIGN_TYPES: Record<string, string> = {
  boolean: "bit",
  bool: "bit",
  serial: "int IDENTITY(1,1)",
  bigserial: "bigint IDENTITY(1,1)",
  smallserial: "smallint IDENTITY(1,1)",
  jsonb: "nvarchar(max) with ISJSON checks",
  uuid: "uniqueidentifier",
  timestamptz: "datetimeoffset",
  "timestamp with time zone": "datetimeoffset",
  bytea: "varbinary(max)",
  blob: "varbinary(max)",
  longblob: "varbinary(max)",
  clob: "nvarchar(max)",
  number: "decimal(p,s)",
  varchar2: "nvarchar(n)",
  nvarchar2: "nvarchar(n)",
  mediumint: "int",
  tinytext: "nvarchar(255)",
  mediumtext: "nvarchar(max)",
  longtext: "nvarchar(max)",
  enum: "nvarchar(n) with a CHECK constraint",
  interval: "an integer count of seconds",
  inet: "varchar(45)",
  double: "float",
  string: "nvarchar(n)",
  int4: "int",
  int8: "bigint",
  float8: "float",
};
const DEPRECATED: Record<string, string> = { text: "varchar(max)", ntext: "nvarchar(max)", image: "varbinary(max)" };
const TXN_HINT =
  "leave transaction control to Migratrix; use -- migratrix:no-transaction for a migration that must run outside one";

export const SQLSERVER_PROFILE: EngineProfile = {
  name: "SQL Server",
  truncate: {
    level: "High",
    why: "it is rolled back only if the transaction fails; no DELETE trigger fires, and it fails on a table a foreign key references",
  },
  transactionalDdl: true,
  transactions: true,
  notNullWithoutDefault(table: string, c: ColumnDef) {
    if (!mandatoryWithoutDefault(c)) return undefined;
    return {
      level: "High",
      message: `ADD ${c.name} NOT NULL without DEFAULT fails on ${table} as soon as it has a row (Msg 4901: ALTER TABLE only allows columns to be added that can contain nulls, or have a DEFAULT)`,
      hint: "give it a DEFAULT (a constant default is a metadata-only change), or add it NULL, backfill, then make it NOT NULL",
    };
  },
  typeProblem(c: ColumnDef) {
    const t = c.type;
    if (c.unsigned)
      return {
        message: `column ${c.name}: SQL Server has no UNSIGNED types`,
        hint: "use the next wider signed type with a CHECK (col >= 0)",
      };
    if (t === "timestamp")
      return {
        message: `column ${c.name}: TIMESTAMP in SQL Server is ROWVERSION, an 8-byte counter changed on every update, not a date`,
        hint: "use datetime2 (or datetimeoffset) for a point in time",
      };
    if (t.endsWith("[]"))
      return { message: `column ${c.name}: SQL Server has no array types`, hint: "use a child table" };
    const instead = FOREIGN_TYPES[t];
    if (instead === undefined) return undefined;
    return { message: `column ${c.name}: SQL Server has no type ${t}`, hint: `use ${instead}` };
  },
  typeAdvice(c: ColumnDef, pk: boolean) {
    const t = c.type;
    const replacement = DEPRECATED[t];
    if (replacement !== undefined)
      return {
        message: `${c.name} is ${t.toUpperCase()}, deprecated since SQL Server 2005`,
        hint: `use ${replacement}`,
      };
    if (t === "datetime" || t === "smalldatetime")
      return {
        message: `${c.name} is ${t.toUpperCase()}: 3 ms precision and a narrow range`,
        hint: "use datetime2 (or datetimeoffset)",
      };
    if ((t === "float" || t === "real" || t === "money" || t === "smallmoney") && MONEY_NAME.test(c.name))
      return { message: `${c.name} is ${t.toUpperCase()}: amounts need exact decimals`, hint: "use decimal(19,4)" };
    if (pk && c.autoIncrement && (t === "int" || t === "smallint" || t === "tinyint"))
      return {
        message: `${c.name} is an ${t.toUpperCase()} IDENTITY key: it runs out (2,147,483,647 for int) on a busy table`,
        hint: "use bigint IDENTITY",
      };
    return undefined;
  },
  maxIdentifier: 128,
  idempotentHint: {
    create:
      "guard it: IF OBJECT_ID(N'dbo.t', N'U') IS NULL CREATE TABLE ... (or IF NOT EXISTS (SELECT 1 FROM sys.indexes ...))",
    drop: "DROP ... IF EXISTS (SQL Server 2016+)",
  },
  uncheckedKeys: ["primary"],
};

/** Same base type, and the new length is not shorter: SQL Server changes only metadata. */
function widening(oldType: string, next: ColumnDef): boolean {
  const m = /^([a-z ]+?)(?:\((\w+)\))?$/.exec(oldType.trim());
  if (m === null || m[1] !== next.type) return false;
  const oldLen = m[2] ?? "";
  const newLen = next.typeArgs[0] ?? "";
  if (oldLen === newLen) return true;
  if (!/^(n?varchar|varbinary)$/.test(next.type)) return false;
  return newLen.toLowerCase() === "max" || (Number(newLen) >= Number(oldLen) && oldLen.toLowerCase() !== "max");
}

function transactionControl(ctx: TokenCtx): void {
  const st = ctx.stmt;
  const s = ctx.script;
  if (st.kind !== "txn") return;
  if (ctx.noTransaction) {
    if (st.verb === "begin" && s.explicitTxn)
      ctx.report("transaction-control", {
        message: "BEGIN TRANSACTION inside an open one only nests it (@@TRANCOUNT 2): a ROLLBACK anywhere undoes both",
        hint: "COMMIT the open transaction first",
        at: st.pos,
      });
    return;
  }
  if (st.verb === "begin") {
    ctx.report("transaction-control", {
      message:
        "BEGIN TRANSACTION in a migration nests inside Migratrix's transaction: its COMMIT commits nothing, and a ROLLBACK undoes Migratrix's transaction too",
      hint: TXN_HINT,
      at: st.pos,
    });
  } else if (st.verb === "commit" || st.verb === "rollback") {
    ctx.report("transaction-control", {
      message:
        st.verb === "commit"
          ? "COMMIT in a migration ends Migratrix's transaction early: what follows is no longer undone with what came before"
          : "ROLLBACK in a migration rolls back Migratrix's whole transaction, every statement before it, and the run fails",
      hint: TXN_HINT,
      at: st.pos,
    });
  }
}

const sqlServerOwn: TokenRule = {
  statement(ctx) {
    const st = ctx.stmt;
    transactionControl(ctx);
    if ((st.kind === "delete" || st.kind === "update") && ctx.notes.top !== undefined) {
      ctx.report("dml-limit-orderby", {
        message: `${st.kind.toUpperCase()} TOP (n) picks rows in no set order: which rows change is up to the plan, and differs between runs and replicas`,
        hint: "select the rows by key: WHERE id IN (SELECT TOP (n) id FROM ... ORDER BY id)",
        at: ctx.notes.top,
      });
    }
    if (st.kind === "create-index" && ctx.existing(st.table.name) && ctx.notes.online !== true) {
      ctx.report("create-index-non-concurrent", {
        message: `CREATE INDEX on ${st.table.name} blocks writes to it while the index builds`,
        hint: "WITH (ONLINE = ON) keeps the table writable (Enterprise, Developer and Azure SQL editions)",
        at: st.table.start,
      });
    }
    if (st.kind === "alter-table" && ctx.existing(st.table.name)) {
      const cols = ctx.script.columns.get(key(st.table.name));
      for (const a of st.actions) {
        if (a.op !== "modify" || a.col.type === "") continue;
        const old = cols?.get(key(a.col.name));
        if (old !== undefined && widening(old.type, a.col)) continue;
        ctx.report("alter-column-type", {
          subject: [a.col.name],
          message: `ALTER COLUMN ${st.table.name}.${a.col.name} ${a.col.typeText}${old === undefined ? "" : ` (was ${old.type})`}: a type change rewrites every row under a schema lock, and clients reading the old type may break`,
          hint: "add a new column, backfill it in batches, switch readers, then drop the old one",
          at: a.pos,
        });
      }
    }
  },
  finish({ script, reportAt }) {
    if (!script.noTransaction || !script.explicitTxn || script.txnStart === undefined) return;
    reportAt(script.txnStart.statement, script.txnStart.offset, "transaction-control", {
      message:
        "BEGIN TRANSACTION without COMMIT: the migration ends with the transaction open, and its changes roll back when the connection closes",
      hint: "end the transaction with COMMIT",
    });
  },
};

export const SQLSERVER_RULES: readonly TokenRule[] = [...commonRules(SQLSERVER_PROFILE), sqlServerOwn, ...queryRules];
