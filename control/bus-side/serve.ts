// The control plane's side of the bus: answers agents' announce and lease requests, consumes the
// job events stream into the run store, and runs the lease reaper.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { queueSpecs, streamNames } from "../../bus/streams.ts";
import type { Bus, BusMessage, BusRequest, ReplyStream, Subscription } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import {
  AnnounceRequestSchema,
  AnnounceResponseSchema,
  LeaseRequestSchema,
  LeaseResponseSchema,
} from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { JobEventSchema } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { announceAgent, touchAgent } from "../domain/agents.ts";
import { getMigration } from "../domain/migrations.ts";
import { autoAdvance } from "../flows/index.ts";
import { AuthDenied, authenticate, type Caller } from "../identity/index.ts";
import { newCorrelationId } from "../ids.ts";
import type { ControlMetrics } from "../metrics.ts";
import { applyJobEvent } from "../runs/events.ts";
import { decideLease, type LeaseSettings } from "../runs/lease.ts";
import type { RunNotifier } from "../runs/notifier.ts";
import { publishRunJob } from "../runs/prepare.ts";
import { getRun } from "../runs/queries.ts";
import { reapLapsedLeases } from "../runs/reaper.ts";
import type { Db } from "../store/index.ts";
import {
  applyTransferEvent,
  DEFAULT_RETRY_BASE_MS,
  decideTransferLease,
  isTransferJob,
  publishDueRetries,
  reapTransferLeases,
} from "../transfers/index.ts";
import { parseSubject } from "./streams.ts";

export interface BusSideOptions {
  db: Db;
  bus: Bus;
  notifier: RunNotifier;
  metrics: ControlMetrics;
  log: Logger;
  streamPrefix: string;
  lease: LeaseSettings;
  reaperIntervalMs: number;
  /** Redelivery of an event the control plane did not ack (default 30 s). */
  eventsAckWaitMs?: number;
  /** Wait before an event that failed on a store error is tried again (default 1 s). */
  eventRetryDelayMs?: number;
  /** An agent seen within this window counts as reachable by auto promotions (default 120 s). */
  agentOnlineMs?: number;
  /** Back-off before a failed transfer attempt is retried: base × 2^(attempt-1) (default 5 s). */
  transferRetryBaseMs?: number;
}

export interface BusSide {
  stop(): Promise<void>;
}

// One wildcard subscription per kind serves every workspace, including ones created after start;
// the queue group spreads requests over control replicas.
const AGENTS_SUBJECT = "mx.*.control.agents";
const LEASES_SUBJECT = "mx.*.control.leases";
const QUEUE_GROUP = "migratrix-control";

