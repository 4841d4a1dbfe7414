// SQL Server analysis: node-sql-parser's T-SQL build (loaded on first use) checks syntax where it
// parses; the token reader (after prepare.ts) decides where it refuses, and reads every statement
// for the rules.
import { sqlServerDialect } from "../../sqlserver/dialect.ts";
import { preparedRisk } from "../tokens/prepared-analyser.ts";
import type { Astify } from "../tokens/syntax.ts";
import { prepareSqlServer } from "./prepare.ts";
import { SQLSERVER_RULES } from "./rules.ts";

async function tsqlParser(): Promise<Astify[]> {
  const tsql = await import("node-sql-parser/build/transactsql");
  const parser = new tsql.Parser();
  return [
    (sql) => {
      // The T-SQL grammar reads unknown words as procedure calls, so garbage "parses" as several
      // statements; one split statement read as many is a refusal.
      const ast = parser.astify(sql, { database: "TransactSQL" });
      if (Array.isArray(ast) && ast.length > 1)
        throw Object.assign(new Error("read as several statements"), { found: "text read as several statements" });
    },
  ];
}

export const SQLSERVER_RISK = preparedRisk({
  engine: "sqlserver",
  engineName: "SQL Server",
  dialect: sqlServerDialect,
  lex: { mysql: false, mariadb: false, hashNames: true, nestedComments: true },
  expr: { pipesConcat: false, multiWordTypes: false },
  prepare: prepareSqlServer,
  rules: SQLSERVER_RULES,
  /** Words a T-SQL statement can start with. */
  statementWords: new Set(
    (
      "ADD ALTER BACKUP BEGIN BREAK BULK CHECKPOINT CLOSE COMMIT CONTINUE CREATE DBCC DEALLOCATE DECLARE DELETE DENY " +
      "DISABLE DROP ELSE ENABLE END EXEC EXECUTE FETCH GOTO GRANT IF INSERT KILL MERGE OPEN PRINT RAISERROR READTEXT " +
      "RECONFIGURE RESTORE RETURN REVERT REVOKE ROLLBACK SAVE SELECT SET SETUSER SHUTDOWN THROW TRUNCATE UPDATE " +
      "UPDATETEXT USE WAITFOR WHILE WITH WRITETEXT"
    ).split(" "),
  ),
  parser: tsqlParser,
});
