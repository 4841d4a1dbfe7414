// mx flow create / list / show, and the stage commands of a migration on a flow: promote,
// approve, reject, rollback (promote and rollback follow the runs they start).
import type { MessageInitShape } from "@bufbuild/protobuf";
import { InDoubtResolution } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import {
  CreateFlowResponseSchema,
  type Flow,
  type FlowStageSchema,
  GetFlowResponseSchema,
  ListFlowsResponseSchema,
  StagePolicy,
  type StageStatus,
  StageStatusSchema,
} from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { type RollbackScript, type Run, RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { OptionSpec } from "../args.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { formatTime, paintState, protoJson } from "../proto-output.ts";
import { type CommandContext, defineCommand } from "./types.ts";
import { finish, followAll } from "./watch.ts";

const STAGE = /^([A-Za-z0-9][A-Za-z0-9_-]*)(?:\/([A-Za-z0-9_,-]+))?(?::(\d+))?(?:@(auto|manual))?$/;

/** "qa=1,prod=2" → [["qa", 1], ["prod", 2]]; undefined or "" → []. */
export function parseEnvCounts(text: string | undefined, option: string): [string, number][] {
  if (!text) return [];
  return text.split(",").map((part) => {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9_-]*)=(\d{1,3})\s*$/.exec(part);
    if (!m) throw new UsageError(`${option} wants ENV=N[,ENV=N], got '${part}'`, "flow create");
    return [m[1] ?? "", Number(m[2])];
  });
}

/** "prod/main,replica:2@auto" → environment prod, connections main and replica, 2 approvals, auto. */
export function parseStage(text: string): MessageInitShape<typeof FlowStageSchema> {
  const m = STAGE.exec(text);
  if (!m) {
    throw new UsageError(`stage '${text}' is not ENV[/CONN,CONN][:APPROVALS][@auto|@manual]`, "flow create");
  }
  return {
    environment: m[1] ?? "",
    connections: m[2] ? m[2].split(",").filter(Boolean) : [],
    requiredApprovals: m[3] ? Number(m[3]) : 0,
    policy: m[4] === "auto" ? StagePolicy.AUTO : StagePolicy.MANUAL,
  };
}

function printFlow(out: Output, flow: Flow | undefined): void {
  if (!flow) return;
  out.line(`${out.paint("bold", flow.name)}  (${flow.stages.map((s) => s.environment).join(" → ")})`);
  out.table(
    ["#", "ENVIRONMENT", "CONNECTIONS", "POLICY", "APPROVALS", "APPROVERS"],
    flow.stages.map((s) => [
      String(s.position),
      s.environment,
      s.connections.join(", "),
      s.policy === StagePolicy.AUTO ? "auto" : "manual",
      `${s.requiredApprovals}${s.riskApprovals > 0 ? ` (+${s.riskApprovals} at High risk)` : ""}${s.blockCritical ? ", no Critical" : ""}`,
      s.approverEmails.length > 0 ? s.approverEmails.join(", ") : `role: ${s.approverRoles.join(", ")}`,
    ]),
  );
  const lenient = flow.stages.filter((s) => s.allowWithoutBackup).map((s) => s.environment);
  if (lenient.length > 0) {
    out.line(out.paint("yellow", `runs without a backup where none can be taken on: ${lenient.join(", ")}`));
  }
  for (const s of flow.stages.filter((x) => x.maxBackupRows > 0)) {
    out.line(out.paint("dim", `backups on ${s.environment} are limited to ${s.maxBackupRows} row(s) per statement`));
  }
}

function printStage(out: Output, s: StageStatus): void {
  const votes = s.votes
    .filter((v) => !v.rollback)
    .map((v) => `${v.approve ? "✓" : "✗"} ${v.email}${v.valid ? "" : " (void)"}`)
    .join("  ");
  out.line(
    `${out.paint("bold", s.environment)}  ${paintState(out, s.state)}${s.operation !== "revert" ? "" : s.state === RunState.PENDING ? " (rolled back)" : " (rollback)"}` +
      `  approvals ${s.approvals}/${s.requiredApprovals}${votes ? `  ${votes}` : ""}`,
  );
  if (s.rollbackRequestedBy !== "") {
    const votes = s.votes.filter((v) => v.rollback);
    out.line(
      `  ${out.paint("yellow", "rollback requested")} by ${s.rollbackRequestedBy}: approvals ${s.rollbackApprovals}/${s.rollbackRequiredApprovals}` +
        (votes.length > 0 ? `  ${votes.map((v) => `${v.approve ? "✓" : "✗"} ${v.email}`).join("  ")}` : ""),
    );
  }
  // What approvers of a stage still to run need most: what the migration did one stage before.
  if (
    s.schemaImpact !== "" &&
    (s.state === RunState.QUEUED || s.state === RunState.PENDING) &&
    s.operation === "apply"
  ) {
    out.line(out.paint("dim", "  schema impact on the previous stage:"));
    for (const line of s.schemaImpact.split("\n")) out.line(`    ${line}`);
  }
  // The generated rollback a vote signs, while the stage waits for votes or a promotion.
  if ((s.state === RunState.QUEUED || s.state === RunState.PENDING) && s.operation === "apply") {
    printRollbackScripts(out, s.rollbackScripts);
  }
}

