// Is a statement valid MySQL/MariaDB? node-sql-parser (the engine's grammar build, loaded lazily)
// where it parses; where it refuses, the token reader decides: a statement it reads to the end is
// analysed by the token rules, one it cannot place is a syntax error, and a statement kind it does
// not read in depth (routines, grants, …) is reported as not fully checked. Never silently passes.
import type { Tok } from "../tokens/lex.ts";
import type { ReadResult } from "../tokens/read.ts";
import { type Astify, parserRefusal, type SyntaxVerdict, syntaxVerdict as tokenVerdict } from "../tokens/syntax.ts";

export { parserRefusal };

/** Statement keywords of MySQL and MariaDB: a statement that starts with anything else cannot run. */
const STATEMENT_WORDS = new Set(
  (
    "ALTER ANALYZE BEGIN BINLOG CACHE CALL CHANGE CHECK CHECKSUM COMMIT CREATE DEALLOCATE DECLARE DELETE DELIMITER DESC " +
    "DESCRIBE DO DROP END EXECUTE EXPLAIN FLUSH GET GRANT HANDLER HELP IF INSERT INSTALL ITERATE KILL LEAVE LOAD LOCK " +
    "LOOP OPTIMIZE PREPARE PURGE RELEASE RENAME REPAIR REPEAT REPLACE RESET RESIGNAL RETURN REVOKE ROLLBACK SAVEPOINT " +
    "SELECT SET SHOW SHUTDOWN SIGNAL START STOP TABLE TRUNCATE UNINSTALL UNLOCK UPDATE USE VALUES WHILE WITH XA BACKUP " +
    "CLONE IMPORT RESTART CASE FOR"
  ).split(" "),
);

let parsers: Map<string, Astify[]> | undefined;

/** node-sql-parser's per-dialect builds (~0.3 MB each, not the 2.5 MB all-dialect bundle). */
export async function loadParsers(engine: "mysql" | "mariadb"): Promise<Astify[]> {
  parsers ??= new Map();
  const found = parsers.get(engine);
  if (found !== undefined) return found;
  const mysql = await import("node-sql-parser/build/mysql");
  const list: Astify[] = [];
  if (engine === "mariadb") {
    // MariaDB's grammar build refuses some MariaDB statements the MySQL one reads (DELETE … LIMIT,
    // ON DELETE in ALTER TABLE): either accepting is enough.
    const maria = await import("node-sql-parser/build/mariadb");
    const p = new maria.Parser();
    list.push((sql) => p.astify(sql, { database: "MariaDB" }));
  }
  const p = new mysql.Parser();
  list.push((sql) => p.astify(sql, { database: "MySQL" }));
  parsers.set(engine, list);
  return list;
}

export function syntaxVerdict(opts: {
  toks: readonly Tok[];
  read: ReadResult;
  refusal: { offset: number; message: string } | undefined;
  start: number;
  engineName: string;
}): SyntaxVerdict | undefined {
  return tokenVerdict({ ...opts, statementWords: STATEMENT_WORDS });
}
