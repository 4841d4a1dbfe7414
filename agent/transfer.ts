// Transfer jobs (issue 7): both connections come from this agent's vault (jobs name connections,
// never URLs), the copy runs through arrow-transfer under the job's lease, progress goes out after
// every committed chunk, and the job id is the checkpoints' job id in the target, so a redelivered
// or retried job resumes after the last committed chunk. Columns under the source environment's
// masking policies are masked on the way (hash masking is an HMAC under the workspace key: equal
// values mask equally, so masked keys still join).
import { create } from "@bufbuild/protobuf";
import type { Cell } from "../arrow-transfer/batch.ts";
import {
  type ProgressEvent,
  receiveTransfer,
  serveTransferSource,
  type TransferHooks,
  type TransferReport,
  type TransferSender,
  transfer,
  transferFaultHooks,
} from "../arrow-transfer/index.ts";
import type { BusMessage } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { RunOutcome, TransferProgressSchema, TransferResultSchema } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import type { Job, TransferJob } from "../proto/gen/migratrix/agent/v1/job_pb.ts";
import { finished, hideSecret, type JobEventKind, type RunEventStream, rejected } from "./events.ts";
import { compileRules, isMaskKind, type MaskRule, maskValue, ruleFor } from "./explorer-mask.ts";
import type { JobHandlerOptions } from "./jobs.ts";
import type { HeldLease } from "./lease.ts";
import { lookupConnection } from "./targets.ts";

export interface TransferJobDeps extends JobHandlerOptions {
  takeLease(msg: BusMessage, job: Job, kind: string, log: Logger): Promise<HeldLease | undefined>;
  streamFor(job: Job, fencingToken: bigint): RunEventStream;
  refuse(msg: BusMessage, job: Job, err: MigratrixError, kind: string, log: Logger): Promise<void>;
  /** Sending sides of cross-agent jobs this agent serves now, by job id. */
  senders: Map<string, TransferSender>;
}

const POLICIES = ["fail", "skip", "upsert", "truncate"] as const;
type Policy = (typeof POLICIES)[number];

/** Errors the same job would meet again: the job is rejected, not retried. */
const FINAL_CODES = new Set([
  "invalid_argument",
  "failed_precondition",
  "not_found",
  "already_exists",
  "unimplemented",
  "permission_denied",
  "resource_exhausted",
]);

/**
 * The masking transform of a job: per column, the value masked by the first matching rule. A value
 * that is not text (a number, a date read as one, bytes) cannot hold the masked text and becomes NULL.
 */
export function maskTransform(
  masks: readonly { pattern: string; kind: string; keepLast: number }[],
  key: Uint8Array,
): ((table: string, column: string) => ((v: Cell) => Cell) | undefined) | undefined {
  if (masks.length === 0) return undefined;
  const rules: MaskRule[] = masks.map((m) => {
    if (!isMaskKind(m.kind)) throw new MigratrixError("invalid_argument", `mask kind "${m.kind}" is not known`);
    return { pattern: m.pattern, kind: m.kind, keepLast: m.keepLast };
  });
  if (rules.some((r) => r.kind === "hash") && key.length < 16) {
    throw new MigratrixError("invalid_argument", "hash masking came without the workspace's masking key");
  }
  const compiled = compileRules(rules);
  return (table, column) => {
    const rule = ruleFor(compiled, { table, column });
    if (!rule) return undefined;
    return (v) => (typeof v === "string" ? maskValue(rule, v, key) : null);
  };
}

function progressEvent(e: ProgressEvent): JobEventKind {
  return {
    case: "transferProgress",
    value: create(TransferProgressSchema, {
      table: e.table,
      chunksCopied: e.chunksCopied,
      chunksSkipped: e.chunksSkipped,
      rows: BigInt(e.rows),
      bytes: BigInt(e.bytes),
      totalRows: BigInt(e.totalRows),
      totalBytes: BigInt(e.totalBytes),
      estimatedRows: BigInt(Math.max(0, Math.round(e.estimatedRows))),
      rowsPerSecond: e.rowsPerSecond,
      etaSeconds: e.etaSeconds ?? -1,
    }),
  };
}

