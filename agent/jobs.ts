// Handles the agent's durable jobs (subjects.jobs). Apply and revert run under the run's lease
// through the engines' runner, streaming every runner event as a JobEvent; introspect reads the
// schema; transfer copies tables under the transfer job's lease (agent/transfer.ts); any other kind
// is refused by name. Exactly-once comes from the lease (a terminal run is never leased again) and
// the runner's lock and history table, not from the bus.
import { create, fromBinary } from "@bufbuild/protobuf";
import type { TransferSender } from "../arrow-transfer/index.ts";
import type { Bus, BusMessage } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { engineIdFromProto, type RunResult } from "../engines/index.ts";
import { RunOutcome, SnapshotTakenSchema } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import type { ApplyJob, Job, RevertJob } from "../proto/gen/migratrix/agent/v1/job_pb.ts";
import { JobSchema } from "../proto/gen/migratrix/agent/v1/job_pb.ts";
import {
  createRunEventStream,
  finished,
  hideSecret,
  type JobEventKind,
  type RunEventStream,
  rejected,
} from "./events.ts";
import type { FaultHooks } from "./faults.ts";
import type { HeldLease, LeaseClient } from "./lease.ts";
import type { AgentMetrics } from "./metrics.ts";
import { executeScript } from "./run.ts";
import { lookupConnection, withTarget } from "./targets.ts";
import { runTransferJob } from "./transfer.ts";
import type { Vault } from "./vault.ts";
import { AGENT_VERSION } from "./version.ts";

export interface JobHandlerOptions {
  bus: Bus;
  workspaceId: string;
  agentId: string;
  vault: Vault;
  leases: LeaseClient;
  leaseRetryMs: number;
  connectTimeoutMs: number;
  faultHooks?: FaultHooks;
  /** Test hook: a transfer job stops after its Nth chunk (arrow-transfer/faults.ts). */
  transferFault?: { afterChunk: number };
  metrics: AgentMetrics;
  log: Logger;
}

const OUTCOMES = {
  completed: RunOutcome.COMPLETED,
  failed: RunOutcome.FAILED,
  already_applied: RunOutcome.ALREADY_APPLIED,
} as const;

