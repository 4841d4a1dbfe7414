// WatchRun: the stored events of a run after a seq, then live ones, until the run is over.
import { fromJson, type JsonValue } from "@bufbuild/protobuf";
import { and, asc, eq, gt } from "drizzle-orm";
import { type JobEvent, JobEventSchema } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import type { Db, RunStateName } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { type RunNotifier, watchNotified } from "./notifier.ts";
import { getRun } from "./queries.ts";
import { isTerminal } from "./state.ts";

export interface WatchItem {
  seq: number;
  state: RunStateName;
  event: JobEvent;
}

export interface WatchOptions {
  workspaceId: string;
  runId: string;
  afterSeq: number;
  /** Re-read interval when no wake-up comes (events consumed by another control replica). */
  pollMs: number;
  signal?: AbortSignal;
  batchSize?: number;
}

export async function* watchRun(db: Db, notifier: RunNotifier, opts: WatchOptions): AsyncGenerator<WatchItem> {
  await getRun(db, opts.workspaceId, opts.runId);
  const batch = opts.batchSize ?? 500;
  let last = opts.afterSeq;
  yield* watchNotified(notifier, { id: opts.runId, pollMs: opts.pollMs, signal: opts.signal }, async function* () {
    // State first, events second: the transaction that ends a run also stores its last event,
    // so a terminal state read here guarantees the read below sees every event.
    const [head] = await db
      .select({ state: tables.runs.state })
      .from(tables.runs)
      .where(eq(tables.runs.id, opts.runId));
    const rows = await db
      .select()
      .from(tables.runEvents)
      .where(and(eq(tables.runEvents.runId, opts.runId), gt(tables.runEvents.seq, last)))
      .orderBy(asc(tables.runEvents.seq))
      .limit(batch);
    for (const row of rows) {
      last = row.seq;
      yield { seq: row.seq, state: row.runState, event: fromJson(JobEventSchema, row.event as JsonValue) };
    }
    if (rows.length === batch) return "again";
    return !head || isTerminal(head.state) ? "end" : "wait";
  });
}
