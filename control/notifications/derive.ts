// What a chat channel hears about one audit record: the stage transitions (approval needed, apply
// completed or failed, rollback done), drift checks that found drift and transfers starting or
// ending become notifications; every other record becomes none. The record's own facts decide the kind, so re-reading a record after a
// restart gives the same notification.
import { and, desc, eq } from "drizzle-orm";
import type { AuditRow } from "../audit/index.ts";
import { getMigration } from "../domain/migrations.ts";
import { voteRefusal } from "../flows/access.ts";
import { approvalsNeeded, type FlowView, getFlowById } from "../flows/definitions.ts";
import { tally } from "../flows/votes.ts";
import { grantsOf } from "../identity/grants.ts";
import type { ChatPlatform, Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { getTransferJob } from "../transfers/jobs.ts";

type NotificationKindName = tables.NotificationKindName;

export interface NotificationContent {
  kind: NotificationKindName;
  flow: string;
  environment: string;
  migrationId: string;
  migrationName: string;
  operation: string;
  approvals: number;
  requiredApprovals: number;
  riskLevel: string;
  /** Chat user ids (of the platform) of the stage's eligible approvers. */
  mentionUsers: string[];
  connection: string;
  failedStatement: string;
  error: string;
  changes: number;
  diffText: string;
  /** Transfer: the job, its two connections, "started" or how it ended, and what it copied. */
  transferId: string;
  transferFrom: string;
  transferTo: string;
  transferState: string;
  rows: number;
  bytes: number;
  verified: boolean;
  actor: string;
  at: Date;
}

/** Transfer records and the state each says the transfer is in. */
const TRANSFER_STATES: Record<string, string> = {
  "transfer.start": "started",
  "transfer.complete": "completed",
  "transfer.fail": "failed",
  "transfer.reject": "rejected",
};

/** Audit actions that may become a notification; the rest are skipped without a query. */
export const NOTIFYING_ACTIONS: readonly string[] = [
  "flow.enter",
  "stage.pending",
  "stage.completed",
  "stage.failed",
  "drift.check",
  ...Object.keys(TRANSFER_STATES),
];

const DIFF_LINES = 15;

const str = (v: unknown) => (typeof v === "string" ? v : "");

function blank(row: AuditRow, kind: NotificationKindName): NotificationContent {
  return {
    kind,
    flow: "",
    environment: row.environment ?? "",
    migrationId: "",
    migrationName: "",
    operation: "",
    approvals: 0,
    requiredApprovals: 0,
    riskLevel: "",
    mentionUsers: [],
    connection: "",
    failedStatement: "",
    error: "",
    changes: 0,
    diffText: "",
    transferId: "",
    transferFrom: "",
    transferTo: "",
    transferState: "",
    rows: 0,
    bytes: 0,
    verified: false,
    actor: row.actor,
    at: row.at,
  };
}

function kindOfStage(row: AuditRow): NotificationKindName | null {
  const from = str(row.detail.from);
  const operation = str(row.detail.operation);
  if (row.action === "stage.completed") return "run_completed";
  if (row.action === "stage.failed") return "run_failed";
  if (row.action !== "stage.pending") return null;
  if (from === "InProgress" && operation === "revert") return "rollback_completed";
  if (from === "Queued") return "approval_needed";
  return null;
}

/**
 * The kind, flow and stage position a flow record is about: a stage transition, or a migration
 * entering a flow (its first stage starts Pending, and may need approvals).
 */
async function stageOfRecord(
  db: Db,
  row: AuditRow,
): Promise<{ kind: NotificationKindName; flow: FlowView; position: number } | null> {
  if (row.action === "flow.enter") {
    const stages = Array.isArray(row.detail.stages)
      ? (row.detail.stages as { stage?: unknown; state?: unknown }[])
      : [];
    if (!stages.some((s) => s.stage === 1 && s.state === "Pending")) return null;
    const [flow] = await db
      .select({ id: tables.flows.id })
      .from(tables.flows)
      .where(and(eq(tables.flows.workspaceId, row.workspaceId), eq(tables.flows.name, str(row.detail.flow))));
    if (!flow) return null;
    return { kind: "approval_needed", flow: await getFlowById(db, row.workspaceId, flow.id), position: 1 };
  }
  const kind = kindOfStage(row);
  const flowId = str(row.detail.flowId);
  const position = Number(row.detail.stage);
  if (kind === null || flowId === "" || !Number.isInteger(position)) return null;
  return { kind, flow: await getFlowById(db, row.workspaceId, flowId), position };
}

/** The notification an audit record stands for, as the platform's users see it; null for none. */
export async function deriveNotification(
  db: Db,
  row: AuditRow,
  platform: ChatPlatform,
): Promise<NotificationContent | null> {
  if (!NOTIFYING_ACTIONS.includes(row.action)) return null;
  if (row.action === "drift.check") return driftNotification(db, row);
  const transferState = TRANSFER_STATES[row.action];
  if (transferState !== undefined) return transferNotification(db, row, transferState);
  const migrationId = (row.target ?? "").replace(/^migration:/, "");
  const at = await stageOfRecord(db, row);
  if (at === null || migrationId === "") return null;
  const { kind, flow, position } = at;
  const flowId = flow.id;
  const stage = flow.stages.find((s) => s.position === position);
  const migration = await getMigration(db, row.workspaceId, migrationId);
  if (!stage) return null;
  const key = { workspaceId: row.workspaceId, flowId, migrationId, position };
  const votes = await tally(db, key, migration.checksum);
  // Approval needed only where the stage asks for approvals at all (a fact of the flow).
  const requiredApprovals = approvalsNeeded(stage, migration.riskLevel);
  if (kind === "approval_needed" && requiredApprovals === 0) return null;
  const base: NotificationContent = {
    ...blank(row, kind),
    flow: flow.name,
    environment: stage.environment.name,
    migrationId,
    migrationName: migration.name,
    operation: str(row.detail.operation) || "apply",
    approvals: votes.approvals,
    requiredApprovals,
    riskLevel: migration.riskLevel ?? "",
  };
  if (kind === "approval_needed") {
    return { ...base, mentionUsers: await eligibleApprovers(db, flow, position, migration.createdBy, platform) };
  }
  if (kind === "run_failed") return { ...base, ...(await failureOf(db, row, migrationId, stage.environmentId)) };
  return base;
}

/** The platform accounts linked to people who may vote on the stage (flows/access.ts decides). */
async function eligibleApprovers(
  db: Db,
  flow: FlowView,
  position: number,
  author: string,
  platform: ChatPlatform,
): Promise<string[]> {
  const stage = flow.stages.find((s) => s.position === position);
  if (!stage) return [];
  const linked = await db
    .select({
      chatUserId: tables.chatIdentities.chatUserId,
      userId: tables.users.id,
      email: tables.users.email,
      role: tables.memberships.role,
    })
    .from(tables.chatIdentities)
    .innerJoin(tables.users, eq(tables.users.id, tables.chatIdentities.userId))
    .innerJoin(
      tables.memberships,
      and(eq(tables.memberships.userId, tables.users.id), eq(tables.memberships.workspaceId, flow.workspaceId)),
    )
    .where(and(eq(tables.chatIdentities.workspaceId, flow.workspaceId), eq(tables.chatIdentities.platform, platform)))
    .orderBy(tables.chatIdentities.chatUserId);
  const out: string[] = [];
  for (const l of linked) {
    // The same question the vote itself asks, for this person as a caller.
    const refusal = voteRefusal(
      {
        userId: l.userId,
        email: l.email,
        workspaceId: flow.workspaceId,
        workspaceName: "",
        workspaceKind: "organisation",
        workspaceRole: l.role,
        grants: await grantsOf(db, flow.workspaceId, l.userId),
        tokenId: "",
        tokenName: "",
        tokenKind: "user",
        actor: `user:${l.userId}`,
      },
      stage,
      author,
    );
    if (refusal === null) out.push(l.chatUserId);
  }
  return out;
}

/** The failed run of the stage's transition: where and why. */
async function failureOf(
  db: Db,
  row: AuditRow,
  migrationId: string,
  environmentId: string,
): Promise<Pick<NotificationContent, "connection" | "failedStatement" | "error">> {
  const [failed] = await db
    .select({ id: tables.runs.id, error: tables.runs.error, connection: tables.connections.name })
    .from(tables.runs)
    .innerJoin(tables.connections, eq(tables.connections.id, tables.runs.connectionId))
    .where(
      and(
        eq(tables.runs.workspaceId, row.workspaceId),
        eq(tables.runs.migrationId, migrationId),
        eq(tables.runs.environmentId, environmentId),
        eq(tables.runs.direction, str(row.detail.operation) === "revert" ? "revert" : "apply"),
        eq(tables.runs.state, "failed"),
      ),
    )
    .orderBy(desc(tables.runs.updatedAt))
    .limit(1);
  if (!failed) return { connection: "", failedStatement: "", error: "" };
  const [event] = await db
    .select({ event: tables.runEvents.event })
    .from(tables.runEvents)
    .where(and(eq(tables.runEvents.runId, failed.id), eq(tables.runEvents.kind, "statementFailed")))
    .orderBy(desc(tables.runEvents.seq))
    .limit(1);
  const excerpt = (event?.event as { statementFailed?: { statement?: { excerpt?: string } } } | undefined)
    ?.statementFailed?.statement?.excerpt;
  const err = failed.error;
  return {
    connection: `${row.environment ?? ""}/${failed.connection}`,
    failedStatement: excerpt ?? "",
    error: err ? `${err.message}${err.nativeCode ? ` (${err.nativeCode})` : ""}` : "",
  };
}

async function driftNotification(db: Db, row: AuditRow): Promise<NotificationContent | null> {
  if (str(row.detail.status) !== "drifted") return null;
  const path = row.target ?? "";
  const [report] = await db
    .select({ diffText: tables.driftReports.diffText, migrationId: tables.driftReports.migrationId })
    .from(tables.driftReports)
    .innerJoin(tables.connections, eq(tables.connections.id, tables.driftReports.connectionId))
    .where(
      and(
        eq(tables.driftReports.workspaceId, row.workspaceId),
        eq(tables.driftReports.correlationId, row.correlationId),
        eq(tables.driftReports.status, "drifted"),
        eq(tables.connections.name, path.slice(path.indexOf("/") + 1)),
      ),
    )
    .orderBy(desc(tables.driftReports.checkedAt));
  const lines = (report?.diffText ?? "").split("\n");
  const shown = lines.slice(0, DIFF_LINES);
  const more = lines.length - shown.length;
  return {
    ...blank(row, "drift_detected"),
    connection: path,
    migrationId: report?.migrationId ?? "",
    changes: Number(row.detail.changes) || 0,
    diffText: more > 0 ? `${shown.join("\n")}\n… ${more} more line${more === 1 ? "" : "s"}` : shown.join("\n"),
  };
}

/** A transfer started or ended: one message per channel, which the bot edits as the job progresses. */
async function transferNotification(db: Db, row: AuditRow, state: string): Promise<NotificationContent | null> {
  const id = (row.target ?? "").replace(/^transfer:/, "");
  const job = await getTransferJob(db, row.workspaceId, id);
  return {
    ...blank(row, "transfer"),
    environment: job.targetEnvironment,
    transferId: job.id,
    transferFrom: job.from,
    transferTo: job.to,
    transferState: state,
    // What the record says (not the job's latest), so re-reading the record gives the same message.
    rows: Number(row.detail.rows) || 0,
    bytes: Number(row.detail.bytes) || 0,
    verified: row.detail.verified === true,
    error: str(row.detail.error),
  };
}