export function createJobHandler(opts: JobHandlerOptions) {
  let inFlight = 0;
  /** Sending sides of cross-agent transfers served in the background (agent/transfer.ts). */
  const senders = new Map<string, TransferSender>();

  const streamFor = (job: Job, fencingToken: bigint): RunEventStream =>
    createRunEventStream({
      bus: opts.bus,
      workspaceId: opts.workspaceId,
      agentId: opts.agentId,
      runId: job.runId,
      attempt: job.attempt,
      correlationId: job.correlationId,
      fencingToken,
    });

  async function refuse(msg: BusMessage, job: Job, err: MigratrixError, kind: string, log: Logger): Promise<void> {
    log.warn("job refused", { kind, code: err.code, error: err.message });
    await streamFor(job, 0n).emit(rejected(err));
    opts.metrics.jobs.inc({ kind, outcome: "rejected" });
    await msg.term(err.message);
  }

  /**
   * The job's lease, or undefined when it cannot be had now: the job is then offered again later
   * (authority unreachable, held elsewhere) or dropped (a terminal or superseded run or transfer).
   */
  async function takeLease(msg: BusMessage, job: Job, kind: string, log: Logger): Promise<HeldLease | undefined> {
    let decision: Awaited<ReturnType<LeaseClient["acquire"]>>;
    try {
      decision = await opts.leases.acquire(
        { runId: job.runId, attempt: job.attempt, correlationId: job.correlationId },
        () => msg.working(),
      );
    } catch (err) {
      // The lease authority is unreachable: the job stays queued and comes back.
      log.warn("lease request failed; job will be retried", { error: MigratrixError.from(err).message });
      opts.metrics.jobs.inc({ kind, outcome: "retried" });
      await msg.nak(opts.leaseRetryMs);
      return undefined;
    }
    if (!decision.granted) {
      if (decision.retry) {
        log.info("run is leased elsewhere; job will be retried", { reason: decision.reason });
        opts.metrics.jobs.inc({ kind, outcome: "retried" });
        await msg.nak(opts.leaseRetryMs);
      } else {
        // A terminal or superseded run: this delivery is a duplicate and must never run.
        log.info("job dropped: run not leasable", { reason: decision.reason });
        opts.metrics.jobs.inc({ kind, outcome: "dropped" });
        await msg.ack();
      }
      return undefined;
    }
    return decision.lease;
  }

  async function runScript(
    msg: BusMessage,
    job: Job,
    direction: "apply" | "revert",
    body: ApplyJob | RevertJob,
    log: Logger,
  ): Promise<void> {
    const lease = await takeLease(msg, job, direction, log);
    if (!lease) return;
    const events = streamFor(job, lease.fencingToken);
    const runLog = log.child({ fencingToken: lease.fencingToken });
    const started = performance.now();
    const progress = { statementsDone: 0 };
    let report: JobEventKind;
    let outcome: string;
    try {
      const result = await runUnderLease(job, body, direction, lease.signal, events, progress);
      const durationMs = performance.now() - started;
      outcome = result.outcome;
      runLog.info("run finished", { outcome, statementsDone: result.statementsDone, durationMs });
      report =
        result.outcome === "rejected"
          ? rejected(result.error)
          : finished(OUTCOMES[result.outcome], result.statementsDone, durationMs, result.error);
    } catch (err) {
      const e = MigratrixError.from(err);
      if (events.seq === 0) {
        // Refused before the runner touched the database (unknown connection, unreachable target...).
        runLog.warn("job refused", { code: e.code, error: e.message });
        outcome = "rejected";
        report = rejected(e);
      } else {
        runLog.error("run failed unexpectedly", { code: e.code, error: e.message });
        outcome = "failed";
        report = finished(RunOutcome.FAILED, progress.statementsDone, performance.now() - started, e);
      }
    }
    try {
      await events.emit(report);
      opts.metrics.jobs.inc({ kind: direction, outcome });
      await msg.ack();
    } catch (reportErr) {
      // The bus failed under us: leave the job to be redelivered; the lease and the history table
      // keep a second delivery from running the migration again.
      runLog.error("run report incomplete; job will be redelivered", {
        error: MigratrixError.from(reportErr).message,
      });
      opts.metrics.jobs.inc({ kind: direction, outcome: "error" });
      await msg.nak(opts.leaseRetryMs);
    } finally {
      lease.release();
    }
  }

  async function runUnderLease(
    job: Job,
    body: ApplyJob | RevertJob,
    direction: "apply" | "revert",
    signal: AbortSignal,
    events: RunEventStream,
    progress: { statementsDone: number },
  ): Promise<RunResult> {
    const conn = lookupConnection(opts.vault, opts.agentId, job.connection);
    const script = body.script;
    if (!script) throw new MigratrixError("invalid_argument", `job ${job.jobId} has no migration script`);
    const declared = engineIdFromProto(body.engine);
    if (declared !== conn.engine) {
      throw new MigratrixError(
        "failed_precondition",
        `job for ${job.connection} is for ${declared} but the connection is ${conn.engine}`,
      );
    }
    try {
      return await withTarget(conn, opts.connectTimeoutMs, (target) =>
        executeScript({
          target,
          script,
          direction,
          job,
          signal,
          events,
          faultHooks: opts.faultHooks,
          metrics: opts.metrics,
          progress,
        }),
      );
    } catch (err) {
      throw hideSecret(err, conn.url);
    }
  }

  async function introspect(msg: BusMessage, job: Job, log: Logger): Promise<void> {
    const events = streamFor(job, 0n);
    const started = performance.now();
    try {
      const conn = lookupConnection(opts.vault, opts.agentId, job.connection);
      const schemas = job.kind.case === "introspect" ? job.kind.value.schemas : [];
      const snapshot = await withTarget(conn, opts.connectTimeoutMs, (t) =>
        t.engine.inspector.inspect(t.session, schemas.length > 0 ? { schemas } : {}),
      ).catch((err: unknown) => {
        throw hideSecret(err, conn.url);
      });
      await events.emit({
        case: "snapshot",
        value: create(SnapshotTakenSchema, { snapshotJson: JSON.stringify(snapshot) }),
      });
      await events.emit(finished(RunOutcome.COMPLETED, 0, performance.now() - started));
      opts.metrics.jobs.inc({ kind: "introspect", outcome: "completed" });
      await msg.ack();
    } catch (err) {
      await refuse(msg, job, MigratrixError.from(err), "introspect", log);
    }
  }

  async function handle(msg: BusMessage): Promise<void> {
    let job: Job;
    try {
      job = fromBinary(JobSchema, msg.data);
    } catch {
      opts.log.error("undecodable job dropped", { subject: msg.subject });
      opts.metrics.jobs.inc({ kind: "unknown", outcome: "undecodable" });
      await msg.term("not a Job message");
      return;
    }
    const kind = job.kind.case ?? "unspecified";
    const log = opts.log.child({
      correlationId: job.correlationId,
      runId: job.runId,
      attempt: job.attempt,
      jobId: job.jobId,
      kind,
      delivery: msg.deliveryCount,
    });
    inFlight += 1;
    try {
      log.info("job received");
      switch (job.kind.case) {
        case "apply":
          return await runScript(msg, job, "apply", job.kind.value, log);
        case "revert":
          return await runScript(msg, job, "revert", job.kind.value, log);
        case "introspect":
          return await introspect(msg, job, log);
        case "transfer":
          return await runTransferJob(
            { ...opts, takeLease, streamFor, refuse, senders },
            { msg, job, body: job.kind.value, log },
          );
        default:
          return await refuse(
            msg,
            job,
            new MigratrixError("unimplemented", `job kind ${kind} is not handled by agent ${AGENT_VERSION}`),
            kind,
            log,
          );
      }
    } catch (err) {
      // Only a bus failure while reporting lands here (nothing was acked): offer the job again.
      log.error("job handling failed; job will be redelivered", { error: MigratrixError.from(err).message });
      await msg.nak(opts.leaseRetryMs);
    } finally {
      inFlight -= 1;
    }
  }

  return { handle, inFlight: () => inFlight };
}
