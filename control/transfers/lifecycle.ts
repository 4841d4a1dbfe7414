// A transfer job's life after it was started: the lease the agent must hold (a fencing token bumped
// on every grant, like runs), the agent's events (progress, result, end) applied under that token,
// lapsed leases, and the auto-retry with back-off that publishes attempt n+1, which resumes from the
// target's checkpoints. Every state change is one transaction with its audit record.
import { and, eq, isNotNull, lt, lte } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import type { LeaseRequest } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { type JobEvent, RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { appendAudit } from "../audit/index.ts";
import {
  denyLease,
  grantLease,
  type LeaseDecision,
  type LeaseNames,
  type LeaseSettings,
  leaseStep,
} from "../runs/lease.ts";
import { errorFromDb, isTerminal, runStateLabel } from "../runs/state.ts";
import type { Db, RunErrorJson, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { DEFAULT_RETRY_BASE_MS, getTransferJob, publishPending, type TransferJobRow } from "./jobs.ts";

async function lockJob(tx: Tx, workspaceId: string, id: string) {
  const [row] = await tx
    .select({ job: tables.transferJobs, environment: tables.environments.name, agent: tables.connections.agentId })
    .from(tables.transferJobs)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.transferJobs.environmentId))
    .innerJoin(tables.connections, eq(tables.connections.id, tables.transferJobs.targetConnectionId))
    .where(and(eq(tables.transferJobs.id, id), eq(tables.transferJobs.workspaceId, workspaceId)))
    .for("update", { of: tables.transferJobs });
  return row;
}

const TRANSFER_NAMES: LeaseNames = { full: "transfer job", short: "job" };

export async function decideTransferLease(
  db: Db,
  input: { workspaceId: string; req: LeaseRequest; settings: LeaseSettings; actor: string; now?: Date },
): Promise<LeaseDecision> {
  const { req, settings } = input;
  return db.transaction(async (tx) => {
    const row = await lockJob(tx, input.workspaceId, req.runId);
    if (!row) return denyLease(`transfer job ${req.runId} not found`);
    const { job } = row;
    const now = input.now ?? new Date();
    const step = leaseStep({
      row: job,
      servingAgent: row.agent,
      req,
      ttlMs: settings.ttlMs,
      now,
      names: TRANSFER_NAMES,
    });
    if (step.kind === "deny") return denyLease(step.reason);
    if (step.kind === "renew") {
      await tx
        .update(tables.transferJobs)
        .set({ leaseExpiresAt: step.expires, updatedAt: now })
        .where(eq(tables.transferJobs.id, job.id));
      return grantLease(step.token, settings);
    }
    await tx
      .update(tables.transferJobs)
      // Events of the new holder count from 1 again.
      .set({ ...step.patch, agentSeq: 0, retryAt: null })
      .where(eq(tables.transferJobs.id, job.id));
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "transfer.lease",
      environment: row.environment,
      target: `transfer:${job.id}`,
      correlationId: req.correlationId || job.correlationId,
      detail: step.detail,
    });
    return { ...grantLease(step.token, settings), runId: job.id };
  });
}

export type TransferEventOutcome = { outcome: "stored" | "duplicate" | "stale"; reason: string; ended: boolean };

type Patch = Partial<typeof tables.transferJobs.$inferInsert>;