export async function startBusSide(opts: BusSideOptions): Promise<BusSide> {
  const { bus, db, log } = opts;
  for (const spec of queueSpecs(opts.streamPrefix)) await bus.ensureQueue(spec);
  const subs: Subscription[] = [];

  /** Authenticates an agent's bus request for the workspace its subject names. */
  const agentCaller = async (req: BusRequest, via: string, correlationId: string): Promise<Caller> => {
    const where = parseSubject(req.subject);
    if (!where) throw new MigratrixError("invalid_argument", `unexpected subject ${req.subject}`);
    const authorization = Object.entries(req.headers).find(([k]) => k.toLowerCase() === "authorization")?.[1];
    const caller = await authenticate(db, authorization, { kinds: ["agent"], via, correlationId });
    if (caller.workspaceId !== where.workspaceId) {
      throw new MigratrixError("permission_denied", `the agent token belongs to another workspace than ${req.subject}`);
    }
    return caller;
  };

  const answer = (name: string, fn: (req: BusRequest) => Promise<Uint8Array>) => {
    return async (req: BusRequest, reply: ReplyStream) => {
      try {
        await reply.send(await fn(req));
        await reply.end();
      } catch (err) {
        const e = MigratrixError.from(err);
        opts.metrics.busRequests.inc({ subject: name, code: e.code });
        if (err instanceof AuthDenied) opts.metrics.authDenied.inc({ reason: err.reason });
        log.warn(`${name} request refused`, { code: e.code, error: e.message, subject: req.subject });
        await reply.fail(e.code, e.message);
        return;
      }
      opts.metrics.busRequests.inc({ subject: name, code: "ok" });
    };
  };

  subs.push(
    await bus.serve(
      AGENTS_SUBJECT,
      answer("announce", async (req) => {
        const msg = fromBinary(AnnounceRequestSchema, req.data);
        const correlationId = newCorrelationId();
        const caller = await agentCaller(req, "bus announce", correlationId);
        if (msg.workspaceId && msg.workspaceId !== caller.workspaceId) {
          throw new MigratrixError(
            "permission_denied",
            `agent ${msg.agentId} announced workspace ${msg.workspaceId} on another workspace's subject`,
          );
        }
        const result = await announceAgent(db, {
          workspaceId: caller.workspaceId,
          req: msg,
          actor: `agent:${msg.agentId}`,
          correlationId,
        });
        if (result.skipped.length)
          log.warn("announced connections skipped", { agentId: msg.agentId, skipped: result.skipped });
        return toBinary(
          AnnounceResponseSchema,
          create(AnnounceResponseSchema, { accepted: result.accepted, message: result.skipped.join("; ") }),
        );
      }),
      { queueGroup: QUEUE_GROUP },
    ),
  );

  subs.push(
    await bus.serve(
      LEASES_SUBJECT,
      answer("lease", async (req) => {
        const msg = fromBinary(LeaseRequestSchema, req.data);
        const caller = await agentCaller(req, "bus lease", msg.correlationId || newCorrelationId());
        const leaseInput = {
          workspaceId: caller.workspaceId,
          req: msg,
          settings: opts.lease,
          actor: `agent:${msg.agentId}`,
        };
        // Transfer jobs hold leases like runs (same request, their own table).
        const decision = (await isTransferJob(db, caller.workspaceId, msg.runId))
          ? await decideTransferLease(db, leaseInput)
          : await decideLease(db, leaseInput);
        opts.metrics.leases.inc({
          result: decision.granted ? (msg.fencingToken === 0n ? "acquired" : "renewed") : "refused",
        });
        if (decision.granted) await touchAgent(db, caller.workspaceId, msg.agentId);
        if (decision.runId) opts.notifier.notify(decision.runId);
        return toBinary(LeaseResponseSchema, create(LeaseResponseSchema, decision));
      }),
      { queueGroup: QUEUE_GROUP },
    ),
  );

  const republish = async (workspaceId: string, runId: string) => {
    const run = await getRun(db, workspaceId, runId);
    await publishRunJob(bus, run, await getMigration(db, workspaceId, run.migrationId));
    opts.notifier.notify(runId);
  };

  const onEvent = async (msg: BusMessage) => {
    const where = parseSubject(msg.subject);
    let event: ReturnType<typeof fromBinary<typeof JobEventSchema>>;
    try {
      if (!where?.agentId) throw new Error(`unexpected subject ${msg.subject}`);
      event = fromBinary(JobEventSchema, msg.data);
    } catch (err) {
      // A message that can never be read would otherwise be redelivered forever.
      opts.metrics.events.inc({ outcome: "unreadable" });
      log.error("unreadable job event dropped", { subject: msg.subject, error: MigratrixError.from(err).message });
      await msg.term("unreadable job event");
      return;
    }
    try {
      if (await isTransferJob(db, where.workspaceId, event.runId)) {
        const t = await applyTransferEvent(db, {
          workspaceId: where.workspaceId,
          subjectAgent: where.agentId,
          event,
          retryBaseMs: opts.transferRetryBaseMs ?? DEFAULT_RETRY_BASE_MS,
        });
        opts.metrics.events.inc({ outcome: t.outcome });
        if (t.outcome === "stored") opts.notifier.notify(event.runId);
        else log.info(`transfer event ${t.outcome}`, { jobId: event.runId, seq: event.seq, reason: t.reason });
        await msg.ack();
        return;
      }
      const result = await applyJobEvent(db, { workspaceId: where.workspaceId, subjectAgent: where.agentId, event });
      opts.metrics.events.inc({ outcome: result.outcome });
      if (result.outcome === "stored") {
        opts.notifier.notify(event.runId);
        // After commit: runs that waited for this migration on a dirty target start again.
        for (const id of result.woken) {
          // The event is stored; a lost publish leaves the woken run Pending at its new attempt,
          // and the next `mx migration run` of it publishes again (start.ts).
          await republish(where.workspaceId, id).catch((err: unknown) =>
            log.error("woken run not published", { runId: id, error: MigratrixError.from(err).message }),
          );
        }
        if (result.opened.length > 0) {
          // After commit: the next stage opened; an auto-policy stage with its approvals starts now.
          await autoAdvance(db, bus, result.opened, {
            agentOnlineMs: opts.agentOnlineMs ?? 120_000,
            log,
            correlationId: event.correlationId,
          });
        }
      } else
        log.info(`job event ${result.outcome}`, {
          runId: event.runId,
          attempt: event.attempt,
          seq: event.seq,
          reason: result.reason,
        });
      await msg.ack();
    } catch (err) {
      opts.metrics.events.inc({ outcome: "error" });
      log.error("job event not stored, will retry", { runId: event.runId, error: MigratrixError.from(err).message });
      await msg.nak(opts.eventRetryDelayMs ?? 1000);
    }
  };
  subs.push(
    await bus.consume(
      {
        queue: streamNames(opts.streamPrefix).events,
        consumer: "migratrix-control-events",
        ackWaitMs: opts.eventsAckWaitMs ?? 30_000,
        concurrency: 1,
      },
      onEvent,
    ),
  );

  let stopped = false;
  let reaping: Promise<void> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reap = async () => {
    try {
      for (const runId of await reapLapsedLeases(db)) {
        opts.metrics.reaped.inc();
        log.warn("run failed: lease lapsed", { runId });
        opts.notifier.notify(runId);
      }
    } catch (err) {
      log.error("reaper pass failed", { error: MigratrixError.from(err).message });
    }
    try {
      const now = new Date();
      for (const id of await reapTransferLeases(db, now, opts.transferRetryBaseMs ?? DEFAULT_RETRY_BASE_MS)) {
        opts.metrics.reaped.inc();
        log.warn("transfer attempt failed: lease lapsed", { jobId: id });
        opts.notifier.notify(id);
      }
      for (const id of await publishDueRetries(db, bus, now)) {
        log.info("transfer retry published", { jobId: id });
        opts.notifier.notify(id);
      }
    } catch (err) {
      log.error("transfer reaper pass failed", { error: MigratrixError.from(err).message });
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      reaping = reap().finally(schedule);
    }, opts.reaperIntervalMs);
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await reaping;
      for (const sub of subs) await sub.stop();
    },
  };
}
