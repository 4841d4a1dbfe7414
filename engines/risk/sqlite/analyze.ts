// SQLite analysis: each split statement is read from its tokens (engines/risk/tokens) and compiled
// by SQLite itself for syntax (syntax.ts); table rebuilds (the way SQLite changes a column) are found
// across the script first; then the rules run with what the script did before each statement.
import type { Analyser } from "../analyser.ts";
import { findingSink } from "../findings.ts";
import { createScript } from "../tokens/context.ts";
import { lexStatement, type Tok } from "../tokens/lex.ts";
import type { Stmt } from "../tokens/model.ts";
import { readStatement } from "../tokens/read.ts";
import { finishTokenRules, runTokenRules } from "../tokens/run.ts";
import { findRebuilds } from "./rebuild.ts";
import { SQLITE_RULES } from "./rules/index.ts";
import { syntaxVerdict } from "./syntax.ts";

export const FLAVOUR = { mysql: false, mariadb: false } as const;

export function readAll(
  statements: ReadonlyArray<{ text: string; start: { offset: number } }>,
): Array<{ toks: Tok[]; stmt: Stmt }> {
  return statements.map((st) => {
    const toks = lexStatement(st.text, st.start.offset, FLAVOUR);
    return { toks, stmt: readStatement(toks, { pipesConcat: true, multiWordTypes: true }).stmt };
  });
}

export const analyseSqlite: Analyser = (input, subjects) => {
  const script = createScript(input.schema, input.noTransaction);
  const read = readAll(input.statements);
  script.rebuilds = findRebuilds(read.map((r) => r.stmt));
  const sink = findingSink(input, subjects);
  input.statements.forEach((st, i) => {
    const r = read[i];
    if (r === undefined || r.toks.length === 0) return;
    const verdict = syntaxVerdict(st.text, r.toks, st.start.offset);
    if (verdict !== undefined) {
      sink.push(i, verdict.at, verdict.check, { message: verdict.message, hint: verdict.hint });
      return;
    }
    runTokenRules(SQLITE_RULES, {
      engine: "sqlite",
      index: i,
      stmt: r.stmt,
      toks: r.toks,
      st,
      noTransaction: input.noTransaction,
      script,
      sink,
    });
  });
  return finishTokenRules(SQLITE_RULES, script, sink);
};
