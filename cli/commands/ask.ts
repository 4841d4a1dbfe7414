// mx ask ENV "question" (also mx ai --env ENV "question"): SQL written by the AI model from the
// environment's schema (names and types only), with its risk report. Never run: paste it into
// `mx query` to go through the same gates.
import { UsageError } from "../errors.ts";
import { type CommandContext, defineCommand } from "./types.ts";

interface ReportJson {
  statements: { findings: { level: string; message: string }[] }[];
}

export const ask = defineCommand({
  path: ["ask"],
  summary: "write SQL for a question from the environment's schema (AI; never executed)",
  args: ["ENV", "QUESTION"],
  options: {
    connection: { type: "string", value: "NAME", description: "the connection whose schema to use" },
    "with-comments": { type: "boolean", description: "send table and column comments to the model too" },
  },
  async run(ctx) {
    const [environment = "", question = ""] = ctx.input.positionals;
    return askAndShow(ctx, environment, question);
  },
});

export const ai = defineCommand({
  path: ["ai"],
  summary: "write SQL for a question from the environment's schema (AI; never executed)",
  args: ["QUESTION"],
  options: {
    env: { type: "string", value: "ENV", description: "the environment (required)" },
    connection: { type: "string", value: "NAME", description: "the connection whose schema to use" },
    "with-comments": { type: "boolean", description: "send table and column comments to the model too" },
  },
  details: ["The same as mx ask ENV QUESTION. The SQL is scored, never run: run it with mx query."],
  async run(ctx) {
    return askAndShow(ctx, ctx.input.required("env"), ctx.input.positionals[0] ?? "");
  },
});

async function askAndShow({ out, input, clients }: CommandContext, environment: string, question: string) {
  if (environment === "" || question.trim() === "") throw new UsageError("wants ENV and a QUESTION");
  const res = await clients().explorer.askSql({
    environment,
    question,
    connection: input.string("connection") ?? "",
    includeComments: input.flag("with-comments"),
  });
  const report = JSON.parse(res.riskJson) as ReportJson;
  if (out.json) {
    out.document({
      sql: res.sql,
      explanation: res.explanation,
      engine: res.engine,
      riskLevel: res.riskLevel,
      model: res.model,
      report,
    });
    return 0;
  }
  out.line(res.sql);
  if (res.explanation) out.line(out.paint("dim", res.explanation));
  const colour =
    res.riskLevel === "critical" || res.riskLevel === "high" ? "red" : res.riskLevel === "medium" ? "yellow" : "green";
  out.line(`risk: ${out.paint(colour, res.riskLevel)}`);
  for (const f of report.statements.flatMap((s) => s.findings)) out.line(`  ${f.level}: ${f.message}`);
  return 0;
}
