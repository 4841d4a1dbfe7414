// FlowService: flows, promotion, votes and rollback over control/flows.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import {
  type FlowSchema,
  type FlowService,
  type FlowStage,
  StagePolicy,
  type StageStatusSchema,
} from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import type { RollbackScriptSchema } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { engineToProto } from "../domain/engines.ts";
import {
  autoAdvance,
  createFlow,
  enterFlow,
  type FlowView,
  getFlow,
  listFlows,
  promote,
  type RollbackScriptRow,
  rollback,
  type StageCall,
  type StageStatusView,
  stageOf,
  stageStatuses,
  vote,
} from "../flows/index.ts";
import { type Caller, requesterOf } from "../identity/index.ts";
import type { StagePolicy as StagePolicyName } from "../store/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import { runMsg } from "./convert.ts";
import type { ServiceDeps } from "./deps.ts";

function policyFromProto(p: StagePolicy, where: string): StagePolicyName {
  if (p === StagePolicy.AUTO) return "auto";
  if (p === StagePolicy.MANUAL || p === StagePolicy.UNSPECIFIED) return "manual";
  throw new MigratrixError("invalid_argument", `${where}: unknown stage policy ${p}`);
}

function flowMsg(f: FlowView): MessageInitShape<typeof FlowSchema> {
  return {
    id: f.id,
    name: f.name,
    engine: engineToProto(f.engine),
    createdBy: f.createdBy,
    createdAt: timestampFromDate(f.createdAt),
    stages: f.stages.map((s) => ({
      position: s.position,
      environment: s.environment.name,
      connections: s.connections.map((c) => c.name),
      policy: s.policy === "auto" ? StagePolicy.AUTO : StagePolicy.MANUAL,
      requiredApprovals: s.requiredApprovals,
      approverRoles: s.approverRoles,
      approverEmails: s.approverEmails,
      allowSelfApproval: s.allowSelfApproval,
      rollbackApprovals: s.rollbackApprovals,
      riskApprovals: s.riskApprovals,
      blockCritical: s.blockCritical,
      allowWithoutBackup: s.allowWithoutBackup,
      maxBackupRows: s.maxBackupRows,
    })),
  };
}

function statusMsg(s: StageStatusView, flowName: string): MessageInitShape<typeof StageStatusSchema> {
  const states = ["queued", "pending", "in_progress", "completed", "failed", "rejected"] as const;
  return {
    position: s.stage.position,
    environment: s.stage.environment.name,
    state: states.indexOf(s.state) + 1,
    operation: s.operation,
    approvals: s.tally.approvals,
    requiredApprovals: s.requiredApprovals,
    votes: [...s.tally.votes, ...s.rollbackTally.votes].map((v) => ({
      email: v.email,
      approve: v.vote === "approve",
      comment: v.comment,
      checksum: v.checksum,
      valid: v.valid,
      at: timestampFromDate(v.createdAt),
      via: v.via,
      rollback: v.operation === "revert",
    })),
    runs: s.runs.map(runMsg),
    schemaImpact: s.schemaImpact,
    rollbackRequestedBy: s.rollbackRequestedBy,
    rollbackApprovals: s.rollbackTally.approvals,
    rollbackRequiredApprovals: s.stage.rollbackApprovals,
    rollbackScripts: s.rollbackScripts.map((r) =>
      rollbackScriptMsg(r, {
        flow: flowName,
        stage: s.stage.environment.name,
        connection: s.stage.connections.find((c) => c.id === r.connectionId)?.name ?? r.connectionId,
      }),
    ),
    approvalChecksum: s.approvalChecksum,
  };
}

/** A generated down script as the API shows it, with the names of its flow, stage and database. */
export function rollbackScriptMsg(
  r: RollbackScriptRow,
  names: { flow: string; stage: string; connection: string },
): MessageInitShape<typeof RollbackScriptSchema> {
  return {
    ...names,
    sql: r.downSql,
    checksum: r.checksum,
    reversibility: r.reversibility,
    notes: r.notes,
    origin: r.origin,
    source: r.source,
    generatedAt: timestampFromDate(r.generatedAt),
  };
}

function stageCall(
  req: { flow: string; migrationId: string; stage: string },
  c: Caller,
  ctx: HandlerContext,
): StageCall {
  if (!req.flow || !req.migrationId || !req.stage) {
    throw new MigratrixError("invalid_argument", "flow, migration_id and stage are all required");
  }
  return {
    workspaceId: c.workspaceId,
    flow: req.flow,
    migrationId: req.migrationId,
    stage: req.stage,
    actor: c.actor,
    requestedBy: requesterOf(c),
    correlationId: correlationOf(ctx),
  };
}