/** The generated down scripts a vote signs (issue 5): one block per distinct script. */
export function printRollbackScripts(out: Output, scripts: readonly RollbackScript[], withStage = false): void {
  const seen = new Map<string, RollbackScript[]>();
  for (const r of scripts) seen.set(r.checksum, [...(seen.get(r.checksum) ?? []), r]);
  for (const group of seen.values()) {
    const r = group[0];
    if (!r) continue;
    const where = group.map((g) => (withStage ? `${g.flow}/${g.stage}/${g.connection}` : g.connection)).join(", ");
    out.line(
      out.paint(
        "dim",
        `  generated rollback for ${where}: ${r.reversibility}, ${r.origin === "preflight" ? "regenerated at pre-flight" : "generated at creation"} (${r.source}; ${r.checksum.slice(0, 12)})`,
      ),
    );
    for (const n of r.notes) out.line(`    -- ${n}`);
    for (const line of r.sql.split("\n")) out.line(`    ${line}`);
  }
}

export const flowCreate = defineCommand({
  path: ["flow", "create"],
  summary: "create a flow: its stages in order",
  args: ["NAME", "STAGE..."],
  options: {
    approvers: {
      type: "string",
      value: "ENV=EMAIL,EMAIL",
      description: "lock a stage to named approvers (e.g. prod=ana@x.io,bo@x.io)",
    },
    "rollback-approvals": {
      type: "string",
      value: "ENV=N[,ENV=N]",
      description: "approvals a rollback needs on a stage (default 0: whoever may roll back runs it at once)",
    },
    "allow-without-backup": {
      type: "string",
      value: "ENV[,ENV]",
      description: "stages that run on where a backup cannot be taken (shown in the run log, audited)",
    },
    "max-backup-rows": {
      type: "string",
      value: "ENV=N[,ENV=N]",
      description: "largest backup (rows) one statement may take on a stage (default 1000000)",
    },
    "risk-approvals": {
      type: "string",
      value: "ENV=N[,ENV=N]",
      description: "extra approvals a migration whose risk is High or Critical needs on a stage",
    },
    "block-critical": {
      type: "string",
      value: "ENV[,ENV]",
      description: "stages that refuse a Critical migration (protected environments always do)",
    },
  },
  details: [
    "STAGE is ENV[/CONN,CONN][:APPROVALS][@auto|@manual]: all connections of ENV by default,",
    "the environment's approvals by default (a stage may ask for more, never fewer), manual by default.",
    "Example: mx flow create main dev qa:1@auto prod:2",
  ],
  async run({ out, input, clients }) {
    const [name, ...specs] = input.positionals;
    if (!name || specs.length === 0) throw new UsageError("a flow needs a NAME and at least one STAGE", "flow create");
    const stages = specs.map(parseStage);
    const approvers = input.string("approvers");
    if (approvers !== undefined) {
      const [env, emails] = approvers.split("=", 2);
      const stage = stages.find((s) => s.environment === env);
      if (!stage || !emails)
        throw new UsageError(`--approvers ${approvers}: name a stage ENV=EMAIL,EMAIL`, "flow create");
      stage.approverEmails = emails.split(",").filter(Boolean);
    }
    const stageNamed = (env: string, flag: string) => {
      const stage = stages.find((s) => s.environment === env);
      if (!stage) throw new UsageError(`--${flag}: ${env} is not a stage of this flow`, "flow create");
      return stage;
    };
    for (const [env, n] of parseEnvCounts(input.string("rollback-approvals"), "--rollback-approvals")) {
      stageNamed(env, "rollback-approvals").rollbackApprovals = n;
    }
    for (const [env, n] of parseEnvCounts(input.string("risk-approvals"), "--risk-approvals")) {
      stageNamed(env, "risk-approvals").riskApprovals = n;
    }
    for (const env of (input.string("allow-without-backup") ?? "").split(",").filter(Boolean)) {
      stageNamed(env, "allow-without-backup").allowWithoutBackup = true;
    }
    for (const env of (input.string("block-critical") ?? "").split(",").filter(Boolean)) {
      stageNamed(env, "block-critical").blockCritical = true;
    }
    for (const part of (input.string("max-backup-rows") ?? "").split(",").filter(Boolean)) {
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9_-]*)=(\d{1,9})\s*$/.exec(part);
      const stage = stages.find((s) => s.environment === m?.[1]);
      if (!m || !stage) {
        throw new UsageError(`--max-backup-rows wants ENV=N for a stage of this flow, got '${part}'`, "flow create");
      }
      stage.maxBackupRows = Number(m[2]);
    }
    const res = await clients().flows.createFlow({ name, stages });
    if (out.json) {
      out.document(protoJson(CreateFlowResponseSchema, res));
      return 0;
    }
    out.line(`created flow ${out.paint("bold", res.flow?.name ?? name)}`);
    printFlow(out, res.flow);
    return 0;
  },
});

