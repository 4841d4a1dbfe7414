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
import { engineToProto } from "../domain/engines.ts";
import {
  autoAdvance,
  createFlow,
  type FlowView,
  getFlow,
  listFlows,
  promote,
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
    })),
  };
}

function statusMsg(s: StageStatusView): MessageInitShape<typeof StageStatusSchema> {
  const states = ["queued", "pending", "in_progress", "completed", "failed", "rejected"] as const;
  return {
    position: s.stage.position,
    environment: s.stage.environment.name,
    state: states.indexOf(s.state) + 1,
    operation: s.operation,
    approvals: s.tally.approvals,
    requiredApprovals: s.stage.requiredApprovals,
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
    return mine ? statusMsg(mine) : undefined;
  };
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
      return { flow: flowMsg(flow), stages: stages.map(statusMsg) };
    },
    async listFlows(_req, ctx) {
      const c = callerOf(ctx);
      return { flows: (await listFlows(deps.db, c.workspaceId)).map(flowMsg) };
    },
    async promote(req, ctx) {
      const c = callerOf(ctx);
      const call = stageCall(req, c, ctx);
      await promote(deps.db, deps.bus, call, { agentOnlineMs: deps.agentOnlineMs });
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