export function flowService(deps: ServiceDeps): Partial<ServiceImpl<typeof FlowService>> {
  const statusOf = async (call: StageCall) => {
    const flow = await getFlow(deps.db, call.workspaceId, call.flow);
    const stage = stageOf(flow, call.stage);
    const all = await stageStatuses(deps.db, call.workspaceId, flow, call.migrationId);
    const mine = all.find((s) => s.stage.position === stage.position);
    return mine ? statusMsg(mine, flow.name) : undefined;
  };
  // Entering a flow reads the first stage's live schema for the generated down script (issue 5).
  const entry = (call: StageCall) => ({
    bus: deps.bus,
    agentRequestTimeoutMs: deps.agentRequestTimeoutMs,
    correlationId: call.correlationId,
  });
  return {
    async createFlow(req, ctx) {
      const c = callerOf(ctx);
      const flow = await createFlow(deps.db, {
        workspaceId: c.workspaceId,
        name: req.name,
        stages: req.stages.map((s: FlowStage, i) => ({
          environment: s.environment,
          connections: s.connections,
          policy: policyFromProto(s.policy, `flow ${req.name} stage ${i + 1}`),
          requiredApprovals: s.requiredApprovals,
          approverRoles: s.approverRoles,
          approverEmails: s.approverEmails,
          allowSelfApproval: s.allowSelfApproval,
          rollbackApprovals: s.rollbackApprovals,
          allowWithoutBackup: s.allowWithoutBackup,
          maxBackupRows: s.maxBackupRows,
          riskApprovals: s.riskApprovals,
          blockCritical: s.blockCritical,
        })),
        actor: c.actor,
        createdBy: requesterOf(c),
        correlationId: correlationOf(ctx),
      });
      return { flow: flowMsg(flow) };
    },
    async getFlow(req, ctx) {
      const c = callerOf(ctx);
      const flow = await getFlow(deps.db, c.workspaceId, req.name);
      const stages = req.migrationId ? await stageStatuses(deps.db, c.workspaceId, flow, req.migrationId) : [];
      return { flow: flowMsg(flow), stages: stages.map((s) => statusMsg(s, flow.name)) };
    },
    async listFlows(_req, ctx) {
      const c = callerOf(ctx);
      return { flows: (await listFlows(deps.db, c.workspaceId)).map(flowMsg) };
    },
    async promote(req, ctx) {
      const c = callerOf(ctx);
      const call = stageCall(req, c, ctx);
      await promote(deps.db, deps.bus, call, {
        agentOnlineMs: deps.agentOnlineMs,
        agentRequestTimeoutMs: deps.agentRequestTimeoutMs,
      });
      return { stage: await statusOf(call) };
    },
    async approve(req, ctx) {
      const c = callerOf(ctx);
      const call = stageCall(req, c, ctx);
      if (req.rollback) {
        await vote(deps.db, { ...call, comment: req.comment }, c, "approve", "revert");
        // The vote that meets the stage's rollback approvals starts the rollback.
        await rollback(deps.db, deps.bus, call, { whenApproved: true });
        return { stage: await statusOf(call) };
      }
      await enterFlow(deps.db, call, entry(call));
      await vote(deps.db, { ...call, comment: req.comment }, c, "approve");
      const flow = await getFlow(deps.db, c.workspaceId, call.flow);
      const stage = stageOf(flow, call.stage);
      // The vote that completes an auto stage's approvals starts it when its turn has come.
      await autoAdvance(
        deps.db,
        deps.bus,
        [{ workspaceId: c.workspaceId, flowId: flow.id, migrationId: req.migrationId, position: stage.position }],
        { agentOnlineMs: deps.agentOnlineMs, log: deps.log, correlationId: call.correlationId },
      );
      return { stage: await statusOf(call) };
    },
    async reject(req, ctx) {
      const c = callerOf(ctx);
      const call = stageCall(req, c, ctx);
      if (!req.rollback) await enterFlow(deps.db, call, entry(call));
      await vote(deps.db, { ...call, comment: req.comment }, c, "reject", req.rollback ? "revert" : "apply");
      return { stage: await statusOf(call) };
    },
    async rollback(req, ctx) {
      const c = callerOf(ctx);
      const call = stageCall(req, c, ctx);
      await rollback(deps.db, deps.bus, call);
      return { stage: await statusOf(call) };
    },
  };
}
