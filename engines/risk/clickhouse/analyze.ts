// ClickHouse analysis: no parser of ClickHouse's grammar runs here (node-sql-parser has none), so the
// token reader alone reads each statement (after prepare.ts): a first word that starts no statement
// or unbalanced parentheses are syntax errors; a statement it cannot follow is marked as not fully
// checked rather than called wrong.
import { clickHouseDialect } from "../../clickhouse/dialect.ts";
import { preparedRisk } from "../tokens/prepared-analyser.ts";
import { prepareClickHouse } from "./prepare.ts";
import { CLICKHOUSE_RULES } from "./rules.ts";

export const CLICKHOUSE_RISK = preparedRisk({
  engine: "clickhouse",
  engineName: "ClickHouse",
  dialect: clickHouseDialect,
  lex: { mysql: false, mariadb: false, noBrackets: true, backslash: true },
  expr: { pipesConcat: true, multiWordTypes: false },
  prepare: prepareClickHouse,
  rules: CLICKHOUSE_RULES,
  statementWords: new Set(
    (
      "ALTER ATTACH BEGIN CHECK COMMIT CREATE DELETE DESC DESCRIBE DETACH DROP EXCHANGE EXISTS EXPLAIN GRANT INSERT " +
      "KILL MOVE OPTIMIZE RENAME REVOKE ROLLBACK SELECT SET SHOW SYSTEM TRUNCATE UNDROP UPDATE USE WATCH WITH"
    ).split(" "),
  ),
});
