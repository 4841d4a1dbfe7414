// PostgreSQL dialect: quoting and statement splitting as psql splits a script.
//
// Decisions:
// - standard_conforming_strings is on (the default since 9.1): in '…' a backslash is an ordinary
//   character; E'…' strings take backslash escapes. U&'…' and U&"…" are plain quoted runs.
// - ";" inside parentheses does not end a statement (CREATE RULE … DO (…; …)), as in psql; an
//   unclosed "(" at the end is an unclosed_block problem.
// - CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END bodies keep their ";" (BEGIN and
//   CASE open, END closes, like psql).
// - psql meta-commands ("\connect", "\set") are not supported and not detected: the backslash is
//   ordinary text, so the server rejects the statement with a syntax error at its position.
// - ownSegment (cannot run inside a transaction block): CREATE/DROP INDEX CONCURRENTLY, REINDEX …
//   CONCURRENTLY and REINDEX SCHEMA|DATABASE|SYSTEM, VACUUM, CREATE/DROP DATABASE, ALTER DATABASE …
//   SET TABLESPACE, CREATE/DROP TABLESPACE, ALTER SYSTEM, CLUSTER without a table, ALTER TABLE …
//   DETACH PARTITION … CONCURRENTLY, CREATE/DROP SUBSCRIPTION, ALTER SUBSCRIPTION … PUBLICATION
//   changes, COMMIT/ROLLBACK PREPARED, DISCARD ALL. ALTER TYPE … ADD VALUE is NOT ownSegment: it
//   runs in a transaction since PostgreSQL 12 (older servers would need the no-transaction directive).

import {
  C,
  comments,
  composeDialect,
  composeLexer,
  isDigit,
  isIdentPart,
  isIdentStart,
  isSpace,
  type Lexed,
  type Opener,
  type QuoteRule,
  quotedAt,
  quotes,
  rejectNulInLiteral,
  type SigToken,
  type StatementAnalyzer,
  scanWord,
  standardLiteral,
  token,
  unclosed,
} from "../sql/index.ts";

/** Dollar quotes and parameters, E'…' and U&'…' strings, U&"…" identifiers, words and numbers. */
function postgresWords(src: string, pos: number, delimiter: string): Lexed | null {
  const c = src.charCodeAt(pos);
  const next = src.charCodeAt(pos + 1);
  if (c === C.dollar) return lexDollar(src, pos);
  if (isIdentStart(c)) {
    if ((c === 69 || c === 101) && next === C.squote) return quotedAt(src, pos, pos + 1, ESCAPE_STRING);
    if ((c === 85 || c === 117) && next === C.amp) {
      const q = src.charCodeAt(pos + 2);
      if (q === C.squote) return quotedAt(src, pos, pos + 2, STRING);
      if (q === C.dquote) return quotedAt(src, pos, pos + 2, IDENTIFIER);
    }
    return token("word", pos, scanWord(src, pos, true, delimiter));
  }
  if (isDigit(c)) return token("word", pos, scanWord(src, pos, false, delimiter));
  return null;
}

const STRING: QuoteRule = { open: C.squote, kind: "string" };
const ESCAPE_STRING: QuoteRule = { ...STRING, backslash: true };
const IDENTIFIER: QuoteRule = { open: C.dquote, kind: "identifier" };
const lexPostgres = composeLexer(comments(true), quotes(STRING, IDENTIFIER), postgresWords);

/** `$1` is a parameter, `$$` and `$tag$` open a body that ends at the same tag. */
function lexDollar(src: string, pos: number): Lexed {
  let i = pos + 1;
  const first = src.charCodeAt(i);
  if (isDigit(first)) {
    while (isDigit(src.charCodeAt(i))) i++;
    return token("word", pos, i);
  }
  if (first !== C.dollar) {
    if (!isIdentStart(first)) return token("punct", pos, pos + 1);
    while (i < src.length && isIdentPart(src.charCodeAt(i), false)) i++;
    if (src.charCodeAt(i) !== C.dollar) return token("punct", pos, pos + 1);
  }
  const tag = src.slice(pos, i + 1);
  const close = src.indexOf(tag, i + 1);
  if (close < 0) return unclosed("unclosed_dollar_quote", `unclosed dollar-quoted string ${tag}`, pos);
  return token("opaque", pos, close + tag.length);
}

/** Enough leading tokens for every own-segment rule (qualified names included). */
const HEAD = 32;

