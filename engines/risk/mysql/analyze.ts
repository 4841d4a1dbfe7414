// MySQL/MariaDB analysis: each split statement is read from its tokens (engines/risk/tokens), checked
// for syntax (node-sql-parser where it parses, the token reader where it does not: syntax.ts), then
// the rules run with what the script did before it.
import type { Analyser } from "../analyser.ts";
import { CATALOG, type CheckId } from "../catalog.ts";
import type { Finding } from "../model.ts";
import { createScript, type FinishCtx, key, type Report, type TokenCtx } from "../tokens/context.ts";
import { lexStatement } from "../tokens/lex.ts";
import { readStatement } from "../tokens/read.ts";
import { applyEffects } from "../tokens/state.ts";
import { MYSQL_RULES } from "./rules/index.ts";
import { loadParsers, parserRefusal, syntaxVerdict } from "./syntax.ts";

export async function mysqlAnalyser(engine: "mysql" | "mariadb"): Promise<Analyser> {
  const parsers = await loadParsers(engine);
  const flavour = { mysql: true, mariadb: engine === "mariadb" };
  const engineName = engine === "mariadb" ? "MariaDB" : "MySQL";
  return (input, subjects) => {
    const script = createScript(input.schema, input.noTransaction);
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
      const toks = lexStatement(st.text, st.start.offset, flavour);
      if (toks.length === 0) return;
      const read = readStatement(toks, { pipesConcat: false });
      const refusal = parserRefusal(parsers, st.text);
      const verdict = syntaxVerdict({ toks, read, refusal, start: st.start.offset, engineName });
      if (verdict !== undefined) {
        push(i, verdict.at, verdict.check, { message: verdict.message, hint: verdict.hint });
        if (verdict.check !== "raw-sql-unchecked") return;
      }
      const ctx: TokenCtx = {
        engine,
        index: i,
        stmt: read.stmt,
        toks,
        noTransaction: input.noTransaction,
        start: st.start.offset,
        text: st.text,
        script,
        report: (check, r) => push(i, r.at ?? st.start.offset, check, r),
        existing: (table) => !script.created.has(key(table)),
      };
      for (const rule of MYSQL_RULES) rule.statement?.(ctx);
      applyEffects(ctx);
    });
    const finish: FinishCtx = { script, reportAt: push };
    for (const rule of MYSQL_RULES) rule.finish?.(finish);
    for (const list of findings) list.sort((a, b) => a.line - b.line || a.column - b.column);
    return findings;
  };
}