/** Applies one agent event to its transfer job; stale tokens, old attempts and replays are dropped. */
export async function applyTransferEvent(
  db: Db,
  input: { workspaceId: string; subjectAgent: string; event: JobEvent; retryBaseMs?: number },
): Promise<TransferEventOutcome> {
  const { event } = input;
  if (event.agentId !== input.subjectAgent) {
    return {
      outcome: "stale",
      reason: `event names agent ${event.agentId} but came from ${input.subjectAgent}`,
      ended: false,
    };
  }
  return db.transaction(async (tx) => {
    const row = await lockJob(tx, input.workspaceId, event.runId);
    if (!row) return { outcome: "stale", reason: `transfer job ${event.runId} not found`, ended: false };
    const { job } = row;
    const why = staleReason(job, row.agent, event);
    if (why) return { outcome: "stale", reason: why, ended: false };
    if (event.seq !== 0n && Number(event.seq) <= job.agentSeq) {
      return { outcome: "duplicate", reason: `event ${event.seq} already applied`, ended: false };
    }
    const now = new Date();
    const patch: Patch = { agentSeq: Number(event.seq), updatedAt: now };
    const k = event.kind;
    let end: { ok: boolean; error: RunErrorJson | null; rejected: boolean } | undefined;
    switch (k.case) {
      case "transferProgress": {
        const p = k.value;
        patch.progress = {
          table: p.table,
          chunksCopied: p.chunksCopied,
          chunksSkipped: p.chunksSkipped,
          tableRows: Number(p.rows),
          totalRows: Number(p.totalRows),
          totalBytes: Number(p.totalBytes),
          estimatedRows: Number(p.estimatedRows),
          rowsPerSecond: p.rowsPerSecond,
          etaSeconds: p.etaSeconds,
        };
        patch.rows = Number(p.totalRows);
        patch.bytes = Number(p.totalBytes);
        break;
      }
      case "transferResult": {
        let report: Record<string, unknown> = {};
        try {
          report = JSON.parse(k.value.reportJson) as Record<string, unknown>;
        } catch {
          report = { unreadable: true };
        }
        Object.assign(patch, {
          report,
          verified: k.value.ok,
          rows: Number(k.value.rows),
          bytes: Number(k.value.bytes),
          progress: {
            ...(job.progress ?? {}),
            seconds: k.value.seconds,
            rowsPerSecond: k.value.seconds > 0 ? Number(k.value.rows) / k.value.seconds : 0,
            etaSeconds: 0,
          },
        });
        break;
      }
      case "finished": {
        const ok = k.value.outcome === RunOutcome.COMPLETED;
        end = {
          ok,
          error: ok ? null : errorFromDb(k.value.error, "the transfer failed"),
          rejected: false,
        };
        break;
      }
      case "rejected":
        end = { ok: false, error: errorFromDb(k.value.error, "the agent rejected the transfer"), rejected: true };
        break;
      default:
        break;
    }
    if (end) {
      Object.assign(patch, endPatch(job, end, now, input.retryBaseMs ?? DEFAULT_RETRY_BASE_MS));
    }
    await tx.update(tables.transferJobs).set(patch).where(eq(tables.transferJobs.id, job.id));
    if (end) await auditEnd(tx, { ...job, ...patch } as TransferJobRow, row.environment, `agent:${event.agentId}`);
    return { outcome: "stored", reason: "", ended: end !== undefined };
  });
}

function staleReason(job: TransferJobRow, servingAgent: string, event: JobEvent): string | null {
  if (event.attempt !== job.attempt) return `attempt ${event.attempt} is stale: job is at attempt ${job.attempt}`;
  if (event.fencingToken === 0n) {
    // Refused before leasing (unknown connection...): accepted only while nobody holds the job.
    const preLease = event.kind.case === "rejected" && job.state === "pending" && event.agentId === servingAgent;
    return preLease ? null : "event carries no fencing token";
  }
  if (job.state !== "in_progress") return `job is ${runStateLabel(job.state)}`;
  if (event.fencingToken !== BigInt(job.fencingToken) || event.agentId !== job.leaseOwner) {
    return `fencing token ${event.fencingToken} from ${event.agentId} is stale: lease is ${job.fencingToken} held by ${job.leaseOwner}`;
  }
  return null;
}

/**
 * The end of an attempt: Completed; or Failed, retried after a back-off while attempts remain (a
 * rejected job — bad options, pre-flight refused — is not: the same job would be refused again).
 */
