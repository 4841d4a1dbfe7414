// Runs a parsed chat command against the control API as the acting chat user and turns the answer
// (or the refusal) into a card. Votes from buttons and reactions go through the same functions.
import { MigratrixError } from "../../common/errors.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { Flow, StageStatus } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { type Migration, RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { type ApiClients, type ApiConfig, type ChatUser, clientsAs, plainError } from "./api.ts";
import { type Command, parseCommand, USAGE } from "./commands.ts";
import { aiCard, diffCard, gitopsLogCard, gitopsPrCard } from "./insight.ts";
import { type Card, card, collapseSql, levelMark, type RiskSummary, riskSummary, type StageRef } from "./view.ts";

export interface BotContext {
  api: ApiConfig;
  actor: ChatUser;
}

const STATE_MARK: Record<number, string> = {
  [RunState.QUEUED]: "⏸ Queued",
  [RunState.PENDING]: "⏳ Pending",
  [RunState.IN_PROGRESS]: "🔄 In progress",
  [RunState.COMPLETED]: "✅ Completed",
  [RunState.FAILED]: "❌ Failed",
  [RunState.REJECTED]: "⛔ Rejected",
};

export const stateText = (s: RunState) => STATE_MARK[s] ?? "unknown";

/** A failure (API refusal or the bot's own check) as a card only the actor sees. */
export function errorCard(err: unknown): Card {
  if (err instanceof MigratrixError) return card("danger", "Not possible", { lines: [err.message], ephemeral: true });
  const e = plainError(err);
  return card(e.code === "Unauthenticated" ? "warning" : "danger", e.heading, { lines: [e.message], ephemeral: true });
}

/** Parses and runs one command; never throws (a failure is a card). */
export async function handleText(ctx: BotContext, text: string): Promise<Card> {
  const parsed = parseCommand(text);
  if (!parsed.ok) return card("warning", "Unknown or incomplete command", { lines: [parsed.problem], ephemeral: true });
  try {
    return await runCommand(ctx, parsed.command);
  } catch (err) {
    return errorCard(err);
  }
}

export async function runCommand(ctx: BotContext, cmd: Command): Promise<Card> {
  const api = clientsAs(ctx.api, ctx.actor);
  switch (cmd.kind) {
    case "help":
      return card("info", "Migratrix commands", {
        lines: USAGE.map(([u, what]) => `\`${u}\` — ${what}`),
        ephemeral: true,
      });
    case "status":
      return status(api, ctx.api, cmd.flow);
    case "promote":
      return promote(api, await stageRef(api, ctx.api, cmd));
    case "approve":
    case "reject":
      return vote(api, await stageRef(api, ctx.api, cmd), cmd.kind === "approve", cmd.comment);
    case "rollback":
      return rollback(api, await stageRef(api, ctx.api, cmd));
    case "risk":
      return risk(api, ctx.api, cmd.sql, cmd.engine);
    case "link": {
      const res = await api.identity.linkChatIdentity({ code: cmd.code, displayName: ctx.actor.displayName ?? "" });
      return card("success", "Linked", {
        lines: [`This ${ctx.actor.platform} account now acts as ${res.email} in Migratrix, with that user's roles.`],
        ephemeral: true,
      });
    }
    case "diff":
      return diffCard(api, cmd.source, cmd.target);
    case "ai": {
      // Without --env: the schema of the default flow's first stage (DEV, where questions are cheap).
      const env = cmd.env ?? (await resolveFlow(api, ctx.api)).stages[0]?.environment;
      if (!env) throw new MigratrixError("not_found", "no environment to ask about: add --env NAME");
      return aiCard(api, env, cmd.question);
    }
    case "gitops-log":
      return gitopsLogCard(api, cmd.link);
    case "gitops-pr":
      return gitopsPrCard(api, {
        link: cmd.link,
        file: cmd.file,
        sql: cmd.sql,
        who: ctx.actor.displayName ?? `${ctx.actor.platform} user ${ctx.actor.user}`,
      });
  }
}

