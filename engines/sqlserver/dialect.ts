// SQL Server dialect: quoting and statement splitting as sqlcmd and SSMS split a script.
//
// Decisions:
// - A line holding only `GO` (optionally `GO n` and a -- comment) ends the batch and the statement
//   in progress; it is not itself a statement. Inside a string or a comment it is text.
// - '…' strings double their quotes (N'…' is the word N before one); "…" and […] identifiers double
//   their closing quote. -- line comments; /* */ comments nest, as T-SQL reads them.
// - CREATE [OR ALTER] / ALTER PROCEDURE|PROC|FUNCTION|TRIGGER|VIEW must be alone in its batch: its
//   body runs to the next GO, ";" included.
// - Elsewhere ";" ends a statement except inside BEGIN … END (not BEGIN TRAN[SACTION], BEGIN
//   DISTRIBUTED, BEGIN DIALOG) or CASE … END, and inside parentheses.
// - T-SQL's terminator is optional: outside blocks and parentheses, a statement keyword that is the
//   first word on its line starts the next statement (CREATE, GRANT, PRINT, DECLARE, EXEC, …), except
//   where it continues the one in progress: ALTER/DROP COLUMN or CONSTRAINT inside ALTER TABLE,
//   SELECT after INSERT/UNION or in a CTE or view, SET after UPDATE or ALTER, INSERT/UPDATE/DELETE
//   in MERGE, EXEC as INSERT's source, and the one statement that is the body of IF, WHILE or ELSE.
// - ownSegment: ALTER DATABASE, BACKUP/RESTORE, CREATE/DROP DATABASE and full-text catalogs cannot
//   run inside a user transaction.

import {
  C,
  comments,
  composeDialect,
  composeLexer,
  nulFreeLiteral,
  type Opener,
  parenDepth,
  quotes,
  type SigToken,
  type StatementAnalyzer,
  separatorLine,
  words,
} from "../sql/index.ts";

/** End (exclusive) of a […] identifier opened at `pos` ("]]" stands for "]"), or -1. */
export function scanBracket(src: string, pos: number): number {
  let i = pos + 1;
  for (;;) {
    const j = src.indexOf("]", i);
    if (j < 0) return -1;
    if (src.charCodeAt(j + 1) !== C.rbracket) return j + 1;
    i = j + 2;
  }
}

const lexSqlServer = composeLexer(
  comments(true),
  quotes(
    { open: C.squote, kind: "string" },
    { open: C.dquote, kind: "identifier" },
    { open: C.lbracket, kind: "identifier", scan: scanBracket },
  ),
  // @variables, @@globals, #temp and ##global temp tables are words.
  words({ dollar: true, extraStart: [C.dollar, 64, C.hash] }),
);

const BATCH_OBJECTS = new Set(["PROCEDURE", "PROC", "FUNCTION", "TRIGGER", "VIEW"]);
/** Words that start a T-SQL statement. */
const STARTERS = new Set(
  (
    "ALTER BEGIN CREATE DECLARE DELETE DENY DROP EXEC EXECUTE GRANT IF INSERT MERGE PRINT RAISERROR RETURN REVOKE " +
    "SELECT SET THROW TRUNCATE UPDATE USE WHILE"
  ).split(" "),
);
/** After ALTER or DROP inside ALTER TABLE, these words continue it. */
const TABLE_PARTS = new Set(["COLUMN", "CONSTRAINT", "INDEX", "PERIOD", "CHECK", "NOCHECK"]);

function nextWord(src: string, from: number): string {
  return /^\s*([A-Za-z_]+)/.exec(src.slice(from, from + 64))?.[1]?.toUpperCase() ?? "";
}
const NOT_BLOCK = new Set(["TRAN", "TRANSACTION", "DISTRIBUTED", "DIALOG", "CONVERSATION"]);
const OWN_SEGMENT = /^(ALTER DATABASE|CREATE DATABASE|DROP DATABASE|BACKUP|RESTORE|CREATE FULLTEXT|DROP FULLTEXT)/;

