// SQLite analysis: each split statement is read from its tokens (engines/risk/tokens) and compiled
// by SQLite itself for syntax (syntax.ts); table rebuilds (the way SQLite changes a column) are found
// across the script first; then the rules run with what the script did before each statement.
import type { Analyser } from "../analyser.ts";
import { CATALOG, type CheckId } from "../catalog.ts";
import type { Finding } from "../model.ts";
import { createScript, type FinishCtx, key, type Report, type TokenCtx } from "../tokens/context.ts";
import { lexStatement, type Tok } from "../tokens/lex.ts";
import type { Stmt } from "../tokens/model.ts";
import { readStatement } from "../tokens/read.ts";
import { applyEffects } from "../tokens/state.ts";
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
  const findings: Finding[][] = input.statements.map(() => []);
  const push = (statement: number, offset: number, check: CheckId, r: Report): void => {
    if (!input.enabled.has(check)) return;
    const p = input.text.position(offset);
    const finding: Finding = {
      check,
      level: r.level ?? CATALOG[check].level,
      message: r.message,
      line: p.line,
      column: p.column,
      hint: r.hint,
    };
    if (r.subject !== undefined) subjects.set(finding, r.subject);
    findings[statement]?.push(finding);
  };
  input.statements.forEach((st, i) => {
    const r = read[i];
    if (r === undefined || r.toks.length === 0) return;
    const verdict = syntaxVerdict(st.text, r.toks, st.start.offset);
    if (verdict !== undefined) {
      push(i, verdict.at, verdict.check, { message: verdict.message, hint: verdict.hint });
      return;
    }
    const ctx: TokenCtx = {
      engine: "sqlite",
      index: i,
      stmt: r.stmt,
      toks: r.toks,
      noTransaction: input.noTransaction,
      start: st.start.offset,
      text: st.text,
      script,
      report: (check, rep) => push(i, rep.at ?? st.start.offset, check, rep),
      existing: (table) => !script.created.has(key(table)),
    };
    for (const rule of SQLITE_RULES) rule.statement?.(ctx);
    applyEffects(ctx);
  });
  const finish: FinishCtx = { script, reportAt: push };
  for (const rule of SQLITE_RULES) rule.finish?.(finish);
  for (const list of findings) list.sort((a, b) => a.line - b.line || a.column - b.column);
  return findings;
};
