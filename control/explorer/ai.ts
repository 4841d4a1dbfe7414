// AI SQL: a question plus the environment's schema (table and column names and types only: never
// rows, defaults or masked values; comments only when the user opts in) → one SQL statement in the
// engine's dialect, scored by the risk assessor and returned; it is never executed here (running it
// goes through Query's gates).
import Anthropic from "@anthropic-ai/sdk";
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import { assess, type EngineId, type RiskReport, type SchemaSnapshot } from "../../engines/index.ts";
import { classifyAll } from "./classify.ts";

export interface AiConfig {
  apiKey?: string;
  /** The Messages API's base URL (a local stand-in in tests); default the SDK's. */
  baseURL?: string;
  model: string;
  maxTokens: number;
}

export const DEFAULT_MODEL = "claude-sonnet-4-5";

/** Read when a request comes, so a key set after start-up counts; the key itself is never logged. */
export function aiConfigFromEnv(env: Record<string, string | undefined> = process.env): AiConfig {
  return {
    ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
    ...(env.ANTHROPIC_BASE_URL ? { baseURL: env.ANTHROPIC_BASE_URL } : {}),
    model: env.MIGRATRIX_AI_MODEL || DEFAULT_MODEL,
    maxTokens: Number(env.MIGRATRIX_AI_MAX_TOKENS) || 1024,
  };
}

/** The schema as the model sees it: names and types, and comments only when the user opted in. */
export function schemaContext(snapshot: SchemaSnapshot, opts: { comments?: boolean } = {}): string {
  const lines: string[] = [];
  const note = (comment: string | undefined) =>
    opts.comments && comment ? ` comment ${JSON.stringify(comment.replace(/\s+/g, " "))}` : "";
  for (const t of snapshot.tables) {
    const pk = new Set(t.primaryKey?.columns ?? []);
    const cols = [...t.columns]
      .sort((a, b) => a.ordinal - b.ordinal)
      .map(
        (c) =>
          `${c.name} ${c.type}${pk.has(c.name) ? " primary key" : ""}${c.nullable ? "" : " not null"}${note(c.comment)}`,
      );
    lines.push(`${t.schema ? `${t.schema}.` : ""}${t.name}(${cols.join(", ")})${note(t.comment)}`);
  }
  return lines.join("\n");
}

export interface AskResult {
  sql: string;
  explanation: string;
  report: RiskReport;
  kind: "read" | "write";
  model: string;
}

const DIALECT: Record<string, string> = {
  postgresql: "PostgreSQL",
  mysql: "MySQL 8",
  mariadb: "MariaDB 10.11",
  sqlite: "SQLite 3",
};

export async function askSql(input: {
  config: AiConfig;
  engine: EngineId;
  snapshot: SchemaSnapshot;
  question: string;
  /** The user opted in to sending table and column comments. */
  includeComments?: boolean;
}): Promise<AskResult> {
  const { config } = input;
  if (!config.apiKey) {
    throw new MigratrixError(
      "failed_precondition",
      "AI SQL is not configured: set ANTHROPIC_API_KEY in the control plane's environment",
    );
  }
  const question = input.question.trim();
  if (question === "") throw new MigratrixError("invalid_argument", "the question is empty");
  if (question.length > 4000)
    throw new MigratrixError("invalid_argument", "the question is longer than 4000 characters");
  const client = new Anthropic({
    apiKey: config.apiKey,
    ...(config.baseURL ? { baseURL: config.baseURL } : {}),
    maxRetries: 1,
    timeout: 60_000,
  });
  const dialect = DIALECT[input.engine] ?? input.engine;
  let text: string;
  try {
    const msg = await client.messages.create({
      model: config.model,
      max_tokens: config.maxTokens,
      system: [
        `You write exactly one SQL statement in the ${dialect} dialect that answers the user's question about the database whose schema follows.`,
        "Prefer read-only SELECT statements with an explicit column list and a LIMIT.",
        "Reply with the statement in one ```sql code block, then one or two sentences explaining it.",
      ].join(" "),
      messages: [
        {
          role: "user",
          content: `Schema (${dialect}):\n${schemaContext(input.snapshot, { comments: input.includeComments === true })}\n\nQuestion: ${question}`,
        },
      ],
    });
    text = msg.content
      .filter((b) => b.type === "text")
      .map((b) => b.text)
      .join("\n");
  } catch (err) {
    // The SDK's messages name the endpoint, never the key; redact anyway.
    const message = redactSecrets(err instanceof Error ? err.message : String(err));
    throw new MigratrixError("unavailable", `the AI model did not answer: ${message}`);
  }
  const block = /```(?:sql)?\s*\n?([\s\S]*?)```/i.exec(text);
  const sql = (block?.[1] ?? "").trim().replace(/;\s*$/, "");
  if (sql === "") throw new MigratrixError("internal", "the AI model answered without a SQL block");
  const explanation = text.replace(block?.[0] ?? "", "").trim();
  const report = await assess(sql, { engine: input.engine, schema: input.snapshot });
  let kind: "read" | "write" = "write";
  try {
    // The same classifier as typed SQL: every statement, a write if any statement writes.
    kind = classifyAll(sql, input.engine).some((c) => c.kind === "write") ? "write" : "read";
  } catch {
    // Unparsable: the explorer would refuse it; it stays a "write" here.
    kind = "write";
  }
  return { sql, explanation, report, kind, model: config.model };
}