function sqlServerAnalyzer(): StatementAnalyzer {
  const words: string[] = [];
  let wholeBatch = false;
  let parens = 0;
  const blocks: Array<{ offset: number; word: string }> = [];
  let pendingBegin: number | undefined;
  let count = 0;
  let prev = "";
  /** IF, WHILE and ELSE take one statement as their body. */
  let bodyPending = 0;
  return {
    feed(tok: SigToken): void {
      count++;
      if (count === 1 && (tok.upper === "IF" || tok.upper === "WHILE")) bodyPending = 1;
      else if (tok.upper === "ELSE" && blocks.length === 0 && parens === 0) bodyPending = 1;
      else if (bodyPending > 0 && tok.kind === "word" && STARTERS.has(tok.upper) && parens === 0) bodyPending--;
      prev = tok.upper;
      if (words.length < 4 && tok.kind === "word") {
        words.push(tok.upper);
        const head = words.join(" ").replace(/^CREATE OR ALTER /, "CREATE ");
        const m = /^(CREATE|ALTER) (\w+)/.exec(head);
        if (m !== null && BATCH_OBJECTS.has(m[2] ?? "")) wholeBatch = true;
      }
      if (pendingBegin !== undefined) {
        if (!NOT_BLOCK.has(tok.upper)) blocks.push({ offset: pendingBegin, word: "BEGIN" });
        pendingBegin = undefined;
      }
      if (tok.kind === "word") {
        if (tok.upper === "BEGIN") pendingBegin = tok.start;
        else if (tok.upper === "CASE") blocks.push({ offset: tok.start, word: "CASE" });
        else if (tok.upper === "END") blocks.pop();
      } else parens = parenDepth(parens, tok);
    },
    semicolonEnds: () => !wholeBatch && blocks.length === 0 && parens === 0,
    unclosed(): Opener | null {
      const b = blocks.at(-1);
      if (b !== undefined) return { offset: b.offset, what: `unclosed ${b.word} … END block` };
      return null;
    },
    ownSegment: () => OWN_SEGMENT.test(words.join(" ")),
    startsStatement(tok: SigToken, src: string): boolean {
      if (tok.kind !== "word" || !STARTERS.has(tok.upper) || wholeBatch || blocks.length > 0 || parens > 0)
        return false;
      if (pendingBegin !== undefined || bodyPending > 0) return false;
      const [first = "", second = ""] = words;
      switch (tok.upper) {
        case "ALTER":
        case "DROP":
          return !(first === "ALTER" && second === "TABLE" && TABLE_PARTS.has(nextWord(src, tok.end)));
        case "INSERT":
        case "UPDATE":
        case "DELETE":
          return first !== "MERGE";
        case "SELECT":
          return (
            !["INSERT", "WITH", "CREATE", "ALTER"].includes(first) &&
            !["UNION", "ALL", "EXCEPT", "INTERSECT"].includes(prev)
          );
        case "SET":
          return !["UPDATE", "MERGE", "ALTER"].includes(first);
        case "EXEC":
        case "EXECUTE":
          return first !== "INSERT";
        case "BEGIN":
          // END TRY is followed by its BEGIN CATCH.
          return prev !== "TRY";
        default:
          return true;
      }
    },
  };
}

const spec = {
  lex: lexSqlServer,
  analyzer: sqlServerAnalyzer,
  separator: (src: string, pos: number) =>
    src.charCodeAt(pos) === 71 || src.charCodeAt(pos) === 103 ? separatorLine(src, pos, "GO", true) : -1,
};

export const sqlServerDialect = composeDialect({
  open: "[",
  quote: "]",
  /** N'…': NVARCHAR, so text outside the database's code page survives. */
  literal: (value: string): string => `N${nulFreeLiteral(value)}`,
  spec,
});