function endPatch(
  job: TransferJobRow,
  end: { ok: boolean; error: RunErrorJson | null; rejected: boolean },
  now: Date,
  retryBaseMs: number,
): Patch {
  if (end.ok) return { state: "completed", error: null, leaseExpiresAt: null, finishedAt: now, retryAt: null };
  // A verification mismatch (data_loss) would be found again: not retried either.
  if (!end.rejected && end.error?.code !== "data_loss" && job.attempt < job.maxAttempts) {
    return {
      state: "pending",
      attempt: job.attempt + 1,
      error: end.error,
      leaseExpiresAt: null,
      leaseOwner: null,
      agentSeq: 0,
      retryAt: new Date(now.getTime() + retryBaseMs * 2 ** (job.attempt - 1)),
    };
  }
  return {
    state: end.rejected ? "rejected" : "failed",
    error: end.error,
    leaseExpiresAt: null,
    finishedAt: now,
    retryAt: null,
  };
}

async function auditEnd(tx: Tx, job: TransferJobRow, environment: string, actor: string): Promise<void> {
  const action =
    job.state === "completed"
      ? "transfer.complete"
      : job.state === "pending"
        ? "transfer.retry"
        : job.state === "rejected"
          ? "transfer.reject"
          : "transfer.fail";
  await appendAudit(tx, {
    workspaceId: job.workspaceId,
    actor,
    action,
    environment,
    target: `transfer:${job.id}`,
    correlationId: job.correlationId,
    detail: {
      to: runStateLabel(job.state),
      attempt: job.attempt,
      rows: job.rows,
      bytes: job.bytes,
      ...(job.state === "completed" ? { verified: job.verified } : {}),
      ...(job.error ? { error: job.error } : {}),
      ...(job.retryAt ? { retryAt: job.retryAt.toISOString() } : {}),
    },
  });
}

export const TRANSFER_REAPER_ACTOR = "control:reaper";

/**
 * Lapsed leases: the agent stopped renewing (killed, cut off). The attempt fails; a retry follows
 * after the back-off and resumes from the checkpoints. Returns the ids it changed.
 */
export async function reapTransferLeases(db: Db, now: Date, retryBaseMs: number): Promise<string[]> {
  const lapsed = await db
    .select({ id: tables.transferJobs.id, workspaceId: tables.transferJobs.workspaceId })
    .from(tables.transferJobs)
    .where(and(eq(tables.transferJobs.state, "in_progress"), lt(tables.transferJobs.leaseExpiresAt, now)));
  const changed: string[] = [];
  for (const { id, workspaceId } of lapsed) {
    const done = await db.transaction(async (tx) => {
      const row = await lockJob(tx, workspaceId, id);
      if (row?.job.state !== "in_progress") return false;
      const expires = row.job.leaseExpiresAt;
      if (!expires || expires >= now) return false;
      const error: RunErrorJson = {
        code: "unavailable",
        message: `agent ${row.job.leaseOwner ?? "unknown"} stopped responding during attempt ${row.job.attempt} (lease lapsed)`,
      };
      const patch = endPatch(row.job, { ok: false, error, rejected: false }, now, retryBaseMs);
      await tx
        .update(tables.transferJobs)
        .set({ ...patch, updatedAt: now })
        .where(eq(tables.transferJobs.id, id));
      await auditEnd(tx, { ...row.job, ...patch } as TransferJobRow, row.environment, TRANSFER_REAPER_ACTOR);
      return true;
    });
    if (done) changed.push(id);
  }
  return changed;
}

/** Publishes the attempts whose back-off is over (and new jobs whose first publish was lost). Returns their ids. */
export async function publishDueRetries(db: Db, bus: Bus, now: Date): Promise<string[]> {
  const due = await db
    .select({ id: tables.transferJobs.id, workspaceId: tables.transferJobs.workspaceId })
    .from(tables.transferJobs)
    .where(
      and(
        eq(tables.transferJobs.state, "pending"),
        isNotNull(tables.transferJobs.retryAt),
        lte(tables.transferJobs.retryAt, now),
      ),
    );
  const published: string[] = [];
  for (const { id, workspaceId } of due) {
    const job = await getTransferJob(db, workspaceId, id);
    if (isTerminal(job.state) || job.retryAt === null) continue;
    await publishPending(db, bus, job, now);
    published.push(id);
  }
  return published;
}
