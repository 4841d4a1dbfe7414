// A chunk's source read, started before its target transaction: the source reads chunk n+1 while the
// target still writes and commits chunk n. Reading never touches the target, so checkpoints still
// claim only committed rows (the chunk loop writes chunks strictly one after the other).

/** A started (or ready to start) source read of one chunk. */
export interface ChunkRead<T> {
  /** The chunk's items, once. */
  items: AsyncIterable<T>;
  /** Settles when the source is done with this chunk (its connection free for the next query). */
  sourceDone: Promise<void>;
  /** Gives the read up (the job failed): buffered items are dropped, a later failure is ignored. */
  abandon(): void;
}

/**
 * Items a producer pushes and one async reader takes, in order: the reader waits when nothing is
 * queued, and sees the producer's failure once the queue is empty. `take` says how much a read
 * takes at once (default one item; the COPY reader takes every buffer that arrived, as one).
 */
export function pushQueue<T>(o: { take?: (queued: T[]) => T; onTake?: () => void } = {}) {
  const queue: T[] = [];
  let ended = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const take = o.take ?? ((queued: T[]) => queued.shift() as T);
  return {
    push(item: T): void {
      queue.push(item);
      notify();
    },
    /** The producer is done; a failure reaches the reader after what was queued before it. */
    end(error?: { error: unknown }): void {
      if (error) failure = error;
      ended = true;
      notify();
    },
    /** Drops what is queued (the read was given up). */
    clear(): void {
      queue.length = 0;
    },
    get length(): number {
      return queue.length;
    },
    items: {
      async *[Symbol.asyncIterator](): AsyncGenerator<T> {
        while (true) {
          if (queue.length > 0) {
            const item = take(queue);
            o.onTake?.();
            yield item;
            continue;
          }
          if (failure) throw failure.error;
          if (ended) return;
          await new Promise<void>((r) => {
            wake = r;
          });
        }
      },
    } as AsyncIterable<T>,
  };
}

/**
 * Pulls `source` now, whoever reads `items` (an eager read), holding at most `window` items its
 * reader has not taken yet: the source runs ahead of the writer by that much, not by a whole chunk
 * (a batch holds its rows twice, as JS values and in Arrow, so whole chunks held ahead cost memory
 * that grows until the garbage collector catches up).
 */
export function readAhead<T>(source: AsyncIterable<T>, window = Number.POSITIVE_INFINITY): ChunkRead<T> {
  let abandoned = false;
  let taken: (() => void) | null = null;
  const released = () => {
    taken?.();
    taken = null;
  };
  const q = pushQueue<T>({ onTake: released });
  const sourceDone = (async () => {
    let failure: { error: unknown } | undefined;
    try {
      for await (const item of source) {
        if (abandoned) return;
        q.push(item);
        while (q.length >= window && !abandoned) {
          await new Promise<void>((r) => {
            taken = r;
          });
        }
      }
    } catch (e) {
      failure = { error: e };
      throw e;
    } finally {
      q.end(failure);
    }
  })();
  // The reader of `items` sees the failure; nobody may be waiting on sourceDone.
  sourceDone.catch(() => undefined);
  return {
    sourceDone,
    abandon() {
      abandoned = true;
      q.clear();
      released();
    },
    items: q.items,
  };
}

/**
 * Bun's collector lets the garbage of finished chunks (rows as JS values, Arrow buffers, socket
 * reads) pile up with the table's size before it runs by itself (Arrow path, 2M rows: 260 MB peak
 * RSS). A job collects between chunks when its process grew past a floor and GROWTH_BYTES beyond
 * the last collection: the peak stays flat (about 205 MB on those 2M rows), and a process whose
 * memory does not grow (a long-running agent reusing what it freed) never pays for a collection.
 */
const FLOOR_BYTES = 160 << 20;
const GROWTH_BYTES = 48 << 20;

/** A job's collector, called between chunks. */
export function chunkCollector(): () => void {
  let high = Math.max(FLOOR_BYTES, process.memoryUsage.rss());
  return () => {
    if (process.memoryUsage.rss() <= high + GROWTH_BYTES) return;
    Bun.gc(true);
    high = Math.max(high, process.memoryUsage.rss());
  };
}
