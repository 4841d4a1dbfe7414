// Flow definitions: an ordered list of stages, each an environment, the connections a migration
// fans out to there, and its policy. Validated as a whole when created, so a flow that exists is
// always runnable as written: one engine throughout, approvals never below the environment's.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import { type ConnectionView, listConnections } from "../domain/connections.ts";
import { checkName, type EnvironmentRow, getEnvironment } from "../domain/environments.ts";
import type { Db, Role, StagePolicy, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type FlowRow = typeof tables.flows.$inferSelect;
export type FlowStageRow = typeof tables.flowStages.$inferSelect;

export interface StageView extends FlowStageRow {
  environment: EnvironmentRow;
  connections: ConnectionView[];
}

export interface FlowView extends FlowRow {
  stages: StageView[];
}

export interface StageSpec {
  environment: string;
  /** Connection names; empty means every connection of the environment. */
  connections: string[];
  policy: StagePolicy;
  /** 0 means the environment's default. */
  requiredApprovals: number;
  approverRoles: string[];
  approverEmails: string[];
  allowSelfApproval: boolean;
  /** Approvals a rollback needs on this stage (0: none); omitted = 0. */
  rollbackApprovals?: number;
  /** A backup that cannot be taken does not stop a run on this stage (issue 5); omitted = false. */
  allowWithoutBackup?: boolean;
  /** The largest backup (rows) a statement may take on this stage; 0 or omitted = the agent's default. */
  maxBackupRows?: number;
  /** Extra approvals a migration whose risk is High or Critical needs on this stage; omitted = 0. */
  riskApprovals?: number;
  /** Refuse a Critical migration on this stage (always so on a protected environment); omitted = false. */
  blockCritical?: boolean;
}

const HIGH_RISK: readonly string[] = ["High", "Critical"];

/** Approvals a migration needs on a stage: the stage's own, plus its risk policy's at High and above. */
export function approvalsNeeded(
  stage: { requiredApprovals: number; riskApprovals: number },
  riskLevel: string,
): number {
  return stage.requiredApprovals + (HIGH_RISK.includes(riskLevel) ? stage.riskApprovals : 0);
}

/** Whether the stage refuses a Critical migration: a protected environment always does. */
export function blocksCritical(stage: { blockCritical: boolean; environment: { protected: boolean } }): boolean {
  return stage.blockCritical || stage.environment.protected;
}

export interface CreateFlowInput {
  workspaceId: string;
  name: string;
  stages: StageSpec[];
  actor: string;
  createdBy: string;
  correlationId: string;
}

export const DEFAULT_APPROVER_ROLES: readonly Role[] = ["admin", "approver"];

function invalid(message: string): never {
  throw new MigratrixError("invalid_argument", message);
}

interface ResolvedStage {
  env: EnvironmentRow;
  connections: ConnectionView[];
  required: number;
  roles: string[];
  emails: string[];
  rollback: number;
  risk: number;
}

async function resolveStage(
  db: Db,
  workspaceId: string,
  flow: string,
  spec: StageSpec,
  position: number,
): Promise<ResolvedStage> {
  const env = await getEnvironment(db, workspaceId, spec.environment);
  const all = await listConnections(db, workspaceId, env.name);
  const connections =
    spec.connections.length === 0
      ? all
      : spec.connections.map(
          (name) =>
            all.find((c) => c.name === name) ??
            invalid(`flow ${flow} stage ${position} (${env.name}): connection ${env.name}/${name} does not exist`),
        );
  if (connections.length === 0) {
    throw new MigratrixError(
      "failed_precondition",
      `flow ${flow} stage ${position} (${env.name}): environment ${env.name} has no connection; add one with mx connection add`,
    );
  }
  const required = spec.requiredApprovals === 0 ? env.requiredApprovals : spec.requiredApprovals;
  if (required < env.requiredApprovals) {
    invalid(
      `flow ${flow} stage ${position} (${env.name}) asks for ${required} approval(s) but environment ${env.name} requires ${env.requiredApprovals}: a stage may tighten the policy, never loosen it`,
    );
  }
  const roles = spec.approverRoles.length === 0 ? [...DEFAULT_APPROVER_ROLES] : spec.approverRoles;
  const known: readonly string[] = tables.ROLES;
  const unknown = roles.find((r) => !known.includes(r));
  if (unknown !== undefined) {
    invalid(
      `flow ${flow} stage ${position} (${env.name}): unknown approver role ${unknown} (one of ${known.join(", ")})`,
    );
  }
  const emails = [...new Set(spec.approverEmails.map((e) => e.trim().toLowerCase()))];
  if (emails.length > 0 && emails.length < required) {
    invalid(
      `flow ${flow} stage ${position} (${env.name}) needs ${required} approvals but names only ${emails.length} approver(s)`,
    );
  }
  const maxBackupRows = spec.maxBackupRows ?? 0;
  if (!Number.isInteger(maxBackupRows) || maxBackupRows < 0) {
    invalid(
      `flow ${flow} stage ${position} (${env.name}): the backup size limit must be a row count, got ${maxBackupRows}`,
    );
  }
  const risk = spec.riskApprovals ?? 0;
  if (!Number.isInteger(risk) || risk < 0 || risk > 100) {
    invalid(`flow ${flow} stage ${position} (${env.name}): risk approvals must be 0 to 100, got ${risk}`);
  }
  if (emails.length > 0 && emails.length < required + risk) {
    invalid(
      `flow ${flow} stage ${position} (${env.name}) needs up to ${required + risk} approvals for a High-risk migration but names only ${emails.length} approver(s)`,
    );
  }
  const rollback = spec.rollbackApprovals ?? 0;
  if (!Number.isInteger(rollback) || rollback < 0 || rollback > 100) {
    invalid(`flow ${flow} stage ${position} (${env.name}): rollback approvals must be 0 to 100, got ${rollback}`);
  }
  if (emails.length > 0 && emails.length < rollback) {
    invalid(
      `flow ${flow} stage ${position} (${env.name}) needs ${rollback} rollback approvals but names only ${emails.length} approver(s)`,
    );
  }
  return { env, connections, required, roles, emails, rollback, risk };
}

export async function createFlow(db: Db, input: CreateFlowInput): Promise<FlowView> {
  checkName("flow", input.name);
  if (input.stages.length === 0) invalid(`flow ${input.name} needs at least one stage`);
  const resolved: ResolvedStage[] = [];
  for (const [i, spec] of input.stages.entries()) {
    resolved.push(await resolveStage(db, input.workspaceId, input.name, spec, i + 1));
  }
  const seen = new Set<string>();
  for (const r of resolved) {
    if (seen.has(r.env.id)) invalid(`flow ${input.name} lists environment ${r.env.name} twice`);
    seen.add(r.env.id);
  }
  const all = resolved.flatMap((r) => r.connections);
  const engine = all[0]?.engine ?? "";
  const other = all.find((c) => c.engine !== engine);
  if (other !== undefined) {
    const first = all[0];
    invalid(
      `flow ${input.name} mixes engines: ${first?.environment}/${first?.name} is ${engine} but ${other.environment}/${other.name} is ${other.engine}; a flow carries one migration file, split for one engine`,
    );
  }
  const id = await db.transaction(async (tx) => {
    const [flow] = await tx
      .insert(tables.flows)
      .values({ workspaceId: input.workspaceId, name: input.name, engine, createdBy: input.createdBy })
      .onConflictDoNothing()
      .returning();
    if (!flow) throw new MigratrixError("already_exists", `flow ${input.name} already exists`);
    await tx.insert(tables.flowStages).values(
      resolved.map((r, i) => ({
        flowId: flow.id,
        position: i + 1,
        environmentId: r.env.id,
        policy: input.stages[i]?.policy ?? "manual",
        requiredApprovals: r.required,
        approverRoles: r.roles,
        approverEmails: r.emails,
        allowSelfApproval: input.stages[i]?.allowSelfApproval ?? false,
        connectionIds: r.connections.map((c) => c.id),
        rollbackApprovals: r.rollback,
        allowWithoutBackup: input.stages[i]?.allowWithoutBackup ?? false,
        maxBackupRows: input.stages[i]?.maxBackupRows ?? 0,
        riskApprovals: r.risk,
        blockCritical: input.stages[i]?.blockCritical ?? false,
      })),
    );
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "flow.create",
      target: `flow:${flow.id}`,
      correlationId: input.correlationId,
      detail: {
        name: flow.name,
        engine,
        stages: resolved.map((r, i) => ({
          environment: r.env.name,
          connections: r.connections.map((c) => c.name),
          policy: input.stages[i]?.policy ?? "manual",
          requiredApprovals: r.required,
          rollbackApprovals: r.rollback,
          ...(input.stages[i]?.allowWithoutBackup ? { allowWithoutBackup: true } : {}),
          ...(input.stages[i]?.maxBackupRows ? { maxBackupRows: input.stages[i]?.maxBackupRows } : {}),
          ...(r.risk > 0 ? { riskApprovals: r.risk } : {}),
          ...(input.stages[i]?.blockCritical ? { blockCritical: true } : {}),
          ...(r.emails.length > 0 ? { approverEmails: r.emails } : { approverRoles: r.roles }),
        })),
      },
    });
    return flow.id;
  });
  return loadFlow(db, input.workspaceId, { id });
}

