// The control plane is the lease authority of runs: an agent must hold a run's lease (and send its
// fencing token with every event) to execute it. Acquiring bumps the fencing token, so whatever a
// previous holder still sends afterwards is recognisably stale.
import { and, eq } from "drizzle-orm";
import type { LeaseRequest } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { isUuid } from "../ids.ts";
import type { Db, RunStateName } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { runStateLabel } from "./state.ts";

export interface LeaseSettings {
  ttlMs: number;
  renewEveryMs: number;
}

export interface LeaseDecision {
  granted: boolean;
  fencingToken: bigint;
  ttlMs: number;
  renewEveryMs: number;
  reason: string;
  /** Set when the run changed state (Pending → InProgress), for watchers. */
  runId?: string;
}

/** The lease columns runs and transfer jobs share. */
export interface Leased {
  id: string;
  state: RunStateName;
  attempt: number;
  fencingToken: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  startedAt: Date | null;
  /** Transfer jobs only: the attempt is not due before its back-off ends. */
  retryAt?: Date | null;
}

/** How denials name the leased thing: "run" / "run", or "transfer job" / "job". */
export interface LeaseNames {
  full: string;
  short: string;
}

/** What to do with a lease request once the row is locked: refuse it, extend it, or hand it over. */
export type LeaseStep =
  | { kind: "deny"; reason: string }
  | { kind: "renew"; token: number; expires: Date }
  | {
      kind: "acquire";
      token: number;
      /** The columns to set on the row. */
      patch: {
        state: "in_progress";
        leaseOwner: string;
        leaseExpiresAt: Date;
        fencingToken: number;
        startedAt: Date;
        updatedAt: Date;
      };
      /** The audit record's detail. */
      detail: Record<string, unknown>;
    };

export function denyLease(reason: string): LeaseDecision {
  return { granted: false, fencingToken: 0n, ttlMs: 0, renewEveryMs: 0, reason };
}

export function grantLease(token: number, settings: LeaseSettings): LeaseDecision {
  return {
    granted: true,
    fencingToken: BigInt(token),
    ttlMs: settings.ttlMs,
    renewEveryMs: settings.renewEveryMs,
    reason: "",
  };
}

/**
 * The lease rules, one place for runs and transfer jobs: the serving agent only, the current attempt
 * only; a renewal needs the current fencing token; an acquisition bumps it unless another agent's
 * lease is still live.
 */
export function leaseStep(input: {
  row: Leased;
  servingAgent: string;
  req: LeaseRequest;
  ttlMs: number;
  now: Date;
  names: LeaseNames;
}): LeaseStep {
  const { row, req, now, names } = input;
  const deny = (reason: string): LeaseStep => ({ kind: "deny", reason });
  if (input.servingAgent !== req.agentId) {
    return deny(`${names.full} ${row.id} is served by agent ${input.servingAgent}`);
  }
  if (row.state !== "pending" && row.state !== "in_progress") {
    return deny(`${names.short} is ${runStateLabel(row.state)}`);
  }
  if (req.attempt !== row.attempt) {
    return deny(`attempt ${req.attempt} is stale: ${names.short} is at attempt ${row.attempt}`);
  }
  // Published only once its back-off is over; an earlier delivery cannot exist, but is refused.
  if (row.retryAt && row.retryAt.getTime() > now.getTime()) {
    return deny(`attempt ${row.attempt} waits for its retry at ${row.retryAt.toISOString()}`);
  }
  const expires = new Date(now.getTime() + input.ttlMs);
  const live = row.leaseExpiresAt !== null && row.leaseExpiresAt.getTime() > now.getTime();

  if (req.fencingToken !== 0n) {
    // Renewal: only the holder with the current token, while it is still its to run. A lapsed
    // lease nobody took over (the reaper has not run yet) may still be renewed: the token proves
    // no one else executed in between.
    const current = BigInt(row.fencingToken);
    if (row.state !== "in_progress" || row.leaseOwner !== req.agentId || req.fencingToken !== current) {
      if (live && row.leaseOwner !== req.agentId) return deny(`held by agent ${row.leaseOwner}`);
      return deny(`fencing token ${req.fencingToken} is stale: the ${names.short}'s token is ${current}`);
    }
    return { kind: "renew", token: row.fencingToken, expires };
  }

  if (live && row.leaseOwner !== req.agentId) {
    return deny(`held by agent ${row.leaseOwner} until ${row.leaseExpiresAt?.toISOString()}`);
  }
  const token = row.fencingToken + 1;
  return {
    kind: "acquire",
    token,
    patch: {
      state: "in_progress",
      leaseOwner: req.agentId,
      leaseExpiresAt: expires,
      fencingToken: token,
      startedAt: row.startedAt ?? now,
      updatedAt: now,
    },
    detail: {
      from: runStateLabel(row.state),
      to: "InProgress",
      attempt: row.attempt,
      agentId: req.agentId,
      fencingToken: token,
      ...(row.leaseOwner && row.leaseOwner !== req.agentId ? { previousHolder: row.leaseOwner } : {}),
    },
  };
}

const RUN_NAMES: LeaseNames = { full: "run", short: "run" };

export async function decideLease(
  db: Db,
  input: { workspaceId: string; req: LeaseRequest; settings: LeaseSettings; actor: string; now?: Date },
): Promise<LeaseDecision> {
  const { req, settings } = input;
  if (!isUuid(req.runId)) return denyLease(`run ${req.runId.slice(0, 80)} not found`);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ run: tables.runs, servingAgent: tables.connections.agentId, environment: tables.environments.name })
      .from(tables.runs)
      .innerJoin(tables.connections, eq(tables.connections.id, tables.runs.connectionId))
      .innerJoin(tables.environments, eq(tables.environments.id, tables.runs.environmentId))
      .where(and(eq(tables.runs.id, req.runId), eq(tables.runs.workspaceId, input.workspaceId)))
      .for("update", { of: tables.runs });
    if (!row) return denyLease(`run ${req.runId} not found`);
    const { run } = row;
    const now = input.now ?? new Date();
    const step = leaseStep({
      row: run,
      servingAgent: row.servingAgent,
      req,
      ttlMs: settings.ttlMs,
      now,
      names: RUN_NAMES,
    });
    if (step.kind === "deny") return denyLease(step.reason);
    if (step.kind === "renew") {
      await tx
        .update(tables.runs)
        .set({ leaseExpiresAt: step.expires, updatedAt: now })
        .where(eq(tables.runs.id, run.id));
      return grantLease(step.token, settings);
    }
    await tx.update(tables.runs).set(step.patch).where(eq(tables.runs.id, run.id));
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "run.lease",
      environment: row.environment,
      target: `run:${run.id}`,
      correlationId: req.correlationId || run.correlationId,
      detail: step.detail,
    });
    return { ...grantLease(step.token, settings), runId: run.id };
  });
}
