// SQL Server analysis: node-sql-parser's T-SQL build (loaded on first use) checks syntax where it
// parses; the token reader (after prepare.ts) decides where it refuses, and reads every statement
// for the rules.
import { sqlServerDialect } from "../../sqlserver/dialect.ts";
import type { Analyser } from "../analyser.ts";
import type { PreparedRisk } from "../assess.ts";
import { type PreparedEngine, preparedAnalyser } from "../tokens/prepared-analyser.ts";
import { type Astify, parserRefusal, syntaxVerdict } from "../tokens/syntax.ts";
import { prepareSqlServer } from "./prepare.ts";
import { SQLSERVER_RULES } from "./rules.ts";

/** Words a T-SQL statement can start with. */
export const SQLSERVER_WORDS = new Set(
  (
    "ADD ALTER BACKUP BEGIN BREAK BULK CHECKPOINT CLOSE COMMIT CONTINUE CREATE DBCC DEALLOCATE DECLARE DELETE DENY " +
    "DISABLE DROP ELSE ENABLE END EXEC EXECUTE FETCH GOTO GRANT IF INSERT KILL MERGE OPEN PRINT RAISERROR READTEXT " +
    "RECONFIGURE RESTORE RETURN REVERT REVOKE ROLLBACK SAVE SELECT SET SETUSER SHUTDOWN THROW TRUNCATE UPDATE " +
    "UPDATETEXT USE WAITFOR WHILE WITH WRITETEXT"
  ).split(" "),
);

export const SQLSERVER_READER = {
  lex: { mysql: false, mariadb: false, hashNames: true, nestedComments: true },
  expr: { pipesConcat: false, multiWordTypes: false },
  prepare: prepareSqlServer,
} as const;

export async function sqlServerAnalyser(): Promise<Analyser> {
  const tsql = await import("node-sql-parser/build/transactsql");
  const parser = new tsql.Parser();
  const astify: Astify[] = [
    (sql) => {
      // The T-SQL grammar reads unknown words as procedure calls, so garbage "parses" as several
      // statements; one split statement read as many is a refusal.
      const ast = parser.astify(sql, { database: "TransactSQL" });
      if (Array.isArray(ast) && ast.length > 1)
        throw Object.assign(new Error("read as several statements"), { found: "text read as several statements" });
    },
  ];
  const engine: PreparedEngine = {
    engine: "sqlserver",
    ...SQLSERVER_READER,
    rules: SQLSERVER_RULES,
    syntax: ({ text, toks, read, start }) =>
      syntaxVerdict({
        toks,
        read,
        refusal: parserRefusal(astify, text),
        start,
        engineName: "SQL Server",
        statementWords: SQLSERVER_WORDS,
        alwaysFirstWord: true,
      }),
  };
  return preparedAnalyser(engine);
}

export const SQLSERVER_RISK: PreparedRisk = {
  dialect: sqlServerDialect,
  reader: SQLSERVER_READER,
  analyser: sqlServerAnalyser,
};
