// Oracle dialect: quoting and statement splitting as SQL*Plus and SQLcl split a script.
//
// Decisions:
// - A line holding only `/` ends the statement in progress (SQL*Plus runs the buffer) and is not
//   itself a statement; inside a string or a comment it is text.
// - PL/SQL units (DECLARE or BEGIN blocks; CREATE [OR REPLACE] [[NON]EDITIONABLE] PROCEDURE,
//   FUNCTION, PACKAGE [BODY], TRIGGER, TYPE [BODY], LIBRARY) keep their ";": they end at the `/`
//   line (or the end of the file).
// - '…' strings double their quotes; q'[…]' alternative quoting (any delimiter, brackets pair up),
//   with N/n before it too. "…" identifiers. -- and /* */ comments; /* */ does not nest.
// - ownSegment is always false: Oracle commits before and after every DDL statement anyway.

import {
  C,
  isDigit,
  isIdentStart,
  type Lexed,
  type Opener,
  quoteIdentWith,
  rejectNulInLiteral,
  type SigToken,
  type StatementAnalyzer,
  scanBlockComment,
  scanLineComment,
  scanQuoted,
  scanWord,
  separatorLine,
  splitSql,
  standardLiteral,
  token,
  unclosed,
} from "../sql/index.ts";
import type { Dialect, SplitOptions } from "../types.ts";

const Q_CLOSE: Record<string, string> = { "[": "]", "{": "}", "(": ")", "<": ">" };

/** End (exclusive) of a q'X…X' literal whose q is at `pos`, or -1 when it never closes. */
export function scanQQuote(src: string, pos: number): number {
  const open = src.charAt(pos + 2);
  if (open === "" || /\s/.test(open)) return -1;
  const close = `${Q_CLOSE[open] ?? open}'`;
  const j = src.indexOf(close, pos + 3);
  return j < 0 ? -1 : j + 2;
}

/** Where a q-quote starts at `pos` (q' or nq'), the offset of its q; -1 otherwise. */
export function qQuoteAt(src: string, pos: number): number {
  const c = src.charCodeAt(pos) | 0x20;
  if (c === 113 /* q */ && src.charCodeAt(pos + 1) === C.squote) return pos;
  if (c === 110 /* n */ && (src.charCodeAt(pos + 1) | 0x20) === 113 && src.charCodeAt(pos + 2) === C.squote)
    return pos + 1;
  return -1;
}

function lexOracle(src: string, pos: number, delimiter: string): Lexed {
  const c = src.charCodeAt(pos);
  const next = src.charCodeAt(pos + 1);
  if (c === C.dash && next === C.dash) return token("comment", pos, scanLineComment(src, pos));
  if (c === C.slash && next === C.star) {
    const end = scanBlockComment(src, pos, false);
    return end < 0 ? unclosed("unclosed_comment", "unclosed block comment", pos) : token("comment", pos, end);
  }
  const q = qQuoteAt(src, pos);
  if (q >= 0) {
    const end = scanQQuote(src, q);
    return end < 0 ? unclosed("unclosed_quote", "unclosed q'…' literal", pos) : token("quoted", pos, end);
  }
  if (c === C.squote) {
    const end = scanQuoted(src, pos, c, false);
    return end < 0 ? unclosed("unclosed_quote", "unclosed string literal", pos) : token("quoted", pos, end);
  }
  if (c === C.dquote) {
    const end = scanQuoted(src, pos, c, false);
    return end < 0 ? unclosed("unclosed_identifier", "unclosed quoted identifier", pos) : token("quoted", pos, end);
  }
  if (isIdentStart(c) || isDigit(c)) {
    let end = scanWord(src, pos, true, delimiter);
    while (src.charCodeAt(end) === C.hash) end = scanWord(src, end, true, delimiter);
    return token("word", pos, end);
  }
  return token("punct", pos, pos + 1);
}

const PLSQL_OBJECTS = new Set(["PROCEDURE", "FUNCTION", "PACKAGE", "TRIGGER", "TYPE", "LIBRARY"]);
const CREATE_NOISE = new Set(["OR", "REPLACE", "EDITIONABLE", "NONEDITIONABLE"]);

function oracleAnalyzer(): StatementAnalyzer {
  let count = 0;
  let plsql = false;
  let decided = false;
  let first = "";
  let firstStart = 0;
  let parens = 0;
  return {
    feed(tok: SigToken): void {
      count++;
      if (count === 1) {
        first = tok.upper;
        firstStart = tok.start;
        if (first === "DECLARE" || first === "BEGIN") plsql = decided = true;
        else if (first !== "CREATE") decided = true;
      } else if (!decided && !CREATE_NOISE.has(tok.upper)) {
        plsql = PLSQL_OBJECTS.has(tok.upper);
        decided = true;
      }
      if (tok.upper === "(") parens++;
      else if (tok.upper === ")" && parens > 0) parens--;
    },
    semicolonEnds: () => !plsql && parens === 0,
    unclosed(): Opener | null {
      // A PL/SQL unit at the end of the file ends there, as SQLcl runs it.
      return parens > 0 && !plsql ? { offset: firstStart, what: "unclosed parenthesis in the statement" } : null;
    },
    ownSegment: () => false,
  };
}

const spec = {
  lex: lexOracle,
  analyzer: oracleAnalyzer,
  separator: (src: string, pos: number) => (src.charCodeAt(pos) === C.slash ? separatorLine(src, pos, "/", false) : -1),
};

export const oracleDialect = {
  quoteIdent: (name: string): string => quoteIdentWith(name, '"'),
  quoteLiteral: (value: string): string => {
    rejectNulInLiteral(value);
    return standardLiteral(value);
  },
  split: (sql: string, opts?: SplitOptions) => splitSql(sql, spec, opts),
} satisfies Dialect;
