// ClickHouse dialect: quoting and statement splitting as clickhouse-client --multiquery splits a script.
//
// Decisions:
// - '…' strings take backslash escapes and doubled quotes; "…" and `…` identifiers too.
// - -- and /* */ comments; /* */ does not nest. There are no procedural blocks: ";" outside
//   parentheses always ends a statement.
// - ownSegment is always false: ClickHouse has no transactions, every statement stands alone.

import {
  C,
  isDigit,
  isIdentStart,
  type Lexed,
  type Opener,
  quoteIdentWith,
  type SigToken,
  type StatementAnalyzer,
  scanBlockComment,
  scanLineComment,
  scanQuoted,
  scanWord,
  splitSql,
  token,
  unclosed,
} from "../sql/index.ts";
import type { Dialect, SplitOptions } from "../types.ts";

function lexClickHouse(src: string, pos: number, delimiter: string): Lexed {
  const c = src.charCodeAt(pos);
  const next = src.charCodeAt(pos + 1);
  if (c === C.dash && next === C.dash) return token("comment", pos, scanLineComment(src, pos));
  if (c === C.slash && next === C.star) {
    const end = scanBlockComment(src, pos, false);
    return end < 0 ? unclosed("unclosed_comment", "unclosed block comment", pos) : token("comment", pos, end);
  }
  if (c === C.squote) {
    const end = scanQuoted(src, pos, c, true);
    return end < 0 ? unclosed("unclosed_quote", "unclosed string literal", pos) : token("quoted", pos, end);
  }
  if (c === C.dquote || c === C.backtick) {
    const end = scanQuoted(src, pos, c, true);
    return end < 0 ? unclosed("unclosed_identifier", "unclosed quoted identifier", pos) : token("quoted", pos, end);
  }
  if (isIdentStart(c) || isDigit(c) || c === C.dollar) return token("word", pos, scanWord(src, pos, true, delimiter));
  return token("punct", pos, pos + 1);
}

function clickHouseAnalyzer(): StatementAnalyzer {
  let parens = 0;
  let first = -1;
  return {
    feed(tok: SigToken): void {
      if (first < 0) first = tok.start;
      if (tok.upper === "(") parens++;
      else if (tok.upper === ")" && parens > 0) parens--;
    },
    semicolonEnds: () => parens === 0,
    unclosed: (): Opener | null =>
      parens > 0 ? { offset: Math.max(0, first), what: "unclosed parenthesis in the statement" } : null,
    ownSegment: () => false,
  };
}

const LITERAL_ESCAPES: Record<string, string> = { "\\": "\\\\", "'": "\\'", "\0": "\\0", "\n": "\\n", "\r": "\\r" };

const spec = { lex: lexClickHouse, analyzer: clickHouseAnalyzer };

export const clickHouseDialect = {
  quoteIdent: (name: string): string => quoteIdentWith(name, "`"),
  /** Backslash is an escape in ClickHouse strings, so it is escaped as well as the quote. */
  quoteLiteral: (value: string): string => `'${value.replace(/[\\'\0\n\r]/g, (ch) => LITERAL_ESCAPES[ch] ?? ch)}'`,
  split: (sql: string, opts?: SplitOptions) => splitSql(sql, spec, opts),
} satisfies Dialect;
