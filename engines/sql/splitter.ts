// The one statement splitter: a single forward pass driven by a dialect's lexer and per-statement
// analyzer. Dialects supply only what differs (tokens, block rules, own-segment rules).

import type { Position, SplitOptions, SplitResult, SqlProblem, SqlProblemCode, Statement } from "../types.ts";
import { C, isSpace, type Lexer } from "./lexer.ts";
import { createLocator } from "./locator.ts";

/** A token that belongs to a statement, as an analyzer sees it. */
export interface SigToken {
  readonly kind: "word" | "quoted" | "punct" | "opaque";
  readonly start: number;
  readonly end: number;
  /** Words upper-cased, punctuation as its character, "" for quoted and opaque tokens. */
  readonly upper: string;
  /** The code of the token's first character (a punctuation token's character). */
  readonly code: number;
  /** Whether this is the word `keyword` (upper-case ASCII), in any case, without making `upper`. */
  is(keyword: string): boolean;
}

/** Something still open at the end of input, for the problem report. */
export interface Opener {
  offset: number;
  /** Start of the problem message, e.g. "unclosed BEGIN … END block". */
  what: string;
}

/** Follows one statement's tokens; a fresh one is made for every statement. */
export interface StatementAnalyzer {
  feed(tok: SigToken): void;
  /** Whether a ";" here ends the statement (not inside a BEGIN … END body or parentheses). */
  semicolonEnds(): boolean;
  /** The innermost block still open, or null. */
  unclosed(): Opener | null;
  /** Asked once the statement is complete. */
  ownSegment(): boolean;
  /**
   * Whether `tok`, the first token on its line, starts the next statement although no ";" came
   * (T-SQL's optional terminator). Absent: only ";" and separator lines end statements.
   */
  startsStatement?(tok: SigToken, src: string): boolean;
}

export interface SplitSpec {
  lex: Lexer;
  analyzer(): StatementAnalyzer;
  /** The mysql client's `DELIMITER x` command line is understood. */
  delimiterCommand?: boolean;
  /**
   * A client's batch separator line at `pos` (T-SQL `GO`, SQL*Plus `/`): the offset just past it, or
   * -1. It ends the statement in progress, whatever blocks are open, and is not itself a statement.
   */
  separator?(src: string, pos: number): number;
}

