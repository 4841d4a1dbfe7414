// Publishes one run's JobEvents: a strictly increasing seq per (run, attempt), the fencing token
// and correlation id on every event, msgId "<run>:<attempt>:<seq>" so a replayed publish is
// dropped by the stream. Publishes are awaited one by one so the stream holds them in order.
import { create, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { subjects } from "../bus/subjects.ts";
import type { Bus } from "../bus/types.ts";
import { MigratrixError, redactSecrets } from "../common/errors.ts";
import { type DbError, DbErrorSchema } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import {
  type DirtyTarget,
  DirtyTargetSchema,
  type GeneratedRollback,
  GeneratedRollbackSchema,
  type JobEvent,
  JobEventSchema,
  RunFinishedSchema,
  type RunOutcome,
  RunRejectedSchema,
} from "../proto/gen/migratrix/agent/v1/event_pb.ts";

export type JobEventKind = JobEvent["kind"];

export interface RunEventStreamOptions {
  bus: Bus;
  workspaceId: string;
  agentId: string;
  runId: string;
  attempt: number;
  correlationId: string;
  /** 0 when no lease is held (a job rejected before leasing). */
  fencingToken: bigint;
}

export interface RunEventStream {
  /** Publishes one event with the next seq; resolves once the stream stored it. */
  emit(kind: JobEventKind): Promise<void>;
  /** The last seq published (0 before the first). */
  readonly seq: number;
}

export function createRunEventStream(opts: RunEventStreamOptions): RunEventStream {
  const subject = subjects.events(opts.workspaceId, opts.agentId);
  let seq = 0;
  // Callers may fire emit() without awaiting (runner callbacks); the chain keeps seq order equal
  // to publish order either way.
  let chain: Promise<void> = Promise.resolve();
  return {
    get seq() {
      return seq;
    },
    emit(kind) {
      seq += 1;
      const n = seq;
      const event = create(JobEventSchema, {
        runId: opts.runId,
        attempt: opts.attempt,
        seq: BigInt(n),
        fencingToken: opts.fencingToken,
        correlationId: opts.correlationId,
        agentId: opts.agentId,
        at: timestampNow(),
        kind,
      });
      const publish = async () => {
        await opts.bus.publish(subject, toBinary(JobEventSchema, event), {
          msgId: `${opts.runId}:${opts.attempt}:${n}`,
          headers: { "mx-correlation-id": opts.correlationId },
        });
      };
      const next = chain.then(publish);
      chain = next.catch(() => undefined);
      return next;
    },
  };
}

/**
 * The error with every trace of one connection URL's credentials removed, for errors raised while
 * that URL was in hand: drivers are asked to redact, this makes sure.
 */
export function hideSecret(err: unknown, url: string): MigratrixError {
  const e = MigratrixError.from(err);
  const passwords: string[] = [];
  try {
    const raw = new URL(url).password;
    passwords.push(raw, decodeURIComponent(raw));
  } catch {
    // Not a parseable URL (sqlite paths): nothing beyond the generic redaction to hide.
  }
  let message = redactSecrets(e.message.split(url).join("<connection url>"));
  for (const p of passwords) if (p.length >= 3) message = message.split(p).join("***");
  return message === e.message ? e : new MigratrixError(e.code, message, e.detail);
}

/** A MigratrixError as the wire's DbError. */
export function toDbError(err: unknown): DbError {
  const e = MigratrixError.from(err);
  const nativeCode = typeof e.detail.nativeCode === "string" ? e.detail.nativeCode : "";
  const line = typeof e.detail.line === "number" ? e.detail.line : undefined;
  const column = typeof e.detail.column === "number" ? e.detail.column : undefined;
  return create(DbErrorSchema, {
    code: e.code,
    nativeCode,
    message: redactSecrets(e.message),
    position: line !== undefined ? { line, column: column ?? 0 } : undefined,
  });
}

export function rejected(err: unknown): JobEventKind {
  const e = MigratrixError.from(err);
  return {
    case: "rejected",
    value: create(RunRejectedSchema, {
      error: toDbError(e),
      dirty: dirtyOf(e),
      rollbackChanged: rollbackChangedOf(e),
    }),
  };
}

/** The pre-flight's new down script when it differs from the approved one (agent/run.ts). */
function rollbackChangedOf(e: MigratrixError): GeneratedRollback | undefined {
  const d = e.detail.rollbackChanged;
  if (typeof d !== "object" || d === null) return undefined;
  const v = d as Record<string, unknown>;
  const text = (k: string) => (typeof v[k] === "string" ? (v[k] as string) : "");
  return create(GeneratedRollbackSchema, {
    sql: text("sql"),
    checksum: text("checksum"),
    reversibility: text("reversibility"),
    notes: Array.isArray(v.notes) ? v.notes.filter((n): n is string => typeof n === "string") : [],
    approvedChecksum: text("approvedChecksum"),
  });
}

/** The runner's detail of a refusal on a dirty target (engines/runner/plan.ts dirtyRejection). */
function dirtyOf(e: MigratrixError): DirtyTarget | undefined {
  const d = e.detail.dirty;
  if (typeof d !== "object" || d === null) return undefined;
  const v = d as Record<string, unknown>;
  if (typeof v.migrationId !== "string") return undefined;
  return create(DirtyTargetSchema, {
    migrationId: v.migrationId,
    direction: typeof v.direction === "string" ? v.direction : "",
    statementsDone: typeof v.statementsDone === "number" ? v.statementsDone : 0,
    statementsTotal: typeof v.statementsTotal === "number" ? v.statementsTotal : 0,
  });
}

export function finished(outcome: RunOutcome, statementsDone: number, durationMs: number, err?: unknown): JobEventKind {
  return {
    case: "finished",
    value: create(RunFinishedSchema, {
      outcome,
      statementsDone,
      durationMs,
      error: err === undefined ? undefined : toDbError(err),
    }),
  };
}