export const flowList = defineCommand({
  path: ["flow", "list"],
  summary: "list the workspace's flows",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().flows.listFlows({});
    if (out.json) {
      out.document(protoJson(ListFlowsResponseSchema, res));
      return 0;
    }
    out.table(
      ["NAME", "STAGES", "CREATED", "BY"],
      res.flows.map((f) => [
        f.name,
        f.stages.map((s) => s.environment).join(" → "),
        formatTime(f.createdAt),
        f.createdBy,
      ]),
      { empty: "no flows yet: mx flow create NAME STAGE..." },
    );
    return 0;
  },
});

export const flowShow = defineCommand({
  path: ["flow", "show"],
  summary: "show a flow, and with --migration where that migration is on each stage",
  args: ["NAME"],
  options: { migration: { type: "string", value: "ID", description: "a migration to show the stages of" } },
  async run({ out, input, clients }) {
    const res = await clients().flows.getFlow({
      name: input.positionals[0] ?? "",
      migrationId: input.string("migration") ?? "",
    });
    if (out.json) {
      out.document(protoJson(GetFlowResponseSchema, res));
      return 0;
    }
    printFlow(out, res.flow);
    if (res.stages.length > 0) out.line();
    for (const s of res.stages) printStage(out, s);
    return 0;
  },
});

const stageOptions: Record<string, OptionSpec> = {
  flow: { type: "string", value: "NAME", description: "the flow (default: the workspace's only flow)" },
  stage: { type: "string", value: "ENV", description: "the stage's environment (required)" },
};

async function target(ctx: CommandContext) {
  const migrationId = ctx.input.positionals[0] ?? "";
  const stage = ctx.input.required("stage");
  let flow = ctx.input.string("flow");
  if (flow === undefined) {
    const { flows } = await ctx.clients().flows.listFlows({});
    const only = flows.length === 1 ? flows[0] : undefined;
    if (!only) throw new UsageError(`--flow is required: the workspace has ${flows.length} flows`);
    flow = only.name;
  }
  return { flow, migrationId, stage };
}

/** Prints the stage and follows the runs it started; exits 1 when any of them failed. */
async function followStage(ctx: CommandContext, stage: StageStatus | undefined): Promise<number> {
  if (!stage) return 0;
  if (ctx.out.json) {
    const followed = await followAll(ctx, active(stage));
    ctx.out.document({ stage: protoJson(StageStatusSchema, stage), runs: followed.map((f) => f.run.id) });
    return followed.some((f) => f.run.state !== RunState.COMPLETED) ? 1 : 0;
  }
  printStage(ctx.out, stage);
  return finish(ctx.out, await followAll(ctx, active(stage)));
}

function active(stage: StageStatus): Run[] {
  return stage.runs.filter(
    (r) => r.direction === stage.operation && (r.state === RunState.PENDING || r.state === RunState.IN_PROGRESS),
  );
}

export const migrationPromote = defineCommand({
  path: ["migration", "promote"],
  summary: "run a migration on a flow stage once the previous stage completed and approvals are met",
  args: ["ID"],
  options: stageOptions,
  details: ["Follows the live log of every database of the stage; exits 1 when any run fails."],
  async run(ctx) {
    const res = await ctx.clients().flows.promote(await target(ctx));
    return followStage(ctx, res.stage);
  },
});

