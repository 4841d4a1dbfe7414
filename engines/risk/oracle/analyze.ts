// Oracle analysis: no parser of Oracle's grammar runs here (node-sql-parser has none), so the token
// reader alone reads each statement (after prepare.ts): a first word that starts no statement or
// unbalanced parentheses are syntax errors; a statement it cannot follow is marked as not fully
// checked rather than called wrong.
import { oracleDialect } from "../../oracle/dialect.ts";
import { preparedRisk } from "../tokens/prepared-analyser.ts";
import { prepareOracle } from "./prepare.ts";
import { ORACLE_RULES } from "./rules.ts";

export const ORACLE_RISK = preparedRisk({
  engine: "oracle",
  engineName: "Oracle",
  dialect: oracleDialect,
  lex: { mysql: false, mariadb: false, noBrackets: true, qQuote: true },
  expr: { pipesConcat: true, multiWordTypes: false },
  prepare: prepareOracle,
  rules: ORACLE_RULES,
  statementWords: new Set(
    (
      "ALTER ANALYZE ASSOCIATE AUDIT BEGIN CALL COMMENT COMMIT CREATE DECLARE DELETE DISASSOCIATE DROP EXEC EXECUTE " +
      "EXPLAIN FLASHBACK GRANT INSERT LOCK MERGE NOAUDIT PURGE RENAME REVOKE ROLLBACK SAVEPOINT SELECT SET TRUNCATE " +
      "UPDATE WITH ADMINISTER"
    ).split(" "),
  ),
});
