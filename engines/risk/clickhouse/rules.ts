// ClickHouse's rules: the shared ones (tokens/common-rules.ts) with ClickHouse's facts (no
// transactions; columns are not nullable unless Nullable(T), and new ones read the type's default),
// and what only ClickHouse has here: mutations that rewrite data parts, MergeTree sorting keys,
// partitions dropped at once.
import { commonRules, type EngineProfile, MONEY_NAME } from "../tokens/common-rules.ts";
import { key, type TokenRule } from "../tokens/context.ts";
import type { ColumnDef } from "../tokens/model.ts";
import { queryRules } from "../tokens/query.ts";

const FOREIGN_TYPES: Record<string, string> = {
  serial: "UInt64 (ClickHouse has no auto-increment: generate ids or use generateSerialID)",
  bigserial: "UInt64",
  jsonb: "JSON (or String)",
  timestamptz: "DateTime('UTC') / DateTime64(3, 'UTC')",
  money: "Decimal(19, 4)",
  uniqueidentifier: "UUID",
  datetime2: "DateTime64(7)",
  datetimeoffset: "DateTime64(7, 'UTC')",
  varchar2: "String",
  nvarchar2: "String",
  number: "Decimal(p, s)",
  clob: "String",
  bytea: "String",
  interval: "an integer count of seconds",
  bit: "Bool (or UInt8)",
  ntext: "String",
  image: "String",
};
const COMPOSITE = /^(array|map|tuple|lowcardinality|nested|nullable)\(/i;
const nullable = (type: string): boolean => /^nullable\(/i.test(type.trim());

export const CLICKHOUSE_PROFILE: EngineProfile = {
  name: "ClickHouse",
  truncate: { level: "Critical", why: "ClickHouse has no transactions, the data parts are gone at once" },
  transactionalDdl: false,
  transactions: false,
  notNullWithoutDefault(table: string, c: ColumnDef) {
    if (c.type === "nullable" || c.type === "" || (c.default !== undefined && c.default.kind !== "null"))
      return undefined;
    return {
      level: "Low",
      message: `ADD COLUMN ${c.name} ${c.typeText} without DEFAULT: every existing row of ${table} reads the type's default (0, '', 1970-01-01), a value nobody wrote`,
      hint: "give it an explicit DEFAULT, or Nullable(T) if a missing value must stay visible",
    };
  },
  typeProblem(c: ColumnDef) {
    const t = c.type;
    if (t === "nullable" && COMPOSITE.test(c.typeArgs[0] ?? ""))
      return {
        message: `column ${c.name}: Nullable(${c.typeArgs[0]}) is refused: Nullable cannot wrap Array, Map, Tuple, LowCardinality or another Nullable`,
        hint: "use the composite type alone (an empty value stands for none), or LowCardinality(Nullable(T))",
      };
    if (t.endsWith("[]"))
      return { message: `column ${c.name}: ClickHouse writes arrays as Array(T)`, hint: "use Array(T)" };
    const instead = FOREIGN_TYPES[t];
    if (instead === undefined) return undefined;
    return { message: `column ${c.name}: ClickHouse has no type ${t}`, hint: `use ${instead}` };
  },
  typeAdvice(c: ColumnDef) {
    const t = c.type;
    if (t === "nullable")
      return {
        message: `${c.name} is Nullable(${c.typeArgs[0] ?? ""}): an extra null-map file per part, and slower filters and aggregates`,
        hint: "prefer a plain type with a DEFAULT that stands for 'none' unless NULL must be told apart",
      };
    if (/^float(32|64)$/.test(t) && MONEY_NAME.test(c.name))
      return {
        message: `${c.name} is ${c.typeText}: amounts need exact decimals`,
        hint: "use Decimal(19, 4) (or Int64 minor units)",
      };
    return undefined;
  },
  maxIdentifier: 255,
  idempotentHint: { create: "CREATE TABLE IF NOT EXISTS / ADD COLUMN IF NOT EXISTS", drop: "DROP ... IF EXISTS" },
  ownPrimaryKeyCheck: true,
  uncheckedKeys: ["primary"],
};

const clickHouseOwn: TokenRule = {
  statement(ctx) {
    const st = ctx.stmt;
    const n = ctx.notes;
    const target =
      st.kind === "update" || st.kind === "delete"
        ? st.targets[0]?.name.name
        : st.kind === "alter-table"
          ? st.table.name
          : st.kind === "rebuild"
            ? st.tables[0]?.name
            : undefined;
    if (target !== undefined && ctx.existing(target)) {
      for (const m of n.mutations ?? []) {
        ctx.report("heavy-mutation", {
          level: m.heavy ? "High" : "Medium",
          message: m.heavy
            ? `${m.what} on ${target} is a mutation: every data part it touches is rewritten in the background, competing with inserts and merges, and it cannot be rolled back`
            : `${m.what} on ${target} marks rows at once and rewrites parts later: it still costs a pass over the matching parts`,
          hint: m.heavy
            ? "prefer partition-level operations (DROP/REPLACE PARTITION) or a new table filled by INSERT ... SELECT; watch system.mutations and run it off-peak"
            : "run it off-peak and watch system.mutations; for many rows, drop whole partitions instead",
          at: m.pos,
        });
      }
      if (n.dropPartition !== undefined) {
        ctx.report("truncate", {
          subject: [target],
          message: `${n.dropPartition.what} deletes every row of that partition at once; ClickHouse has no transaction to undo it`,
          hint: "FREEZE the partition (a local backup) or move it to a backup table (MOVE PARTITION ... TO TABLE) first",
          at: n.dropPartition.pos,
        });
      }
    }
    if (st.kind === "alter-table" && ctx.existing(st.table.name)) {
      const cols = ctx.script.columns.get(key(st.table.name));
      for (const a of st.actions) {
        if (a.op !== "modify" || a.col.type === "") continue;
        const old = cols?.get(key(a.col.name))?.type;
        const next = a.col.typeText.toLowerCase();
        if (old !== undefined && old.toLowerCase() === next) continue;
        ctx.report("heavy-mutation", {
          subject: [a.col.name],
          message: `MODIFY COLUMN ${st.table.name}.${a.col.name} ${a.col.typeText}${old === undefined ? "" : ` (was ${old})`} is a mutation: every part is rewritten with the new type in the background, and a value that does not convert stops it half-way`,
          hint: "add a new column with the new type (DEFAULT computed from the old one), materialize it, switch readers, then drop the old one",
          at: a.pos,
        });
        if (old === undefined) continue;
        if (nullable(old) && !nullable(next))
          ctx.report("set-not-null", {
            subject: [a.col.name],
            message: `${st.table.name}.${a.col.name} is no longer Nullable: every NULL becomes the type's default, and the rewrite fails if one cannot`,
            hint: "replace NULLs with an explicit value first (ALTER TABLE ... UPDATE ... WHERE isNull(col)), then change the type",
            at: a.pos,
          });
        else if (!nullable(old) && nullable(next))
          ctx.report("drop-not-null", {
            subject: [a.col.name],
            message: `${st.table.name}.${a.col.name} becomes Nullable: readers that assume a value break on NULL, and every part is rewritten`,
            hint: "keep the plain type with a DEFAULT that stands for 'none', or make every reader handle NULL first",
            at: a.pos,
          });
      }
    }
    const engine = n.tableEngine;
    if (st.kind === "create-table" && engine !== undefined && /MergeTree$/i.test(engine.name) && !engine.orderBy) {
      ctx.report("missing-primary-key", {
        level: engine.emptyOrder ? "Medium" : "High",
        message: engine.emptyOrder
          ? `${st.table.name} is ${engine.name} with ORDER BY tuple(): no sorting key, so every query reads every part and nothing is found by key`
          : `${st.table.name} is ${engine.name} without ORDER BY or PRIMARY KEY: the statement fails (a MergeTree table needs a sorting key)`,
        hint: "ORDER BY the columns queries filter on, lowest cardinality first",
        at: engine.pos,
      });
    }
    if (st.kind === "txn") {
      ctx.report("transaction-control", {
        message: `${st.verb === "begin" ? "BEGIN" : st.verb === "commit" ? "COMMIT" : "ROLLBACK"}: ClickHouse has no transactions (outside an experimental setting), so statements are not undone together and this one fails or does nothing`,
        hint: "remove it; make each statement safe to re-run on its own (IF [NOT] EXISTS)",
        at: st.pos,
      });
    }
  },
};

export const CLICKHOUSE_RULES: readonly TokenRule[] = [
  ...commonRules(CLICKHOUSE_PROFILE),
  clickHouseOwn,
  ...queryRules,
];