export const migrationRollback = defineCommand({
  path: ["migration", "rollback"],
  summary: "run a migration's down script on a flow stage",
  args: ["ID"],
  options: stageOptions,
  details: [
    "The stage returns to Pending when every database is rolled back; exits 1 when any run fails.",
    "On a stage whose rollbacks need approvals this opens a rollback request; approvers then run",
    "mx migration approve ID --stage ENV --rollback, and the vote that meets them starts the rollback.",
  ],
  async run(ctx) {
    const res = await ctx.clients().flows.rollback(await target(ctx));
    return followStage(ctx, res.stage);
  },
});

function voteCommand(choice: "approve" | "reject") {
  return defineCommand({
    path: ["migration", choice],
    summary: `${choice} a migration on a flow stage (one vote per person; it signs the up and down scripts)`,
    args: ["ID"],
    options: {
      ...stageOptions,
      comment: { type: "string", value: "TEXT", description: "why" },
      rollback: { type: "boolean", description: `${choice} the stage's open rollback request instead` },
    },
    async run(ctx) {
      const t = await target(ctx);
      const rollback = ctx.input.flag("rollback");
      const req = { ...t, comment: ctx.input.string("comment") ?? "", rollback };
      const api = ctx.clients().flows;
      const res = choice === "approve" ? await api.approve(req) : await api.reject(req);
      // The approval that meets a rollback's approvals starts it: follow it like mx migration rollback.
      if (rollback && choice === "approve") return followStage(ctx, res.stage);
      if (ctx.out.json) {
        if (res.stage) ctx.out.document(protoJson(StageStatusSchema, res.stage));
        return 0;
      }
      if (res.stage) printStage(ctx.out, res.stage);
      return 0;
    },
  });
}

export const migrationApprove = voteCommand("approve");
export const migrationReject = voteCommand("reject");

/** The operator's choice for `mx migration resolve`, from its flags. */
export function resolveChoice(f: {
  resume: boolean;
  skip: boolean;
  rollback: boolean;
  tookEffect: boolean;
  notApplied: boolean;
}): { resolution: InDoubtResolution; rollback: boolean } {
  const usage = (m: string) => new UsageError(m, "migration resolve");
  if ([f.resume, f.skip, f.rollback].filter(Boolean).length !== 1) {
    throw usage("give exactly one of --resume, --skip or --rollback");
  }
  if ((f.tookEffect || f.notApplied) && !f.rollback) throw usage("--took-effect and --not-applied go with --rollback");
  if (f.tookEffect && f.notApplied) throw usage("give --took-effect or --not-applied, not both");
  const resolution =
    f.resume || f.notApplied
      ? InDoubtResolution.RERUN
      : f.skip || f.tookEffect
        ? InDoubtResolution.SKIP
        : InDoubtResolution.UNSPECIFIED;
  return { resolution, rollback: f.rollback };
}

export const migrationResolve = defineCommand({
  path: ["migration", "resolve"],
  summary: "answer for a run left in doubt (a statement that may have committed unrecorded): resume it or roll it back",
  args: ["RUN_ID"],
  options: {
    resume: { type: "boolean", description: "the statement did not take effect: run it again" },
    skip: { type: "boolean", description: "the statement took effect: count it as done" },
    rollback: { type: "boolean", description: "roll the migration back on that database instead of resuming" },
    "took-effect": { type: "boolean", description: "with --rollback: the statement took effect, undo it too" },
    "not-applied": { type: "boolean", description: "with --rollback: the statement did not take effect" },
  },
  details: [
    "Only for a statement introspection could not decide (the run's error names it); the runner",
    "decides CREATE/DROP TABLE, CREATE/DROP INDEX and ADD/DROP COLUMN by itself, so --rollback",
    "alone is enough for those. In a flow, --rollback is the stage's Rollback with its approval rules.",
  ],
  async run(ctx) {
    const { resolution, rollback } = resolveChoice({
      resume: ctx.input.flag("resume"),
      skip: ctx.input.flag("skip"),
      rollback: ctx.input.flag("rollback"),
      tookEffect: ctx.input.flag("took-effect"),
      notApplied: ctx.input.flag("not-applied"),
    });
    const res = await ctx.clients().migrations.resolveRun({
      runId: ctx.input.positionals[0] ?? "",
      resolution,
      rollback,
    });
    if (res.message) ctx.out.note(res.message);
    return res.run ? finish(ctx.out, await followAll(ctx, [res.run])) : 0;
  },
});