/** The flow a command means: named, the default one, or the only flow with a stage on env. */
async function resolveFlow(api: ApiClients, cfg: ApiConfig, env?: string): Promise<Flow> {
  const { flows } = await api.flows.listFlows({});
  const candidates = env === undefined ? flows : flows.filter((f) => f.stages.some((s) => s.environment === env));
  const byDefault = candidates.find((f) => f.name === cfg.defaultFlow);
  if (byDefault) return byDefault;
  const [only, ...more] = candidates;
  if (only && more.length === 0) return only;
  if (!only) {
    throw new MigratrixError(
      "not_found",
      env === undefined ? "there is no flow yet (mx flow create)" : `no flow has a stage on environment ${env}`,
    );
  }
  throw new MigratrixError(
    "invalid_argument",
    `several flows ${env === undefined ? "exist" : `have a stage on ${env}`} (${candidates.map((f) => f.name).join(", ")}): add --flow NAME`,
  );
}

async function stageRef(
  api: ApiClients,
  cfg: ApiConfig,
  cmd: { migration: string; env: string; flow?: string; rollback?: boolean },
): Promise<StageRef> {
  const flow = cmd.flow ?? (await resolveFlow(api, cfg, cmd.env)).name;
  return { flow, migration: cmd.migration, env: cmd.env, ...(cmd.rollback ? { rollback: true } : {}) };
}

function riskOf(m: Migration): RiskSummary | undefined {
  if (m.riskReportJson === "") return m.riskLevel === "" ? undefined : { level: m.riskLevel, findings: [] };
  try {
    const parsed = JSON.parse(m.riskReportJson) as {
      level?: string;
      up?: { statements?: { findings?: { level: string; check: string; line: number; message: string }[] }[] };
    };
    const findings = (parsed.up?.statements ?? []).flatMap((s) =>
      (s.findings ?? []).map((f) => ({ level: f.level, check: f.check, line: f.line, message: f.message })),
    );
    return riskSummary(parsed.level ?? m.riskLevel, findings);
  } catch {
    // A report the bot cannot read still has its level on the migration.
    return { level: m.riskLevel, findings: [] };
  }
}

/** The approval request / stage card: migration, stage, approvals n of m, votes, risk, SQL. */
export async function stageCard(api: ApiClients, ref: StageRef, stage?: StageStatus, note?: string): Promise<Card> {
  const [{ migration }, current] = await Promise.all([
    api.migrations.getMigration({ id: ref.migration }),
    stage
      ? Promise.resolve(stage)
      : api.flows
          .getFlow({ name: ref.flow, migrationId: ref.migration })
          .then((r) => r.stages.find((s) => s.environment === ref.env)),
  ]);
  if (!migration) throw new MigratrixError("not_found", `migration ${ref.migration} not found`);
  if (!current) throw new MigratrixError("not_found", `flow ${ref.flow} has no stage ${ref.env}`);
  const needs = current.requiredApprovals > current.approvals;
  const open = current.state === RunState.PENDING || current.state === RunState.QUEUED;
  const asking = open && needs;
  const votes = current.votes
    .filter((v) => !v.rollback)
    .map(
      (v) =>
        `${v.approve ? "✅" : "❌"} ${v.email}${v.valid ? "" : " (void: the migration changed)"}${v.comment ? ` — ${v.comment}` : ""}`,
    );
  const tone =
    current.state === RunState.REJECTED || current.state === RunState.FAILED
      ? "danger"
      : current.state === RunState.COMPLETED
        ? "success"
        : asking
          ? "warning"
          : "info";
  const title = asking
    ? `Approval needed: ${migration.name} → ${ref.env}`
    : `${migration.name} on ${ref.env}: ${stateText(current.state)}`;
  const risk = riskOf(migration);
  return card(tone, title, {
    lines: [...(note ? [note] : []), ...votes],
    fields: [
      ["Migration", migration.id],
      ["Flow / stage", `${ref.flow} / ${ref.env} (${stateText(current.state)})`],
      ["Approvals", `${current.approvals} of ${current.requiredApprovals}`],
      ["Author", migration.createdBy],
    ],
    ...(risk ? { risk } : {}),
    sql: collapseSql(migration.upSql),
    ...(asking ? { vote: ref } : {}),
    ...(current.state === RunState.FAILED ? { rollback: ref } : {}),
  });
}

