// ClickHouse analysis: no parser of ClickHouse's grammar runs here (node-sql-parser has none), so the
// token reader alone reads each statement (after prepare.ts): a first word that starts no statement
// or unbalanced parentheses are syntax errors; a statement it cannot follow is marked as not fully
// checked rather than called wrong.
import { clickHouseDialect } from "../../clickhouse/dialect.ts";
import type { Analyser } from "../analyser.ts";
import type { PreparedRisk } from "../assess.ts";
import { type PreparedEngine, preparedAnalyser } from "../tokens/prepared-analyser.ts";
import { syntaxVerdict } from "../tokens/syntax.ts";
import { prepareClickHouse } from "./prepare.ts";
import { CLICKHOUSE_RULES } from "./rules.ts";

export const CLICKHOUSE_WORDS = new Set(
  (
    "ALTER ATTACH BEGIN CHECK COMMIT CREATE DELETE DESC DESCRIBE DETACH DROP EXCHANGE EXISTS EXPLAIN GRANT INSERT KILL " +
    "MOVE OPTIMIZE RENAME REVOKE ROLLBACK SELECT SET SHOW SYSTEM TRUNCATE UNDROP UPDATE USE WATCH WITH"
  ).split(" "),
);

export const CLICKHOUSE_READER = {
  lex: { mysql: false, mariadb: false, noBrackets: true, backslash: true },
  expr: { pipesConcat: true, multiWordTypes: false },
  prepare: prepareClickHouse,
} as const;

const engine: PreparedEngine = {
  engine: "clickhouse",
  ...CLICKHOUSE_READER,
  rules: CLICKHOUSE_RULES,
  syntax: ({ toks, read, start }) =>
    syntaxVerdict({
      toks,
      read,
      refusal: "none",
      start,
      engineName: "ClickHouse",
      statementWords: CLICKHOUSE_WORDS,
      alwaysFirstWord: true,
    }),
};

export const analyseClickHouse: Analyser = preparedAnalyser(engine);

export const CLICKHOUSE_RISK: PreparedRisk = {
  dialect: clickHouseDialect,
  reader: CLICKHOUSE_READER,
  analyser: () => analyseClickHouse,
};
