// WatchTransfer: the job each time it changed (woken by the events consumer, or by polling when the
// events went to another control replica), until it is over.
import { type RunNotifier, watchNotified } from "../runs/notifier.ts";
import { isTerminal } from "../runs/state.ts";
import type { Db } from "../store/index.ts";
import { getTransferJob, type TransferJobView } from "./jobs.ts";

export async function* watchTransfer(
  db: Db,
  notifier: RunNotifier,
  opts: { workspaceId: string; id: string; pollMs: number; signal?: AbortSignal },
): AsyncGenerator<TransferJobView> {
  let last = "";
  yield* watchNotified(notifier, { id: opts.id, pollMs: opts.pollMs, signal: opts.signal }, async function* () {
    const job = await getTransferJob(db, opts.workspaceId, opts.id);
    const stamp = `${job.updatedAt.getTime()}:${job.state}:${job.attempt}:${job.agentSeq}`;
    if (stamp !== last) {
      last = stamp;
      yield job;
    }
    return isTerminal(job.state) ? "end" : "wait";
  });
}