export function splitSql(src: string, spec: SplitSpec, opts: SplitOptions = {}): SplitResult {
  const lineShift = (opts.firstLine ?? 1) - 1;
  const locate = createLocator(src);
  const statements: Statement[] = [];
  const problems: SqlProblem[] = [];
  const at = (offset: number): Position => {
    const p = locate(offset);
    return { line: p.line + lineShift, column: p.column, offset };
  };
  const problem = (code: SqlProblemCode, offset: number, message: (where: string) => string): SplitResult => {
    const p = at(offset);
    problems.push({ code, message: message(`${p.line}:${p.column}`), line: p.line, column: p.column });
    return { statements, problems };
  };

  let delimiter = ";";
  let analyzer: StatementAnalyzer | null = null;
  let start = 0;
  let end = 0;
  const onStatement = opts.onStatement;
  const firstIndex = opts.resume?.index ?? 1;
  const finish = (a: StatementAnalyzer): void => {
    const statement: Statement = {
      index: firstIndex + statements.length,
      text: src.slice(start, end),
      start: at(start),
      endOffset: end,
      ownSegment: a.ownSegment(),
    };
    statements.push(statement);
    analyzer = null;
    onStatement?.(statement);
  };

  const n = src.length;
  let pos = opts.resume?.offset ?? (src.charCodeAt(0) === 0xfeff ? 1 : 0);
  while (pos < n) {
    const c = src.charCodeAt(pos);
    if (isSpace(c)) {
      pos++;
      continue;
    }
    const atDelimiter =
      delimiter === ";" ? c === C.semi : c === delimiter.charCodeAt(0) && src.startsWith(delimiter, pos);
    if (atDelimiter && (analyzer === null || delimiter !== ";" || analyzer.semicolonEnds())) {
      if (analyzer !== null) finish(analyzer);
      pos += delimiter.length;
      continue;
    }
    const after = spec.separator === undefined ? -1 : spec.separator(src, pos);
    if (after >= 0) {
      if (analyzer !== null) finish(analyzer);
      pos = after;
      continue;
    }
    const tok = spec.lex(src, pos, delimiter);
    if (tok.kind === "unclosed") {
      return problem(tok.code, tok.start, (where) => `${tok.what} opened at ${where}`);
    }
    pos = tok.end;
    if (tok.kind === "comment") continue;
    // The lexed token itself: `upper` is made from `src` if an analyzer reads it.
    tok.src = src;
    const sig = tok as SigToken;
    if (analyzer?.startsStatement !== undefined && firstOnLine(src, sig.start) && analyzer.startsStatement(sig, src)) {
      finish(analyzer);
    }
    if (analyzer === null) {
      if (spec.delimiterCommand && sig.upper === "DELIMITER") {
        const lineEnd = endOfLine(src, pos);
        const arg = firstWord(src.slice(pos, lineEnd));
        if (arg === "") {
          return problem("bad_delimiter", sig.start, (where) => `DELIMITER at ${where} needs an argument`);
        }
        if (arg.includes("\\")) {
          return problem("bad_delimiter", sig.start, (where) => `DELIMITER at ${where} must not contain a backslash`);
        }
        delimiter = arg;
        pos = lineEnd;
        continue;
      }
      analyzer = spec.analyzer();
      start = sig.start;
    }
    analyzer.feed(sig);
    end = sig.end;
  }
  if (analyzer !== null) {
    const open = delimiter === ";" ? (analyzer as StatementAnalyzer).unclosed() : null;
    if (open !== null) return problem("unclosed_block", open.offset, (where) => `${open.what} opened at ${where}`);
    finish(analyzer);
  }
  return { statements, problems };
}

function firstOnLine(src: string, pos: number): boolean {
  for (let i = pos - 1; i >= 0; i--) {
    const c = src.charCodeAt(i);
    if (c === C.lf || c === C.cr) return true;
    if (c !== C.space && c !== C.tab) return false;
  }
  return true;
}

function endOfLine(src: string, pos: number): number {
  let i = pos;
  while (i < src.length && src.charCodeAt(i) !== C.lf && src.charCodeAt(i) !== C.cr) i++;
  return i;
}

function firstWord(text: string): string {
  let i = 0;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  let j = i;
  while (j < text.length && !isSpace(text.charCodeAt(j))) j++;
  return text.slice(i, j);
}

/**
 * Whether `word` (case-insensitive) stands alone on its line at `pos`: only blanks before it on the
 * line, and after it only blanks, digits (`GO 5`) when `count` allows them, a `--` comment, or the
 * line end. Returns the offset of the line end, or -1.
 */
export function separatorLine(src: string, pos: number, word: string, count: boolean): number {
  for (let i = pos - 1; i >= 0; i--) {
    const c = src.charCodeAt(i);
    if (c === C.lf || c === C.cr) break;
    if (c !== C.space && c !== C.tab) return -1;
  }
  if (src.slice(pos, pos + word.length).toUpperCase() !== word) return -1;
  let i = pos + word.length;
  while (src.charCodeAt(i) === C.space || src.charCodeAt(i) === C.tab) i++;
  if (count) while (src.charCodeAt(i) >= 48 && src.charCodeAt(i) <= 57) i++;
  while (src.charCodeAt(i) === C.space || src.charCodeAt(i) === C.tab) i++;
  if (src.startsWith("--", i)) i = endOfLine(src, i);
  return i >= src.length || src.charCodeAt(i) === C.lf || src.charCodeAt(i) === C.cr ? i : -1;
}