// Tokens, not their upper-case text: a token is upper-cased only when a rule reads it (the splitter
// makes `upper` on first read), and most statements are decided by their first word or two.
function postgresAnalyzer(): StatementAnalyzer {
  const head: SigToken[] = [];
  let count = 0;
  let last: SigToken | undefined;
  let routine = false;
  const parens: number[] = [];
  const blocks: Opener[] = [];
  return {
    feed(tok: SigToken): void {
      count++;
      if (head.length < HEAD) head.push(tok);
      last = tok;
      if (tok.kind === "punct") {
        if (tok.code === C.lparen) parens.push(tok.start);
        else if (tok.code === C.rparen) parens.pop();
        return;
      }
      if (tok.kind !== "word") return;
      if (!routine && count <= 4) routine = isRoutineHead(head);
      if (!routine) return;
      if (tok.upper === "BEGIN" || tok.upper === "CASE") {
        blocks.push({ offset: tok.start, what: `unclosed ${tok.upper} … END block` });
      } else if (tok.upper === "END") {
        blocks.pop();
      }
    },
    semicolonEnds: () => parens.length === 0 && blocks.length === 0,
    unclosed(): Opener | null {
      const paren = parens.at(-1);
      const block = blocks.at(-1);
      if (paren !== undefined && (block === undefined || paren > block.offset)) {
        return { offset: paren, what: "unclosed parenthesis" };
      }
      return block ?? null;
    },
    ownSegment: () => postgresOwnSegment(head, count, last),
  };
}

function isRoutineHead(h: readonly SigToken[]): boolean {
  if (h[0]?.is("CREATE") !== true) return false;
  const kind = h[1]?.is("OR") === true && h[2]?.is("REPLACE") === true ? h[3] : h[1];
  return kind !== undefined && (kind.is("FUNCTION") || kind.is("PROCEDURE"));
}

const DATABASE_LEVEL = ["DATABASE", "TABLESPACE", "SUBSCRIPTION"];

/** The first words postgresOwnSegment can answer yes for: any other statement runs in a transaction. */
const OWN_SEGMENT_FIRST = new Set([
  "VACUUM",
  "CREATE",
  "DROP",
  "REINDEX",
  "ALTER",
  "CLUSTER",
  "COMMIT",
  "ROLLBACK",
  "DISCARD",
]);

/** Tokens postgresOwnSegment reads (h[0] … h[4]), but for CLUSTER, REINDEX and ALTER TABLE. */
const SHORT_HEAD = 5;

/**
 * split()'s `ownSegment` for one statement found by other means (PostgreSQL's parser), its first
 * token at `start` and its last ending at `end`. Lexes only what postgresOwnSegment reads: the
 * first word, five tokens for most, all of them for CLUSTER, REINDEX and an ALTER TABLE that ends
 * in CONCURRENTLY.
 */
export function postgresOwnSegmentAt(src: string, start: number, end: number): boolean {
  const head: SigToken[] = [];
  let count = 0;
  let last: SigToken | undefined;
  let all = false;
  for (let pos = start; pos < end; ) {
    if (isSpace(src.charCodeAt(pos))) {
      pos++;
      continue;
    }
    const tok = lexPostgres(src, pos, ";");
    // Text the parser accepted has nothing unclosed; were it so, the tokens so far decide.
    if (tok.kind === "unclosed") break;
    pos = tok.end;
    if (tok.kind === "comment") continue;
    tok.src = src;
    const sig = tok as SigToken;
    count++;
    if (head.length < HEAD) head.push(sig);
    last = sig;
    if (count === 1 && !(sig.kind === "word" && OWN_SEGMENT_FIRST.has(sig.upper))) return false;
    if (count === 2) {
      const first = head[0] as SigToken;
      if (first.is("ALTER") && sig.is("TABLE")) {
        // Only a last word CONCURRENTLY (DETACH PARTITION … CONCURRENTLY) makes it one.
        if (src.slice(end - 12, end).toUpperCase() !== "CONCURRENTLY") return false;
        all = true;
      } else all = first.is("CLUSTER") || first.is("REINDEX");
    }
    if (!all && count === SHORT_HEAD) break;
  }
  return postgresOwnSegment(head, count, last);
}

/**
 * The end of the last token in src[start, limit) (a statement's text as PostgreSQL's parser bounds
 * it: up to its ";", comments and blanks before it included), as split() ends a statement. A
 * comment can only end the text if it ends in "*\/" or has "--" on its last line: only then is the
 * text lexed.
 */
