// The control plane is the lease authority of runs: an agent must hold a run's lease (and send its
// fencing token with every event) to execute it. Acquiring bumps the fencing token, so whatever a
// previous holder still sends afterwards is recognisably stale.
import { and, eq } from "drizzle-orm";
import type { LeaseRequest } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { isUuid } from "../ids.ts";
import type { Db } from "../store/index.ts";
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

export async function decideLease(
  db: Db,
  input: { workspaceId: string; req: LeaseRequest; settings: LeaseSettings; actor: string; now?: Date },
): Promise<LeaseDecision> {
  const { req, settings } = input;
  const deny = (reason: string): LeaseDecision => ({
    granted: false,
    fencingToken: 0n,
    ttlMs: 0,
    renewEveryMs: 0,
    reason,
  });
  if (!isUuid(req.runId)) return deny(`run ${req.runId.slice(0, 80)} not found`);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ run: tables.runs, servingAgent: tables.connections.agentId, environment: tables.environments.name })
      .from(tables.runs)
      .innerJoin(tables.connections, eq(tables.connections.id, tables.runs.connectionId))
      .innerJoin(tables.environments, eq(tables.environments.id, tables.runs.environmentId))
      .where(and(eq(tables.runs.id, req.runId), eq(tables.runs.workspaceId, input.workspaceId)))
      .for("update", { of: tables.runs });
    if (!row) return deny(`run ${req.runId} not found`);
    const { run } = row;
    if (row.servingAgent !== req.agentId) return deny(`run ${run.id} is served by agent ${row.servingAgent}`);
    if (run.state !== "pending" && run.state !== "in_progress") return deny(`run is ${runStateLabel(run.state)}`);
    if (req.attempt !== run.attempt) return deny(`attempt ${req.attempt} is stale: run is at attempt ${run.attempt}`);
    const now = input.now ?? new Date();
    const expires = new Date(now.getTime() + settings.ttlMs);
    const live = run.leaseExpiresAt !== null && run.leaseExpiresAt.getTime() > now.getTime();
    const grant = (token: number): LeaseDecision => ({
      granted: true,
      fencingToken: BigInt(token),
      ttlMs: settings.ttlMs,
      renewEveryMs: settings.renewEveryMs,
      reason: "",
    });

    if (req.fencingToken !== 0n) {
      // Renewal: only the holder with the current token, while the run is still its to run. A
      // lapsed lease nobody took over (the reaper has not run yet) may still be renewed: the token
      // proves no one else executed in between.
      const current = BigInt(run.fencingToken);
      if (run.state !== "in_progress" || run.leaseOwner !== req.agentId || req.fencingToken !== current) {
        if (live && run.leaseOwner !== req.agentId) return deny(`held by agent ${run.leaseOwner}`);
        return deny(`fencing token ${req.fencingToken} is stale: the run's token is ${current}`);
      }
      await tx.update(tables.runs).set({ leaseExpiresAt: expires, updatedAt: now }).where(eq(tables.runs.id, run.id));
      return grant(run.fencingToken);
    }

    if (live && run.leaseOwner !== req.agentId) {
      return deny(`held by agent ${run.leaseOwner} until ${run.leaseExpiresAt?.toISOString()}`);
    }
    const token = run.fencingToken + 1;
    await tx
      .update(tables.runs)
      .set({
        state: "in_progress",
        leaseOwner: req.agentId,
        leaseExpiresAt: expires,
        fencingToken: token,
        startedAt: run.startedAt ?? now,
        updatedAt: now,
      })
      .where(eq(tables.runs.id, run.id));
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "run.lease",
      environment: row.environment,
      target: `run:${run.id}`,
      correlationId: req.correlationId || run.correlationId,
      detail: {
        from: runStateLabel(run.state),
        to: "InProgress",
        attempt: run.attempt,
        agentId: req.agentId,
        fencingToken: token,
        ...(run.leaseOwner && run.leaseOwner !== req.agentId ? { previousHolder: run.leaseOwner } : {}),
      },
    });
    return { ...grant(token), runId: run.id };
  });
}