function followOf(ref: StageRef, stage: StageStatus | undefined): Card["follow"] {
  const runs = (stage?.runs ?? [])
    .filter((r) => r.state === RunState.PENDING || r.state === RunState.QUEUED || r.state === RunState.IN_PROGRESS)
    .map((r) => ({ runId: r.id, target: `${r.environment}/${r.connection}`, direction: r.direction }));
  return runs.length > 0 ? { ref, runs } : undefined;
}

async function promote(api: ApiClients, ref: StageRef): Promise<Card> {
  try {
    const res = await api.flows.promote({ flow: ref.flow, migrationId: ref.migration, stage: ref.env });
    const follow = followOf(ref, res.stage);
    return card("info", `Promoting ${ref.migration} to ${ref.env}`, {
      lines: [`${res.stage?.runs.length ?? 0} database(s): progress follows in replies to this message.`],
      fields: [["Flow / stage", `${ref.flow} / ${ref.env} (${stateText(res.stage?.state ?? RunState.UNSPECIFIED)})`]],
      ...(follow ? { follow } : {}),
    });
  } catch (err) {
    // A stage waiting for votes answers a promote with the approval request itself; the stage's
    // state decides that, not the wording of the refusal.
    const e = plainError(err);
    if (e.code !== "FailedPrecondition") throw err;
    const { stages } = await api.flows.getFlow({ name: ref.flow, migrationId: ref.migration });
    const stage = stages.find((s) => s.environment === ref.env);
    const open = stage?.state === RunState.PENDING || stage?.state === RunState.QUEUED;
    if (!stage || !open || stage.approvals >= stage.requiredApprovals) throw err;
    return stageCard(api, ref, stage, e.message);
  }
}

export async function vote(api: ApiClients, ref: StageRef, approve: boolean, comment = ""): Promise<Card> {
  const req = { flow: ref.flow, migrationId: ref.migration, stage: ref.env, comment, rollback: ref.rollback ?? false };
  const res = approve ? await api.flows.approve(req) : await api.flows.reject(req);
  if (ref.rollback) return rollbackCard(ref, res.stage, "vote");
  const result = await stageCard(api, ref, res.stage);
  const follow = followOf(ref, res.stage);
  return follow ? { ...result, follow } : result;
}

export async function rollback(api: ApiClients, ref: StageRef): Promise<Card> {
  const res = await api.flows.rollback({ flow: ref.flow, migrationId: ref.migration, stage: ref.env });
  return rollbackCard(ref, res.stage, "request");
}