export function postgresStatementEnd(src: string, start: number, limit: number): number {
  let end = limit;
  while (end > start && isSpace(src.charCodeAt(end - 1))) end--;
  let lineStart = end;
  let dash = false;
  for (; lineStart > start; lineStart--) {
    const c = src.charCodeAt(lineStart - 1);
    if (c === C.lf || c === C.cr) break;
    if (c === C.dash && src.charCodeAt(lineStart - 2) === C.dash && lineStart - 2 >= start) dash = true;
  }
  const blockEnd = end - 2 >= start && src.charCodeAt(end - 1) === C.slash && src.charCodeAt(end - 2) === C.star;
  if (!dash && !blockEnd) return end;
  let last = start;
  for (let pos = start; pos < limit; ) {
    if (isSpace(src.charCodeAt(pos))) {
      pos++;
      continue;
    }
    const tok = lexPostgres(src, pos, ";");
    if (tok.kind === "unclosed") return end;
    pos = tok.end;
    if (tok.kind !== "comment") last = tok.end;
  }
  return last;
}

/**
 * Works on tokens (comments and literals already set apart), so text in a string cannot fool it.
 * Keywords are compared with Token.is: ASCII case folding, as PostgreSQL folds keywords, and no
 * upper-cased copy of every statement's first words.
 */
function postgresOwnSegment(h: readonly SigToken[], count: number, last: SigToken | undefined): boolean {
  const is = (i: number, keyword: string): boolean => h[i]?.is(keyword) === true;
  const isAny = (i: number, keywords: readonly string[]): boolean => keywords.some((k) => is(i, k));
  if (is(0, "VACUUM")) return true;
  if (is(0, "CREATE")) {
    return (
      (is(1, "INDEX") && is(2, "CONCURRENTLY")) ||
      (is(1, "UNIQUE") && is(2, "INDEX") && is(3, "CONCURRENTLY")) ||
      isAny(1, DATABASE_LEVEL)
    );
  }
  if (is(0, "DROP")) return (is(1, "INDEX") && is(2, "CONCURRENTLY")) || isAny(1, DATABASE_LEVEL);
  if (is(0, "REINDEX")) return reindexOwnSegment(h);
  if (is(0, "ALTER")) {
    if (is(1, "SYSTEM")) return true;
    if (is(1, "DATABASE")) return is(3, "SET") && is(4, "TABLESPACE");
    if (is(1, "SUBSCRIPTION")) return isAny(3, ["REFRESH", "SET", "ADD", "DROP"]) && is(4, "PUBLICATION");
    if (is(1, "TABLE")) return last?.is("CONCURRENTLY") === true && hasPair(h, "DETACH", "PARTITION");
    return false;
  }
  if (is(0, "CLUSTER")) return clusterOwnSegment(h, count);
  if (is(0, "COMMIT") || is(0, "ROLLBACK")) return is(1, "PREPARED");
  if (is(0, "DISCARD")) return is(1, "ALL");
  return false;
}

/** REINDEX [(options)] kind [CONCURRENTLY] name: CONCURRENTLY in either place, or a multi-table kind. */
function reindexOwnSegment(h: readonly SigToken[]): boolean {
  let i = 1;
  if (h[1]?.upper === "(") {
    for (i = 2; i < h.length && h[i]?.upper !== ")"; i++) if (h[i]?.upper === "CONCURRENTLY") return true;
    i++;
  }
  const kind = h[i]?.upper;
  return kind === "SCHEMA" || kind === "DATABASE" || kind === "SYSTEM" || h[i + 1]?.upper === "CONCURRENTLY";
}

/** CLUSTER with no table (all previously clustered tables) cannot run in a transaction block. */
function clusterOwnSegment(h: readonly SigToken[], count: number): boolean {
  let i = 1;
  if (h[1]?.upper === "(") {
    while (i < h.length && h[i]?.upper !== ")") i++;
    i++;
  }
  const rest = count - i;
  return rest === 0 || (rest === 1 && h[i]?.upper === "VERBOSE");
}

function hasPair(h: readonly SigToken[], first: string, second: string): boolean {
  for (let i = 0; i + 1 < h.length; i++) if (h[i]?.upper === first && h[i + 1]?.upper === second) return true;
  return false;
}

const spec = { lex: lexPostgres, analyzer: postgresAnalyzer };

export const postgresDialect = composeDialect({
  quote: '"',
  /** A value with a backslash becomes E'…' so it reads the same whatever standard_conforming_strings is. */
  literal(value: string): string {
    rejectNulInLiteral(value);
    if (!value.includes("\\")) return standardLiteral(value);
    return `E'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
  },
  spec,
});
