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
