// MySQL/MariaDB analysis: each split statement is read from its tokens (engines/risk/tokens), checked
// for syntax (node-sql-parser where it parses, the token reader where it does not: syntax.ts), then
// the rules run with what the script did before it.
import type { Analyser } from "../analyser.ts";
import { findingSink } from "../findings.ts";
import { createScript } from "../tokens/context.ts";
import { lexStatement } from "../tokens/lex.ts";
import { readStatement } from "../tokens/read.ts";
import { finishTokenRules, runTokenRules } from "../tokens/run.ts";
import { MYSQL_RULES } from "./rules/index.ts";
import { loadParsers, parserRefusal, syntaxVerdict } from "./syntax.ts";

export async function mysqlAnalyser(engine: "mysql" | "mariadb"): Promise<Analyser> {
  const parsers = await loadParsers(engine);
  const flavour = { mysql: true, mariadb: engine === "mariadb" };
  const engineName = engine === "mariadb" ? "MariaDB" : "MySQL";
  return (input, subjects) => {
    const script = createScript(input.schema, input.noTransaction);
    const sink = findingSink(input, subjects);
    input.statements.forEach((st, i) => {
      const toks = lexStatement(st.text, st.start.offset, flavour);
      if (toks.length === 0) return;
      const read = readStatement(toks, { pipesConcat: false });
      const refusal = parserRefusal(parsers, st.text);
      const verdict = syntaxVerdict({ toks, read, refusal, start: st.start.offset, engineName });
      if (verdict !== undefined) {
        sink.push(i, verdict.at, verdict.check, { message: verdict.message, hint: verdict.hint });
        if (verdict.check !== "raw-sql-unchecked") return;
      }
      runTokenRules(MYSQL_RULES, {
        engine,
        index: i,
        stmt: read.stmt,
        toks,
        st,
        noTransaction: input.noTransaction,
        script,
        sink,
      });
    });
    return finishTokenRules(MYSQL_RULES, script, sink);
  };
}
