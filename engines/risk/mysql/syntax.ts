// Is a statement valid MySQL/MariaDB? node-sql-parser (the engine's grammar build, loaded lazily)
// where it parses; where it refuses, the token reader decides: a statement it reads to the end is
// analysed by the token rules, one it cannot place is a syntax error, and a statement kind it does
// not read in depth (routines, grants, …) is reported as not fully checked. Never silently passes.
import { parenProblem } from "../tokens/cursor.ts";
import type { Tok } from "../tokens/lex.ts";
import type { ReadResult } from "../tokens/read.ts";

type Astify = (sql: string) => void;

export interface SyntaxVerdict {
  check: "syntax-error" | "unbalanced-parens" | "raw-sql-unchecked";
  at: number;
  message: string;
  hint: string;
}

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

/** Offset (in the statement text) where node-sql-parser stopped, or undefined when one build accepts it. */
/** node-sql-parser takes seconds on statements of hundreds of kilobytes; those are read by tokens only. */
const MAX_PARSED_CHARS = 20_000;

export function parserRefusal(astify: Astify[], text: string): { offset: number; message: string } | undefined {
  if (text.length > MAX_PARSED_CHARS) return { offset: 0, message: `longer than ${MAX_PARSED_CHARS} characters` };
  let first: { offset: number; message: string } | undefined;
  for (const parse of astify) {
    try {
      parse(text);
      return undefined;
    } catch (err) {
      // The grammar reports bad SQL by throwing; it becomes a value here and nowhere else.
      const loc = err instanceof Error ? Reflect.get(err, "location") : undefined;
      const offset =
        typeof loc === "object" && loc !== null ? Number(Reflect.get(Reflect.get(loc, "start") ?? {}, "offset")) : 0;
      const found = err instanceof Error ? Reflect.get(err, "found") : undefined;
      first ??= {
        offset: Number.isFinite(offset) ? offset : 0,
        message:
          found === null || found === undefined ? "unexpected end of statement" : `unexpected ${JSON.stringify(found)}`,
      };
    }
  }
  return first;
}

export function syntaxVerdict(opts: {
  toks: readonly Tok[];
  read: ReadResult;
  refusal: { offset: number; message: string } | undefined;
  start: number;
  engineName: string;
}): SyntaxVerdict | undefined {
  const { toks, read, refusal, start, engineName } = opts;
  const parens = parenProblem(toks, start);
  if (parens !== undefined) return parens;
  if (refusal === undefined) return undefined;
  const first = toks[0];
  if (first === undefined) return undefined;
  const readerProblem = read.problems[0];
  if (first.kind !== "word" || !STATEMENT_WORDS.has(first.upper)) {
    return {
      check: "syntax-error",
      at: first.start,
      message: `${engineName} has no statement starting with ${first.text}`,
      hint: "fix the statement; the server would reject it and stop the migration here",
    };
  }
  if (readerProblem !== undefined) {
    return {
      check: "syntax-error",
      at: readerProblem.pos,
      message: `${engineName} cannot parse this statement: ${readerProblem.message}`,
      hint: "fix the statement; the server would reject it and stop the migration here",
    };
  }
  if (read.stmt.kind !== "other") return undefined;
  return {
    check: "raw-sql-unchecked",
    at: start + refusal.offset,
    message: `the SQL parser cannot read this ${first.upper} statement (${refusal.message}); only its keywords were checked`,
    hint: "review this statement by hand",
  };
}
