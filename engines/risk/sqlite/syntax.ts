// Is a statement valid SQLite? SQLite's own parser decides: the statement is prepared (compiled, not
// run) on an empty in-memory database of the bun:sqlite build, so a syntax error is SQLite's, with
// its message. Errors about missing objects are not syntax: the empty database has none.
import { Database } from "bun:sqlite";
import { parenProblem } from "../tokens/cursor.ts";
import type { Tok } from "../tokens/lex.ts";

export interface SyntaxVerdict {
  check: "syntax-error" | "unbalanced-parens";
  at: number;
  message: string;
  hint: string;
}

/** Errors that depend on what exists, or that a rule reports under its own check. */
const NOT_SYNTAX =
  /^(no such |unknown datatype|duplicate column name|object name reserved|there is already|table \S+ already exists|index \S+ already exists|table \S+ may not be modified)/i;

let scratch: Database | undefined;

export function syntaxVerdict(text: string, toks: readonly Tok[], start: number): SyntaxVerdict | undefined {
  const parens = parenProblem(toks, start);
  if (parens !== undefined) return parens;
  // TRUNCATE is reported by its own check (SQLite has no such statement).
  if (toks[0]?.upper === "TRUNCATE") return undefined;
  scratch ??= new Database(":memory:");
  try {
    scratch.prepare(text).finalize();
    return undefined;
  } catch (err) {
    // SQLite reports a statement it cannot compile by throwing; it becomes a value here.
    const message = err instanceof Error ? err.message : String(err);
    if (NOT_SYNTAX.test(message)) return undefined;
    const near = /near "([^"]*)"/.exec(message)?.[1];
    const at =
      near === undefined
        ? message.includes("incomplete input")
          ? (toks.at(-1)?.end ?? start)
          : start
        : (toks.find((t) => t.text === near || t.upper === near.toUpperCase())?.start ?? start);
    return {
      check: "syntax-error",
      at,
      message: `SQLite cannot compile this statement: ${message}`,
      hint: "fix the statement; SQLite would reject it and stop the migration here",
    };
  }
}
