// The agent's side of a run's lease: take it from the control plane (the lease authority), renew
// it on the interval control asks for, and abort the run the moment it can no longer be sure it
// holds it (renewal refused, or no successful renewal within the lease's TTL).
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { subjects } from "../bus/subjects.ts";
import type { Bus } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import {
  LeaseRequestSchema,
  type LeaseResponse,
  LeaseResponseSchema,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import type { AgentMetrics } from "./metrics.ts";

export interface LeaseClientOptions {
  bus: Bus;
  workspaceId: string;
  agentId: string;
  /** Agent token sent as `authorization: Bearer <token>`. */
  token: string;
  /** Deadline of one lease request. */
  requestTimeoutMs: number;
  metrics: AgentMetrics;
  log: Logger;
}

export interface LeaseTarget {
  runId: string;
  attempt: number;
  correlationId: string;
}

export type LeaseDecision =
  | { granted: true; lease: HeldLease }
  /** retry: held by someone else now, worth asking again later; otherwise the run is over for us. */
  | { granted: false; retry: boolean; reason: string };

export interface HeldLease {
  readonly fencingToken: bigint;
  readonly ttlMs: number;
  readonly renewEveryMs: number;
  /** Aborted when the lease is lost; its reason is a MigratrixError "aborted". */
  readonly signal: AbortSignal;
  /** Stops renewing (the run is over); idempotent. */
  release(): void;
}

// Control words a denial "held by agent X" when another agent holds a live lease: only that is
// worth a retry. Any other denial ("run is Completed", a stale attempt, an unknown run) is final.
const HELD_BY = /^held by\b/i;

export function createLeaseClient(opts: LeaseClientOptions) {
  const headers = { authorization: `Bearer ${opts.token}` };

  async function ask(target: LeaseTarget, fencingToken: bigint): Promise<LeaseResponse> {
    const req = create(LeaseRequestSchema, {
      runId: target.runId,
      attempt: target.attempt,
      agentId: opts.agentId,
      fencingToken,
      correlationId: target.correlationId,
    });
    const reply = await opts.bus.requestOne(
      subjects.controlLeases(opts.workspaceId),
      toBinary(LeaseRequestSchema, req),
      { timeoutMs: opts.requestTimeoutMs, headers },
    );
    return fromBinary(LeaseResponseSchema, reply);
  }

  /**
   * Asks for the lease. Bus errors propagate (the caller naks and retries later); a denial is a
   * value. onRenewed runs after every granted renewal (the job handler uses it to send an
   * in-progress ack so JetStream does not redeliver a long job).
   */
  async function acquire(target: LeaseTarget, onRenewed: () => void = () => {}): Promise<LeaseDecision> {
    const first = await ask(target, 0n);
    if (!first.granted) return { granted: false, retry: HELD_BY.test(first.reason), reason: first.reason };
    if (first.ttlMs <= 0 || first.renewEveryMs <= 0 || first.renewEveryMs >= first.ttlMs) {
      throw new MigratrixError(
        "internal",
        `lease for run ${target.runId} came with ttl ${first.ttlMs} ms and renewal every ${first.renewEveryMs} ms: renewal must be shorter than the ttl`,
      );
    }
    const token = first.fencingToken;
    const log = opts.log.child({ runId: target.runId, attempt: target.attempt, fencingToken: token });
    const controller = new AbortController();
    let lastGranted = Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let released = false;

    const lose = (message: string) => {
      if (controller.signal.aborted) return;
      controller.abort(new MigratrixError("aborted", message));
      log.warn("lease lost", { reason: message });
    };

    const renew = async () => {
      timer = undefined;
      if (released) return;
      try {
        const r = await ask(target, token);
        if (released) return;
        if (r.granted && r.fencingToken === token) {
          lastGranted = Date.now();
          opts.metrics.leaseRenewals.inc({ result: "granted" });
          onRenewed();
        } else {
          opts.metrics.leaseRenewals.inc({ result: "refused" });
          lose(`lease of run ${target.runId} was not renewed: ${r.reason || "fencing token changed"}`);
          return;
        }
      } catch (err) {
        opts.metrics.leaseRenewals.inc({ result: "error" });
        // One failed renewal is survivable; a lease we cannot confirm within its TTL is not ours.
        const e = MigratrixError.from(err, "unavailable");
        if (Date.now() - lastGranted >= first.ttlMs) {
          lose(`lease of run ${target.runId} lapsed: no renewal within ${first.ttlMs} ms (${e.message})`);
          return;
        }
        log.warn("lease renewal failed, retrying", { error: e.message, code: e.code });
      }
      if (!released) timer = setTimeout(renew, first.renewEveryMs);
    };
    timer = setTimeout(renew, first.renewEveryMs);

    return {
      granted: true,
      lease: {
        fencingToken: token,
        ttlMs: first.ttlMs,
        renewEveryMs: first.renewEveryMs,
        signal: controller.signal,
        release() {
          released = true;
          if (timer) clearTimeout(timer);
          timer = undefined;
        },
      },
    };
  }

  return { acquire };
}

export type LeaseClient = ReturnType<typeof createLeaseClient>;
