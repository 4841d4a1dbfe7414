// One worker thread per process that splits and parses long scripts (parse-worker.ts), so the main
// thread reads one chunk's trees and runs the rules on them while the worker splits and parses the
// next: on two cores, the split and the parser's WASM leave the main thread's path. The worker gets
// the module parser.ts compiled (no second compile) and instantiates its own copy. The worker only
// ever makes things faster: when it cannot start, fails to instantiate, or ends, the stream says so
// and the caller does the rest on the main thread (analyze.ts), with the same result.
import type { SqlProblem, Statement } from "../../types.ts";
import type { RawParse } from "./pg-wasm.ts";

export type PoolRequest =
  | { type: "init"; module: WebAssembly.Module }
  | { type: "split"; id: number; sql: string; firstLine: number };

export type PoolReply =
  /** Statements [first, first + meta.length / META_FIELDS) of the script and their parse. */
  | { type: "chunk"; id: number; first: number; meta: Int32Array; raw: RawParse }
  | { type: "done"; id: number; count: number; problems: SqlProblem[] }
  | { type: "failed"; message: string };

/** Int32 fields per statement in a chunk's `meta`: start offset, line, column, end offset, own segment. */
export const META_FIELDS = 5;

/** A run of consecutive statements and the parser's answer for their text. */
export interface ParsedChunk {
  /** 0-based index of the chunk's first statement in the script. */
  first: number;
  statements: Statement[];
  raw: RawParse;
}

export interface SplitStream {
  /** The next chunk, or the split's problems once every chunk came; rejects when the worker failed. */
  next(): Promise<ParsedChunk | { done: true; count: number; problems: SqlProblem[] }>;
}

export interface ParsePool {
  /** Splits `sql` with the PostgreSQL dialect and parses it, chunk by chunk, on the worker. */
  splitAndParse(sql: string, firstLine: number): SplitStream;
  /** Ends the worker; what it had not answered is rejected. */
  close(): void;
}

let shared: ParsePool | null | undefined;

/**
 * The process's parse worker, started on first call (it then boots while the caller reads its
 * input) and again after one failed, or undefined where worker threads are not available.
 */
export function parsePool(compiled: Promise<WebAssembly.Module>): ParsePool | undefined {
  if (shared === undefined) shared = startParsePool(compiled);
  return shared ?? undefined;
}

/**
 * Test hook: the pool parsePool() hands out from now on (null: none, everything on the main
 * thread; undefined: a new worker on the next call).
 */
export function replaceParsePool(pool: ParsePool | null | undefined): void {
  shared = pool;
}

type Reply = Exclude<PoolReply, { type: "failed" }>;

/** A new worker parsing with an instance of `compiled`; null when no worker thread can start. */
export function startParsePool(compiled: Promise<WebAssembly.Module>): ParsePool | null {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./parse-worker.ts", import.meta.url).href);
  } catch {
    return null;
  }
  // Never what keeps a process alive: referenced only while a stream is open.
  worker.unref();
  const streams = new Map<number, { deliver(r: Reply): void; fail(e: Error): void }>();
  let broken: Error | undefined;
  let nextId = 0;
  const fail = (err: Error) => {
    broken ??= err;
    // A long-lived process (the control server) starts a new worker for its next long script.
    if (shared === pool) shared = undefined;
    for (const s of streams.values()) s.fail(err);
    streams.clear();
    worker.unref();
  };
  worker.onmessage = (event: MessageEvent<PoolReply>) => {
    const msg = event.data;
    if (msg.type === "failed") fail(new Error(`parse worker: ${msg.message}`));
    else streams.get(msg.id)?.deliver(msg);
  };
  worker.onerror = (event) => fail(new Error(`parse worker: ${event.message}`));
  worker.addEventListener("close", () => fail(new Error("parse worker: the thread ended")));
  compiled.then(
    (module) => worker.postMessage({ type: "init", module } satisfies PoolRequest),
    (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
  );
  const pool: ParsePool = {
    close: () => {
      worker.terminate();
      fail(new Error("parse worker: closed"));
    },
    splitAndParse(sql, firstLine) {
      const id = nextId++;
      const queue: Reply[] = [];
      let error = broken;
      let waiting: { resolve(r: Reply): void; reject(e: Error): void } | undefined;
      const end = () => {
        streams.delete(id);
        if (streams.size === 0) worker.unref();
      };
      if (error === undefined) {
        if (streams.size === 0) worker.ref();
        streams.set(id, {
          deliver(r) {
            if (r.type === "done") end();
            if (waiting === undefined) queue.push(r);
            else waiting.resolve(r);
            waiting = undefined;
          },
          fail(e) {
            error = e;
            waiting?.reject(e);
            waiting = undefined;
          },
        });
        worker.postMessage({ type: "split", id, sql, firstLine } satisfies PoolRequest);
      }
      const decode = (r: Reply) =>
        r.type === "done" ? { done: true as const, count: r.count, problems: r.problems } : chunkOf(sql, r);
      return {
        next() {
          const ready = queue.shift();
          if (ready !== undefined) return Promise.resolve(decode(ready));
          if (error !== undefined) return Promise.reject(error);
          return new Promise<Reply>((resolve, reject) => {
            waiting = { resolve, reject };
          }).then(decode);
        },
      };
    },
  };
  return pool;
}

function chunkOf(sql: string, r: Extract<PoolReply, { type: "chunk" }>): ParsedChunk {
  const statements: Statement[] = [];
  const m = r.meta;
  for (let i = 0, k = 0; k < m.length; i++, k += META_FIELDS) {
    const offset = m[k] ?? 0;
    const endOffset = m[k + 3] ?? 0;
    statements.push({
      index: r.first + i + 1,
      text: sql.slice(offset, endOffset),
      start: { line: m[k + 1] ?? 0, column: m[k + 2] ?? 0, offset },
      endOffset,
      ownSegment: m[k + 4] === 1,
    });
  }
  return { first: r.first, statements, raw: r.raw };
}
