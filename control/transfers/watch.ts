// WatchTransfer: the job each time it changed (woken by the events consumer, or by polling when the
// events went to another control replica), until it is over.
import type { RunNotifier } from "../runs/notifier.ts";
import { isTerminal } from "../runs/state.ts";
import type { Db } from "../store/index.ts";
import { getTransferJob, type TransferJobView } from "./jobs.ts";

export async function* watchTransfer(
  db: Db,
  notifier: RunNotifier,
  opts: { workspaceId: string; id: string; pollMs: number; signal?: AbortSignal },
): AsyncGenerator<TransferJobView> {
  let dirty = true;
  let wake: (() => void) | null = null;
  const unsubscribe = notifier.subscribe(opts.id, () => {
    dirty = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  opts.signal?.addEventListener("abort", onAbort);
  let last = "";
  try {
    while (!opts.signal?.aborted) {
      dirty = false;
      const job = await getTransferJob(db, opts.workspaceId, opts.id);
      const stamp = `${job.updatedAt.getTime()}:${job.state}:${job.attempt}:${job.agentSeq}`;
      if (stamp !== last) {
        last = stamp;
        yield job;
      }
      if (isTerminal(job.state)) return;
      if (dirty) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, opts.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    unsubscribe();
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