/** After a rollback call or a vote on a rollback request: started, waiting for votes, or nothing to do. */
function rollbackCard(ref: StageRef, stage: StageStatus | undefined, after: "request" | "vote"): Card {
  const follow = followOf(ref, stage);
  if (follow) {
    return card("warning", `Rolling back ${ref.migration} on ${ref.env}`, {
      lines: ["The down script runs on every database of the stage; progress follows in replies to this message."],
      follow,
    });
  }
  if (stage && stage.rollbackRequiredApprovals > 0 && stage.rollbackRequestedBy !== "") {
    const votes = stage.votes
      .filter((v) => v.rollback)
      .map((v) => `${v.approve ? "✅" : "❌"} ${v.email}${v.comment ? ` — ${v.comment}` : ""}`);
    return card("warning", `Rollback of ${ref.migration} on ${ref.env} requested`, {
      lines: [`Requested by ${stage.rollbackRequestedBy}; it starts when its approvals are met.`, ...votes],
      fields: [["Rollback approvals", `${stage.rollbackApprovals} of ${stage.rollbackRequiredApprovals}`]],
      vote: { flow: ref.flow, migration: ref.migration, env: ref.env, rollback: true },
    });
  }
  const state = stateText(stage?.state ?? RunState.UNSPECIFIED);
  if (after === "vote") {
    return card("info", `Rollback of ${ref.migration} on ${ref.env} turned down`, {
      lines: [`No rollback request is open any more; the stage stays ${state}.`],
    });
  }
  // Nothing had changed a database (e.g. a failed transactional run rolled itself back).
  return card("info", `Nothing to revert for ${ref.migration} on ${ref.env}`, {
    lines: [`No database of the stage kept a change; the stage is ${state}.`],
  });
}

const ENGINE_NAMES: Record<string, string> = { postgres: "postgresql", pg: "postgresql", mssql: "sqlserver" };

async function risk(api: ApiClients, cfg: ApiConfig, sql: string, engineName?: string): Promise<Card> {
  // Lazily, like `mx risk`: the risk module is pure analysis of the text (no data is read).
  const mod = await import("../../engines/risk/index.ts");
  let engine = engineName?.toLowerCase();
  if (engine === undefined) {
    const flow = await resolveFlow(api, cfg);
    engine = (Engine[flow.engine] ?? "").toLowerCase();
  }
  engine = ENGINE_NAMES[engine] ?? engine;
  const supported = mod.RISK_ENGINES as readonly string[];
  const id = mod.RISK_ENGINES.find((e) => e === engine);
  if (id === undefined) {
    throw new MigratrixError("invalid_argument", `risk has no rules for ${engine} (has: ${supported.join(", ")})`);
  }
  const report = await mod.assess(sql, { engine: id });
  const findings = report.statements.flatMap((s) =>
    s.findings.map((f) => ({ level: f.level, check: f.check, line: f.line, message: f.message })),
  );
  const n = report.statements.length;
  return card(
    report.level === "Critical" || report.level === "High" ? "warning" : "info",
    `Risk: ${levelMark(report.level)}`,
    {
      lines: [
        `${n} statement${n === 1 ? "" : "s"}, ${findings.length} finding${findings.length === 1 ? "" : "s"} (${id})`,
      ],
      risk: riskSummary(report.level, findings),
      sql: collapseSql(sql),
    },
  );
}

const RECENT = 5;

async function status(api: ApiClients, cfg: ApiConfig, flowName?: string): Promise<Card> {
  const flow = flowName ?? (await resolveFlow(api, cfg)).name;
  const [{ flow: def }, { migrations }] = await Promise.all([
    api.flows.getFlow({ name: flow }),
    api.migrations.listMigrations({}),
  ]);
  const recent = [...migrations]
    .sort((a, b) => Number((b.createdAt?.seconds ?? 0n) - (a.createdAt?.seconds ?? 0n)) || b.id.localeCompare(a.id))
    .slice(0, RECENT);
  const lines = await Promise.all(
    recent.map(async (m) => {
      const { stages } = await api.flows.getFlow({ name: flow, migrationId: m.id });
      const parts = stages.map(
        (s) =>
          `${s.environment} ${stateText(s.state)}${s.requiredApprovals > 0 ? ` (${s.approvals}/${s.requiredApprovals})` : ""}`,
      );
      return `\`${m.id}\` ${levelMark(m.riskLevel || "unknown")} — ${parts.join(" · ")}`;
    }),
  );
  return card("info", `Flow ${flow}`, {
    lines: lines.length > 0 ? lines : ["No migrations yet."],
    fields: [["Stages", (def?.stages ?? []).map((s) => s.environment).join(" → ")]],
  });
}
