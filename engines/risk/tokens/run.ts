// The statement loop shared by the token-level analysers (MySQL/MariaDB, SQLite, SQL Server, Oracle, ClickHouse): build the
// statement's context, run the rules, then record what the statement did for those after it.
import type { FindingSink } from "../findings.ts";
import type { Finding } from "../model.ts";
import { type DialectNotes, type FinishCtx, key, type TokenCtx, type TokenRule, type TokenScript } from "./context.ts";
import type { Tok } from "./lex.ts";
import type { Stmt } from "./model.ts";
import { applyEffects } from "./state.ts";

export interface TokenStatement {
  engine: TokenCtx["engine"];
  index: number;
  stmt: Stmt;
  toks: readonly Tok[];
  /** The split statement: its text and where it starts in the file. */
  st: { text: string; start: { offset: number } };
  noTransaction: boolean;
  script: TokenScript;
  sink: FindingSink;
  notes?: DialectNotes;
}

export function runTokenRules(rules: readonly TokenRule[], s: TokenStatement): void {
  const { index, st, script, sink } = s;
  const ctx: TokenCtx = {
    engine: s.engine,
    index,
    stmt: s.stmt,
    toks: s.toks,
    noTransaction: s.noTransaction,
    start: st.start.offset,
    text: st.text,
    script,
    report: (check, r) => sink.push(index, r.at ?? st.start.offset, check, r),
    existing: (table) => !script.created.has(key(table)),
    notes: s.notes ?? {},
  };
  for (const rule of rules) rule.statement?.(ctx);
  applyEffects(ctx);
}

/** Runs the rules' script-wide checks and returns the findings. */
export function finishTokenRules(rules: readonly TokenRule[], script: TokenScript, sink: FindingSink): Finding[][] {
  const finish: FinishCtx = { script, reportAt: sink.push };
  for (const rule of rules) rule.finish?.(finish);
  return sink.done();
}