function resultEvent(r: TransferReport): JobEventKind {
  const rows = r.tables.reduce((a, t) => a + t.rowsCopied, 0);
  const bytes = r.tables.reduce((a, t) => a + t.bytesCopied, 0);
  // The mappings are the pre-flight's detail; the history keeps the tables and their verification.
  const { tables: _mapped, ...pre } = r.preflight;
  const report = { ...r, preflight: pre };
  return {
    case: "transferResult",
    value: create(TransferResultSchema, {
      reportJson: JSON.stringify(report),
      ok: r.ok,
      rows: BigInt(rows),
      bytes: BigInt(bytes),
      seconds: r.seconds,
    }),
  };
}

/** The workspace's hash-masking key, sealed to this agent by the control plane; none without hashing. */
function maskKeyOf(deps: TransferJobDeps, body: TransferJob): Uint8Array {
  return body.sealedMaskKey ? deps.vault.openSealed(body.sealedMaskKey) : new Uint8Array();
}

export async function runTransferJob(
  deps: TransferJobDeps,
  input: { msg: BusMessage; job: Job; body: TransferJob; log: Logger },
): Promise<void> {
  const { msg, job, body, log } = input;
  if (body.role === "send") return serveSource(deps, input);
  let urls: { from: string; to: string };
  let policy: Policy;
  let transform: ReturnType<typeof maskTransform>;
  try {
    if (body.role !== "" && body.role !== "receive") {
      throw new MigratrixError("invalid_argument", `transfer job ${job.runId}: unknown role "${body.role}"`);
    }
    if (body.role === "" && body.via === "nats") {
      throw new MigratrixError("failed_precondition", `transfer job ${job.runId}: --via nats needs two agents`);
    }
    const tgt = lookupConnection(deps.vault, deps.agentId, body.targetConnection);
    // The receiving side reads no source: the sending agent does (and masks there).
    const from = body.role === "receive" ? "" : lookupConnection(deps.vault, deps.agentId, body.sourceConnection).url;
    urls = { from, to: tgt.url };
    const p = body.onConflict || "fail";
    if (!(POLICIES as readonly string[]).includes(p)) {
      throw new MigratrixError("invalid_argument", `transfer job ${job.runId}: unknown conflict policy "${p}"`);
    }
    policy = p as Policy;
    transform = maskTransform(body.masks, maskKeyOf(deps, body));
  } catch (err) {
    await deps.refuse(msg, job, MigratrixError.from(err), "transfer", log);
    return;
  }

  const lease = await deps.takeLease(msg, job, "transfer", log);
  if (!lease) return;
  const events = deps.streamFor(job, lease.fencingToken);
  const runLog = log.child({ fencingToken: lease.fencingToken });
  const started = performance.now();
  const fault = deps.transferFault ? transferFaultHooks(deps.transferFault) : undefined;
  let progress: Promise<void> = Promise.resolve();
  const hooks: TransferHooks = {
    // A lease lost (renewal refused or lapsed) stops the copy before it writes again; the new holder
    // resumes from the last committed checkpoint.
    beforeChunk() {
      if (lease.signal.aborted) throw lease.signal.reason;
    },
    async afterChunk(info) {
      // The chunk's progress is on the stream before the next chunk starts (and before a fault stop).
      await progress;
      await fault?.afterChunk?.(info);
    },
  };
  let report: JobEventKind[];
  let outcome: string;
  try {
    const common = {
      ...(body.tables.length > 0 ? { tables: [...body.tables] } : {}),
      ...(body.batchRows > 0 ? { batchRows: body.batchRows } : {}),
      create: body.create,
      onConflict: policy,
      confirmTruncate: body.confirmTruncate,
      noKeyOk: body.noKeyOk,
      acceptLoss: body.acceptLoss,
      onProgress: (e: ProgressEvent) => {
        progress = progress.then(() => events.emit(progressEvent(e)));
      },
      hooks,
    };
    const r =
      body.role === "receive"
        ? await receiveTransfer({
            ...common,
            bus: deps.bus,
            workspace: deps.workspaceId,
            jobId: job.runId,
            to: urls.to,
            keys: deps.vault.peerKeys(body.peerPublicKey),
          })
        : await transfer({
            ...common,
            from: urls.from,
            to: urls.to,
            jobId: job.runId,
            resumeIfStarted: true,
            ...(transform ? { transform } : {}),
          });
    await progress;
    const seconds = (performance.now() - started) / 1000;
    outcome = r.ok ? "completed" : "failed";
    runLog.info("transfer finished", { ok: r.ok, seconds, rowsPerSecond: Math.round(r.rowsPerSecond) });
    const mismatch = r.tables
      .filter((t) => !t.match)
      .map(
        (t) =>
          `${t.table}: source ${t.sourceRows} rows/${t.sourceChecksum}, target ${t.targetRows}/${t.targetChecksum}`,
      );
    report = [
      resultEvent(r),
      r.ok
        ? finished(RunOutcome.COMPLETED, 0, seconds * 1000)
        : finished(
            RunOutcome.FAILED,
            0,
            seconds * 1000,
            new MigratrixError("data_loss", `source and target differ after the copy: ${mismatch.join("; ")}`),
          ),
    ];
  } catch (err) {
    const e = hideSecret(urls.from ? hideSecret(err, urls.from) : err, urls.to);
    outcome = FINAL_CODES.has(e.code) ? "rejected" : "failed";
    runLog.warn("transfer stopped", { code: e.code, error: e.message });
    report = [outcome === "rejected" ? rejected(e) : finished(RunOutcome.FAILED, 0, performance.now() - started, e)];
  }
  try {
    await progress.catch(() => undefined);
    for (const k of report) await events.emit(k);
    deps.metrics.jobs.inc({ kind: "transfer", outcome });
    await msg.ack();
  } catch (reportErr) {
    // The bus failed under us: the job comes back and resumes from the checkpoints.
    runLog.error("transfer report incomplete; job will be redelivered", {
      error: MigratrixError.from(reportErr).message,
    });
    deps.metrics.jobs.inc({ kind: "transfer", outcome: "error" });
    await msg.nak(deps.leaseRetryMs);
  } finally {
    lease.release();
  }
}

