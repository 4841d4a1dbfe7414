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
  type Unclosed,
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
    ownSegment: () =>
      postgresOwnSegment({ at: (i) => head[i], count: () => count, lastIs: (k) => last?.is(k) === true }),
  };
}

function isRoutineHead(h: readonly SigToken[]): boolean {
  if (h[0]?.is("CREATE") !== true) return false;
  const kind = h[1]?.is("OR") === true && h[2]?.is("REPLACE") === true ? h[3] : h[1];
  return kind !== undefined && (kind.is("FUNCTION") || kind.is("PROCEDURE"));
}

const DATABASE_LEVEL = ["DATABASE", "TABLESPACE", "SUBSCRIPTION"];

/** The first words postgresOwnSegment() can answer true for. */
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

/** A plain word (ASCII letters) ending where a word token ends, at the start of a text. */
const OWN_FIRST_WORD = /^[A-Za-z]+(?![A-Za-z0-9_$\u0080-\uffff])/;

/**
 * split()'s `ownSegment` for one statement found by other means (PostgreSQL's parser), its first
 * token at `start` and its last ending at `end`: the same rules over tokens lexed as they read them
 * (most statements are decided by their first word or two).
 */
export function postgresOwnSegmentAt(src: string, start: number, end: number): boolean {
  // Most statements' first word (UPDATE, INSERT, SELECT, COMMENT, …) is none the rules start with:
  // decided without lexing when the statement starts with a plain word.
  const word = OWN_FIRST_WORD.exec(src.slice(start, Math.min(end, start + 16)))?.[0];
  if (word !== undefined && !OWN_SEGMENT_FIRST.has(word.toUpperCase())) return false;
  const tokens: SigToken[] = [];
  let pos = start;
  const more = (): boolean => {
    const tok = pos < end ? significantAt(src, pos, end) : undefined;
    // Text the parser accepted has nothing unclosed; were it so, the tokens so far decide.
    if (tok === undefined || tok.kind === "unclosed") {
      pos = end;
      return false;
    }
    pos = tok.end;
    tokens.push(tok);
    return true;
  };
  return postgresOwnSegment({
    at(i) {
      if (i >= HEAD) return undefined;
      while (tokens.length <= i && more()) {}
      return tokens[i];
    },
    count() {
      while (more()) {}
      return tokens.length;
    },
    lastIs(keyword) {
      // The last token ends at `end`: only text ending in the keyword's letters needs lexing to the end.
      if (end - start < keyword.length) return false;
      for (let k = 0, at = end - keyword.length; k < keyword.length; k++) {
        const c = src.charCodeAt(at + k);
        if ((c >= 97 && c <= 122 ? c - 32 : c) !== keyword.charCodeAt(k)) return false;
      }
      while (more()) {}
      return tokens.at(-1)?.is(keyword) === true;
    },
  });
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
  // Native searches within the statement's own text (a cold character loop over every statement
  // of a long script costs milliseconds).
  const text = src.slice(start, end);
  const dash = text.indexOf("--", Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r")) + 1) >= 0;
  const blockEnd = end - 2 >= start && src.charCodeAt(end - 1) === C.slash && src.charCodeAt(end - 2) === C.star;
  if (!dash && !blockEnd) return end;
  let last = start;
  for (let tok = significantAt(src, start, limit); tok !== undefined; tok = significantAt(src, tok.end, limit)) {
    if (tok.kind === "unclosed") return end;
    last = tok.end;
  }
  return last;
}

/** The first token in src[pos, limit) that is not a comment (its `src` set), or what is unclosed. */
function significantAt(src: string, pos: number, limit: number): SigToken | Unclosed | undefined {
  while (pos < limit) {
    if (isSpace(src.charCodeAt(pos))) {
      pos++;
      continue;
    }
    const tok = lexPostgres(src, pos, ";");
    if (tok.kind === "unclosed") return tok;
    if (tok.kind !== "comment") {
      tok.src = src;
      return tok as SigToken;
    }
    pos = tok.end;
  }
  return undefined;
}

/** A statement's significant tokens as the own-segment rules read them. */
interface Head {
  /** The i-th token (0-based), for i below HEAD. */
  at(i: number): SigToken | undefined;
  count(): number;
  /** Whether the last token is the word `keyword` (upper-case ASCII). */
  lastIs(keyword: string): boolean;
}

/**
 * Works on tokens (comments and literals already set apart), so text in a string cannot fool it.
 * Keywords are compared with Token.is: ASCII case folding, as PostgreSQL folds keywords, and no
 * upper-cased copy of every statement's first words.
 */
function postgresOwnSegment(h: Head): boolean {
  const is = (i: number, keyword: string): boolean => h.at(i)?.is(keyword) === true;
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
    if (is(1, "TABLE")) return h.lastIs("CONCURRENTLY") && hasPair(h, "DETACH", "PARTITION");
    return false;
  }
  if (is(0, "CLUSTER")) return clusterOwnSegment(h);
  if (is(0, "COMMIT") || is(0, "ROLLBACK")) return is(1, "PREPARED");
  if (is(0, "DISCARD")) return is(1, "ALL");
  return false;
}

const isPunct = (tok: SigToken | undefined, code: number): boolean => tok?.kind === "punct" && tok.code === code;

/** REINDEX [(options)] kind [CONCURRENTLY] name: CONCURRENTLY in either place, or a multi-table kind. */
function reindexOwnSegment(h: Head): boolean {
  let i = 1;
  if (isPunct(h.at(1), C.lparen)) {
    for (i = 2; h.at(i) !== undefined && !isPunct(h.at(i), C.rparen); i++) if (h.at(i)?.is("CONCURRENTLY")) return true;
    i++;
  }
  const kind = h.at(i);
  return (
    kind?.is("SCHEMA") === true ||
    kind?.is("DATABASE") === true ||
    kind?.is("SYSTEM") === true ||
    h.at(i + 1)?.is("CONCURRENTLY") === true
  );
}

/** CLUSTER with no table (all previously clustered tables) cannot run in a transaction block. */
function clusterOwnSegment(h: Head): boolean {
  let i = 1;
  if (isPunct(h.at(1), C.lparen)) {
    while (h.at(i) !== undefined && !isPunct(h.at(i), C.rparen)) i++;
    i++;
  }
  const rest = h.count() - i;
  return rest === 0 || (rest === 1 && h.at(i)?.is("VERBOSE") === true);
}

function hasPair(h: Head, first: string, second: string): boolean {
  for (let i = 0; h.at(i + 1) !== undefined; i++) if (h.at(i)?.is(first) && h.at(i + 1)?.is(second)) return true;
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
