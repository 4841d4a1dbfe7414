// In-process wake-ups for run watchers, fed by the events consumer and the reaper. Watchers
// re-read the store when woken, so a lost or coalesced wake-up costs latency, never an event.
// With several control replicas a watcher on one replica is not woken by events another replica
// consumed: the watch loop's poll interval covers that case.

export interface RunNotifier {
  notify(runId: string): void;
  subscribe(runId: string, wake: () => void): () => void;
}

export function createRunNotifier(): RunNotifier {
  const watchers = new Map<string, Set<() => void>>();
  return {
    notify(runId) {
      for (const wake of watchers.get(runId) ?? []) wake();
    },
    subscribe(runId, wake) {
      let set = watchers.get(runId);
      if (!set) {
        set = new Set();
        watchers.set(runId, set);
      }
      set.add(wake);
      return () => {
        set.delete(wake);
        if (set.size === 0) watchers.delete(runId);
      };
    },
  };
}

/** What one read of a watch loop found: the thing is over, more is ready now, or wait for a wake-up. */
export type WatchNext = "end" | "again" | "wait";

/**
 * The loop behind every watch: runs `read` (which yields what changed), then again at once if a
 * wake-up for `id` came meanwhile or `read` asks for it, else after the next wake-up or `pollMs`;
 * until `read` returns "end" or the signal aborts.
 */
export async function* watchNotified<T>(
  notifier: RunNotifier,
  opts: { id: string; pollMs: number; signal?: AbortSignal | undefined },
  read: () => AsyncGenerator<T, WatchNext>,
): AsyncGenerator<T> {
  let dirty = true;
  let wake: (() => void) | null = null;
  const unsubscribe = notifier.subscribe(opts.id, () => {
    dirty = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  opts.signal?.addEventListener("abort", onAbort);
  try {
    while (!opts.signal?.aborted) {
      dirty = false;
      const next = yield* read();
      if (next === "end") return;
      if (next === "again" || dirty) continue;
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
