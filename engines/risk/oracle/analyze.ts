// Oracle analysis: no parser of Oracle's grammar runs here (node-sql-parser has none), so the token
// reader alone reads each statement (after prepare.ts): a first word that starts no statement or
// unbalanced parentheses are syntax errors; a statement it cannot follow is marked as not fully
// checked rather than called wrong.
import { oracleDialect } from "../../oracle/dialect.ts";
import type { Analyser } from "../analyser.ts";
import type { PreparedRisk } from "../assess.ts";
import { type PreparedEngine, preparedAnalyser } from "../tokens/prepared-analyser.ts";
import { syntaxVerdict } from "../tokens/syntax.ts";
import { prepareOracle } from "./prepare.ts";
import { ORACLE_RULES } from "./rules.ts";

export const ORACLE_WORDS = new Set(
  (
    "ALTER ANALYZE ASSOCIATE AUDIT BEGIN CALL COMMENT COMMIT CREATE DECLARE DELETE DISASSOCIATE DROP EXEC EXECUTE " +
    "EXPLAIN FLASHBACK GRANT INSERT LOCK MERGE NOAUDIT PURGE RENAME REVOKE ROLLBACK SAVEPOINT SELECT SET TRUNCATE " +
    "UPDATE WITH ADMINISTER"
  ).split(" "),
);

export const ORACLE_READER = {
  lex: { mysql: false, mariadb: false, noBrackets: true, qQuote: true },
  expr: { pipesConcat: true, multiWordTypes: false },
  prepare: prepareOracle,
} as const;

const engine: PreparedEngine = {
  engine: "oracle",
  ...ORACLE_READER,
  rules: ORACLE_RULES,
  syntax: ({ toks, read, start }) =>
    syntaxVerdict({
      toks,
      read,
      refusal: "none",
      start,
      engineName: "Oracle",
      statementWords: ORACLE_WORDS,
      alwaysFirstWord: true,
    }),
};

export const analyseOracle: Analyser = preparedAnalyser(engine);

export const ORACLE_RISK: PreparedRisk = {
  dialect: oracleDialect,
  reader: ORACLE_READER,
  analyser: () => analyseOracle,
};
