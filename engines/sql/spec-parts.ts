// Parts the dialect specs are composed of: the lexer pieces most engines share (comments, quoted
// runs, words) and the parenthesis depth their analyzers follow. A dialect lists its parts in the
// order they are tried and writes only what is its own (dollar quotes, q'…', executable comments).

import type { Dialect, SplitOptions, SqlProblemCode } from "../types.ts";
import {
  C,
  isDigit,
  isIdentStart,
  type Lexed,
  type Lexer,
  scanBlockComment,
  scanLineComment,
  scanQuoted,
  scanWord,
  token,
  unclosed,
} from "./lexer.ts";
import { quoteIdentWith, rejectNulInLiteral, standardLiteral } from "./quote.ts";
import { type SigToken, type SplitSpec, splitSql } from "./splitter.ts";

/** One kind of token a lexer may find at `pos`: the token, or null when none of its kind starts there. */
export type LexPart = (src: string, pos: number, delimiter: string) => Lexed | null;

/** A lexer that tries its parts in order; a character no part takes is one punctuation token. */
export function composeLexer(...parts: LexPart[]): Lexer {
  return (src, pos, delimiter) => {
    // An index loop: the lexer runs once per token, mostly before the JIT has optimised it.
    for (let i = 0; i < parts.length; i++) {
      const tok = (parts[i] as LexPart)(src, pos, delimiter);
      if (tok !== null) return tok;
    }
    return token("punct", pos, pos + 1);
  };
}

/** `--` line comments and `/* … *\/` block comments; block comments nest where the engine nests them. */
export function comments(nested: boolean): LexPart {
  return (src, pos) => {
    const c = src.charCodeAt(pos);
    const next = src.charCodeAt(pos + 1);
    if (c === C.dash && next === C.dash) return token("comment", pos, scanLineComment(src, pos));
    if (c !== C.slash || next !== C.star) return null;
    const end = scanBlockComment(src, pos, nested);
    return end < 0 ? unclosed("unclosed_comment", "unclosed block comment", pos) : token("comment", pos, end);
  };
}

export interface QuoteRule {
  /** The opening character. */
  open: number;
  kind: "string" | "identifier";
  /** "\" escapes the next character (besides the doubled quote). */
  backslash?: boolean;
  /** The end of a run that does not close with its opening character (`[…]`), or -1. */
  scan?: (src: string, pos: number) => number;
}

const UNCLOSED: Record<QuoteRule["kind"], [SqlProblemCode, string]> = {
  string: ["unclosed_quote", "unclosed string literal"],
  identifier: ["unclosed_identifier", "unclosed quoted identifier"],
};

/**
 * The quoted run whose quote is at `quote`, as one token from `start` (before the quote when a prefix
 * such as E or U& leads it); unclosed when it never ends.
 */
export function quotedAt(src: string, start: number, quote: number, rule: Omit<QuoteRule, "open">): Lexed {
  const end = rule.scan
    ? rule.scan(src, quote)
    : scanQuoted(src, quote, src.charCodeAt(quote), rule.backslash === true);
  if (end >= 0) return token("quoted", start, end);
  const [code, what] = UNCLOSED[rule.kind];
  return unclosed(code, what, start);
}

/** Quoted runs: string literals and quoted identifiers, one rule per opening character. */
export function quotes(...rules: QuoteRule[]): LexPart {
  // Indexed by the opening character: one array read per token.
  const byOpen: Array<QuoteRule | undefined> = [];
  for (const r of rules) byOpen[r.open] = r;
  return (src, pos) => {
    const rule = byOpen[src.charCodeAt(pos)];
    return rule === undefined ? null : quotedAt(src, pos, pos, rule);
  };
}

/**
 * Words (keywords, identifiers, numbers): starting with a letter, "_", a non-ASCII character, a digit
 * or one of `extraStart`; "$" continues a word where `dollar`.
 */
export function words(o: { dollar: boolean; extraStart?: readonly number[] }): LexPart {
  const extra = o.extraStart ?? [];
  return (src, pos, delimiter) => {
    const c = src.charCodeAt(pos);
    if (!isIdentStart(c) && !isDigit(c) && !extra.includes(c)) return null;
    return token("word", pos, scanWord(src, pos, o.dollar, delimiter));
  };
}

/** `[…]` identifiers that end at the first "]" (SQLite), or -1. */
export function scanToBracket(src: string, pos: number): number {
  const j = src.indexOf("]", pos + 1);
  return j < 0 ? -1 : j + 1;
}

/** The parenthesis depth after `tok`; a stray ")" leaves it at 0. */
export function parenDepth(depth: number, tok: SigToken): number {
  if (tok.upper === "(") return depth + 1;
  return tok.upper === ")" && depth > 0 ? depth - 1 : depth;
}

/** A dialect: identifiers quoted with `quote` (the closing one, doubled inside), its literals, its splitter. */
export function composeDialect(o: {
  quote: string;
  open?: string;
  literal: (value: string) => string;
  spec: SplitSpec;
}) {
  return {
    quoteIdent: (name: string): string => {
      const quoted = quoteIdentWith(name, o.quote);
      return o.open === undefined ? quoted : o.open + quoted.slice(1);
    },
    quoteLiteral: o.literal,
    split: (sql: string, opts?: SplitOptions) => splitSql(sql, o.spec, opts),
  } satisfies Dialect;
}

/** A SQL-standard literal for engines whose text cannot hold a NUL byte. */
export function nulFreeLiteral(value: string): string {
  rejectNulInLiteral(value);
  return standardLiteral(value);
}
