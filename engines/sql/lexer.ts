// Token shapes and scanning helpers shared by the dialect lexers. Each helper walks forward once
// (indexOf or a char loop), so splitting stays linear in the input.

import type { SqlProblemCode } from "../types.ts";

/**
 * word: keyword, identifier or number; quoted: string literal or quoted identifier; punct: one
 * character; comment: skipped; opaque: text that belongs to the statement but is not looked into
 * (a dollar-quoted body, a MySQL executable comment).
 */
export type TokenKind = "word" | "quoted" | "punct" | "comment" | "opaque";

/**
 * A token. The splitter sets `src` on the tokens it keeps; `upper` (words upper-cased, punctuation as
 * its character, "" for the rest) is made on first read: most words are never asked (an analyzer
 * looks at a statement's first few), and upper-casing every word was a third of a split.
 */
export class Token {
  src = "";
  private upperText: string | undefined = undefined;
  constructor(
    readonly kind: TokenKind,
    readonly start: number,
    readonly end: number,
  ) {}

  get upper(): string {
    if (this.upperText === undefined) {
      this.upperText =
        this.kind === "word"
          ? this.src.slice(this.start, this.end).toUpperCase()
          : this.kind === "punct"
            ? this.src.charAt(this.start)
            : "";
    }
    return this.upperText;
  }

  /** Whether this is the word `keyword` (upper-case ASCII), in any case: no string is made. */
  is(keyword: string): boolean {
    if (this.kind !== "word" || this.end - this.start !== keyword.length) return false;
    for (let i = 0; i < keyword.length; i++) {
      const c = this.src.charCodeAt(this.start + i);
      if ((c >= 97 && c <= 122 ? c - 32 : c) !== keyword.charCodeAt(i)) return false;
    }
    return true;
  }

  /** The code of the token's first character (a punctuation token's character). */
  get code(): number {
    return this.src.charCodeAt(this.start);
  }
}

/** Something opened at `start` and never closed: the splitter reports it and stops there. */
export interface Unclosed {
  kind: "unclosed";
  code: SqlProblemCode;
  /** Start of the problem message, e.g. "unclosed string literal". */
  what: string;
  start: number;
}

export type Lexed = Token | Unclosed;

/** Reads the token at `pos` (never whitespace, never past the end). Words stop at `delimiter`. */
export type Lexer = (src: string, pos: number, delimiter: string) => Lexed;

export const C = {
  tab: 9,
  lf: 10,
  vt: 11,
  ff: 12,
  cr: 13,
  space: 32,
  bang: 33,
  dquote: 34,
  hash: 35,
  dollar: 36,
  amp: 38,
  squote: 39,
  lparen: 40,
  rparen: 41,
  star: 42,
  dash: 45,
  slash: 47,
  colon: 58,
  semi: 59,
  lbracket: 91,
  backslash: 92,
  rbracket: 93,
  backtick: 96,
} as const;

export function token(kind: TokenKind, start: number, end: number): Token {
  return new Token(kind, start, end);
}

export function unclosed(code: SqlProblemCode, what: string, start: number): Unclosed {
  return { kind: "unclosed", code, what, start };
}

export function isSpace(c: number): boolean {
  return c === C.space || (c >= C.tab && c <= C.cr);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Letters, "_" and every non-ASCII character (all three engines accept those in identifiers). */
export function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0x80;
}

export function isIdentPart(c: number, dollar: boolean): boolean {
  return isIdentStart(c) || isDigit(c) || (dollar && c === C.dollar);
}

/**
 * End of a word starting at `pos`. A custom MySQL delimiter ends a word (`END$$`), as the mysql
 * client sees it; ";" never appears inside a word, so it needs no check.
 */
export function scanWord(src: string, pos: number, dollar: boolean, delimiter: string): number {
  const d0 = delimiter === ";" ? -1 : delimiter.charCodeAt(0);
  let i = pos + 1;
  for (; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (!isIdentPart(c, dollar)) break;
    if (c === d0 && src.startsWith(delimiter, i)) break;
  }
  return i;
}

/**
 * End (exclusive) of a quoted run whose opening quote is at `pos`, or -1 when it never closes.
 * A doubled quote stands for itself; with `backslash`, "\" escapes the next character too.
 */
export function scanQuoted(src: string, pos: number, quote: number, backslash: boolean): number {
  const q = String.fromCharCode(quote);
  let i = pos + 1;
  if (!backslash) {
    for (;;) {
      const j = src.indexOf(q, i);
      if (j < 0) return -1;
      if (src.charCodeAt(j + 1) !== quote) return j + 1;
      i = j + 2;
    }
  }
  for (; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === C.backslash) {
      i++;
    } else if (c === quote) {
      if (src.charCodeAt(i + 1) !== quote) return i + 1;
      i++;
    }
  }
  return -1;
}

/** End of a line comment: the offset of the line break that ends it, or the end of input. */
export function scanLineComment(src: string, pos: number): number {
  let i = pos;
  for (; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === C.lf || c === C.cr) break;
  }
  return i;
}

/** End (exclusive) of a block comment opened at `pos`, or -1 when it never closes. */
export function scanBlockComment(src: string, pos: number, nested: boolean): number {
  if (!nested) {
    const j = src.indexOf("*/", pos + 2);
    return j < 0 ? -1 : j + 2;
  }
  let depth = 1;
  for (let i = pos + 2; i < src.length - 1; i++) {
    const c = src.charCodeAt(i);
    if (c === C.slash && src.charCodeAt(i + 1) === C.star) {
      depth++;
      i++;
    } else if (c === C.star && src.charCodeAt(i + 1) === C.slash) {
      depth--;
      i++;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