/**
 * The sending side of a cross-agent job: serves the source to the receiving agent in the
 * background (masking here, so masked columns never leave this agent) and acks at once, so this
 * agent's job queue keeps moving. A sender already serving the job serves every new attempt too; a
 * sender lost with its agent is started again by the next attempt's job.
 */
async function serveSource(
  deps: TransferJobDeps,
  input: { msg: BusMessage; job: Job; body: TransferJob; log: Logger },
): Promise<void> {
  const { msg, job, body, log } = input;
  if (deps.senders.has(job.runId)) {
    log.info("transfer source already served", { jobId: job.runId });
    await msg.ack();
    return;
  }
  let sender: TransferSender;
  try {
    const src = lookupConnection(deps.vault, deps.agentId, body.sourceConnection);
    const transform = maskTransform(body.masks, maskKeyOf(deps, body));
    sender = await serveTransferSource({
      bus: deps.bus,
      workspace: deps.workspaceId,
      jobId: job.runId,
      from: src.url,
      keys: deps.vault.peerKeys(body.peerPublicKey),
      ...(transform ? { transform } : {}),
    }).catch((err: unknown) => {
      throw hideSecret(err, src.url);
    });
  } catch (err) {
    // Nothing reports for the sender: the receiving agent fails its attempt and the job is retried.
    const e = MigratrixError.from(err);
    log.warn("transfer source not served", { code: e.code, error: e.message });
    deps.metrics.jobs.inc({ kind: "transfer", outcome: "rejected" });
    await msg.term(e.message);
    return;
  }
  deps.senders.set(job.runId, sender);
  deps.metrics.jobs.inc({ kind: "transfer", outcome: "serving" });
  void sender.done
    .then((d) => log.info("transfer source served", { jobId: job.runId, finished: d.finished, ok: d.ok }))
    .catch((err: unknown) => log.warn("transfer source stopped", { error: MigratrixError.from(err).message }))
    .finally(() => deps.senders.delete(job.runId));
  await msg.ack();
}
