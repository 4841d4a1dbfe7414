// The chat commands that look rather than act: a schema diff of two environments (both read by
// their agents, as the chat user: SchemaService.Introspect's RBAC applies), AI-written SQL with its
// risk (ExplorerService.AskSql: never executed), and GitOps (the changes log, a pull request that
// adds a migration file). Output is sized for a phone: long diffs are cut with a count of the rest.
import { MigratrixError } from "../../common/errors.ts";
import type { ApiClients } from "./api.ts";
import { type Card, card, collapseSql, levelMark, riskSummary } from "./view.ts";

export const DIFF_MAX_LINES = 20;
export const LOG_MAX = 10;

/** "env/connection" for a diff side: given, the environment's only connection, or the one named like `like`. */
async function connectionOf(api: ApiClients, side: string, like?: string): Promise<string> {
  if (side.includes("/")) return side;
  const { connections } = await api.connections.listConnections({ environment: side });
  const names = connections.map((c) => c.name);
  const [only] = names;
  if (names.length === 1 && only !== undefined) return `${side}/${only}`;
  if (like !== undefined && names.includes(like)) return `${side}/${like}`;
  if (names.length === 0) throw new MigratrixError("not_found", `environment ${side} has no connection`);
  throw new MigratrixError(
    "invalid_argument",
    `environment ${side} has ${names.length} connections (${names.join(", ")}): name one as ${side}/NAME`,
  );
}

/** Cuts text to `max` lines, saying how many were left out. */
export function truncateLines(text: string, max: number): { text: string; omitted: number } {
  const lines = text.split("\n");
  if (lines.length <= max) return { text, omitted: 0 };
  return { text: lines.slice(0, max).join("\n"), omitted: lines.length - max };
}

export async function diffCard(api: ApiClients, sourceSide: string, targetSide: string): Promise<Card> {
  const source = await connectionOf(api, sourceSide, targetSide.split("/")[1]);
  const target = await connectionOf(api, targetSide, source.split("/")[1]);
  const [a, b] = await Promise.all([
    api.schema.introspect({ connection: source, objects: true }),
    api.schema.introspect({ connection: target, objects: true }),
  ]);
  // Pure analysis of the two snapshots, loaded lazily like the risk rules.
  const [schema, d] = await Promise.all([
    import("../../engines/schema/index.ts"),
    import("../../engines/diff/index.ts"),
  ]);
  const diff = d.diffSchemas(schema.snapshotFromJson(a.snapshotJson), schema.snapshotFromJson(b.snapshotJson));
  const n = diff.changes.length;
  if (n === 0)
    return card("success", `${source} and ${target}: no differences`, {
      lines: ["The schemas match (noise filters on)."],
    });
  const cut = truncateLines(d.renderDiffText(diff), DIFF_MAX_LINES);
  return card("warning", `${source} vs ${target}: ${n} difference${n === 1 ? "" : "s"}`, {
    lines: [
      `What ${source} has that ${target} lacks or has otherwise:`,
      `\`\`\`${cut.text}\`\`\``,
      ...(cut.omitted > 0
        ? [
            `… ${cut.omitted} more line${cut.omitted === 1 ? "" : "s"} omitted; \`mx diff ${source} ${target}\` shows all`,
          ]
        : []),
    ],
  });
}

const capitalised = (level: string) => (level === "" ? "unknown" : `${level[0]?.toUpperCase()}${level.slice(1)}`);

interface ReportJson {
  level?: string;
  statements?: { findings?: { level: string; check: string; line: number; message: string }[] }[];
}

export async function aiCard(api: ApiClients, environment: string, question: string): Promise<Card> {
  const res = await api.explorer.askSql({ environment, question });
  let report: ReportJson = {};
  try {
    report = JSON.parse(res.riskJson) as ReportJson;
  } catch {
    // The level alone still tells the reader how careful to be.
    report = {};
  }
  const level = capitalised(report.level ?? res.riskLevel);
  const findings = (report.statements ?? []).flatMap((s) => s.findings ?? []);
  return card(
    level === "Critical" || level === "High" ? "warning" : "info",
    `AI SQL for ${environment} (not executed)`,
    {
      lines: [
        res.explanation || "No explanation given.",
        `Risk ${levelMark(level)} — review before running it anywhere.`,
      ],
      fields: [
        ["Engine", res.engine],
        ["Model", res.model],
      ],
      risk: riskSummary(level, findings),
      sql: collapseSql(res.sql),
    },
  );
}

export async function gitopsLogCard(api: ApiClients, link?: string): Promise<Card> {
  const { events } = await api.gitops.listGitOpsEvents({ name: link ?? "", limit: LOG_MAX });
  const lines = events.map((e) => {
    const when = e.at ? new Date(Number(e.at.seconds) * 1000).toISOString().slice(0, 16).replace("T", " ") : "";
    const commit = e.commit ? ` \`${e.commit.slice(0, 7)}\`` : "";
    return `${when} *${e.kind}* ${e.link}${commit} — ${e.summary}${e.actor ? ` (${e.actor})` : ""}`;
  });
  return card("info", `GitOps log${link ? `: ${link}` : ""}`, {
    lines: lines.length > 0 ? lines : ["No GitOps events yet."],
  });
}

export async function gitopsPrCard(
  api: ApiClients,
  input: { link: string; file: string; sql: string; who: string },
): Promise<Card> {
  const res = await api.gitops.openPullRequest({
    name: input.link,
    fileName: input.file,
    content: input.sql.endsWith("\n") ? input.sql : `${input.sql}\n`,
    title: `Add migration ${input.file}`,
    body: `Opened from chat by ${input.who} through Migratrix.`,
  });
  return card("success", `Pull request #${res.number} opened`, {
    lines: [res.url],
    fields: [
      ["Repository link", input.link],
      ["Branch", res.branch],
      ["File", res.path],
      ["Commit", res.commitSha.slice(0, 12)],
    ],
    sql: collapseSql(input.sql),
  });
}