export async function getFlow(db: Db | Tx, workspaceId: string, name: string): Promise<FlowView> {
  return loadFlow(db, workspaceId, { name });
}

export async function getFlowById(db: Db | Tx, workspaceId: string, id: string): Promise<FlowView> {
  return loadFlow(db, workspaceId, { id });
}

export async function listFlows(db: Db, workspaceId: string): Promise<FlowView[]> {
  const rows = await db
    .select({ id: tables.flows.id })
    .from(tables.flows)
    .where(eq(tables.flows.workspaceId, workspaceId))
    .orderBy(asc(tables.flows.name));
  return Promise.all(rows.map((r) => loadFlow(db, workspaceId, { id: r.id })));
}

async function loadFlow(db: Db | Tx, workspaceId: string, by: { id: string } | { name: string }): Promise<FlowView> {
  const key = "id" in by ? eq(tables.flows.id, by.id) : eq(tables.flows.name, by.name);
  const [flow] = await db
    .select()
    .from(tables.flows)
    .where(and(eq(tables.flows.workspaceId, workspaceId), key));
  if (!flow) throw new MigratrixError("not_found", `flow ${"id" in by ? by.id : by.name} not found`);
  const stages = await db
    .select({ stage: tables.flowStages, environment: tables.environments })
    .from(tables.flowStages)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.flowStages.environmentId))
    .where(eq(tables.flowStages.flowId, flow.id))
    .orderBy(asc(tables.flowStages.position));
  const conns = await db
    .select({
      id: tables.connections.id,
      name: tables.connections.name,
      environment: tables.environments.name,
      environmentId: tables.environments.id,
      engine: tables.connections.engine,
      agentId: tables.connections.agentId,
    })
    .from(tables.connections)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.connections.environmentId))
    .where(eq(tables.connections.workspaceId, workspaceId));
  const byId = new Map(conns.map((c) => [c.id, c]));
  return {
    ...flow,
    stages: stages.map(({ stage, environment }) => ({
      ...stage,
      environment,
      connections: stage.connectionIds.flatMap((id) => {
        const c = byId.get(id);
        return c ? [c] : [];
      }),
    })),
  };
}

/** The stage of a flow whose environment is `environment`. */
export function stageOf(flow: FlowView, environment: string): StageView {
  const stage = flow.stages.find((s) => s.environment.name === environment);
  if (!stage) {
    throw new MigratrixError(
      "not_found",
      `flow ${flow.name} has no stage ${environment} (stages: ${flow.stages.map((s) => s.environment.name).join(", ")})`,
    );
  }
  return stage;
}
