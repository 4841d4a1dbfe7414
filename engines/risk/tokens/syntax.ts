// Is a statement valid for its engine, as far as the token-level engines can tell? node-sql-parser
// (an engine's grammar build, loaded lazily by the engine) where it parses; where it refuses or no
// build exists, the token reader decides: a statement it reads to the end is analysed by the rules,
// one whose first word starts no statement is a syntax error, and one it cannot place is a syntax
// error when a parser refused it too, or "not fully checked" when there is no parser to ask.
import { parenProblem } from "./cursor.ts";
import type { Tok } from "./lex.ts";
import type { ReadResult } from "./read.ts";

export type Astify = (sql: string) => void;

export interface SyntaxVerdict {
  check: "syntax-error" | "unbalanced-parens" | "raw-sql-unchecked";
  at: number;
  message: string;
  hint: string;
}

/** Offset (in the statement text) where node-sql-parser stopped, or undefined when one build accepts it. */
/** node-sql-parser takes seconds on statements of hundreds of kilobytes; those are read by tokens only. */
const MAX_PARSED_CHARS = 20_000;

export function parserRefusal(
  astify: readonly Astify[],
  text: string,
): { offset: number; message: string } | undefined {
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

/**
 * `refusal`: where the engine's parser stopped, undefined when it accepted the statement, or "none"
 * when the engine has no parser here (the reader alone decides, and never calls its own gaps syntax
 * errors). `alwaysFirstWord`: check the first word even when the parser accepted the statement (a
 * grammar that takes any word as a procedure call).
 */
export function syntaxVerdict(opts: {
  toks: readonly Tok[];
  read: ReadResult;
  refusal: { offset: number; message: string } | undefined | "none";
  start: number;
  engineName: string;
  statementWords: ReadonlySet<string>;
  alwaysFirstWord?: boolean;
}): SyntaxVerdict | undefined {
  const { toks, read, refusal, start, engineName } = opts;
  const parens = parenProblem(toks, start);
  if (parens !== undefined) return parens;
  if (refusal === undefined && opts.alwaysFirstWord !== true) return undefined;
  const first = toks[0];
  if (first === undefined) return undefined;
  const readerProblem = read.problems[0];
  if (first.kind !== "word" || !opts.statementWords.has(first.upper)) {
    return {
      check: "syntax-error",
      at: first.start,
      message: `${engineName} has no statement starting with ${first.text}`,
      hint: "fix the statement; the server would reject it and stop the migration here",
    };
  }
  if (refusal === undefined) return undefined;
  if (readerProblem !== undefined && refusal === "none") {
    return {
      check: "raw-sql-unchecked",
      at: readerProblem.pos,
      message: `${readerProblem.message}: the statement was read only up to there, the rest of it was not checked`,
      hint: "review this statement by hand",
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
  if (read.stmt.kind !== "other" || refusal === "none") return undefined;
  return {
    check: "raw-sql-unchecked",
    at: start + refusal.offset,
    message: `the SQL parser cannot read this ${first.upper} statement (${refusal.message}); only its keywords were checked`,
    hint: "review this statement by hand",
  };
}
