// One worker thread per process that parses statement chunks for long scripts, so the main thread
// reads one chunk's tree and runs the rules on it while the next chunk is parsed (two cores: ~a
// third off a 10,000-statement file's wall time). The worker gets the module parser.ts compiled
// (no second compile) and instantiates its own copy. Anything the worker cannot do (it failed to
// start or to instantiate, or it died) is answered with an error, and the caller parses that chunk
// on the main thread instead: the worker only ever makes things faster.
import type { RawParse } from "./pg-wasm.ts";

export type PoolRequest = { type: "init"; module: WebAssembly.Module } | { type: "parse"; id: number; text: string };
export type PoolReply = { type: "parsed"; id: number; result: RawParse } | { type: "failed"; message: string };

export interface ParsePool {
  /** The parser's JSON text for `text`; rejects when the worker cannot answer (parse it here then). */
  parse(text: string): Promise<RawParse>;
  /** Ends the worker; what it had not answered is rejected. */
  close(): void;
}

let shared: ParsePool | null | undefined;

/**
 * The process's parse worker, started on first call (it then boots while the caller splits), or
 * undefined where worker threads are not available.
 */
export function parsePool(compiled: Promise<WebAssembly.Module>): ParsePool | undefined {
  if (shared === undefined) shared = startParsePool(compiled);
  return shared ?? undefined;
}

/**
 * Test hook: the pool parsePool() hands out from now on (null: none, parse on the main thread;
 * undefined: a new worker on the next call).
 */
export function replaceParsePool(pool: ParsePool | null | undefined): void {
  shared = pool;
}

/** A new worker parsing with an instance of `compiled`; null when no worker thread can start. */
export function startParsePool(compiled: Promise<WebAssembly.Module>): ParsePool | null {
  let worker: Worker;
  try {
    worker = new Worker(new URL("./parse-worker.ts", import.meta.url).href);
  } catch {
    return null;
  }
  // Never what keeps a process alive.
  worker.unref();
  const pending = new Map<number, { resolve(r: RawParse): void; reject(e: Error): void }>();
  let broken: Error | undefined;
  let next = 0;
  // Kept alive only while a caller waits for it.
  const settled = () => {
    if (pending.size === 0) worker.unref();
  };
  const fail = (err: Error) => {
    broken ??= err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    settled();
  };
  worker.onmessage = (event: MessageEvent<PoolReply>) => {
    const msg = event.data;
    if (msg.type === "failed") {
      fail(new Error(`parse worker: ${msg.message}`));
      return;
    }
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    settled();
    p?.resolve(msg.result);
  };
  worker.onerror = (event) => fail(new Error(`parse worker: ${event.message}`));
  worker.addEventListener("close", () => fail(new Error("parse worker: the thread ended")));
  compiled.then(
    (module) => worker.postMessage({ type: "init", module } satisfies PoolRequest),
    (err: unknown) => fail(err instanceof Error ? err : new Error(String(err))),
  );
  return {
    close: () => {
      worker.terminate();
      fail(new Error("parse worker: closed"));
    },
    parse(text) {
      if (broken !== undefined) return Promise.reject(broken);
      const id = next++;
      return new Promise<RawParse>((resolve, reject) => {
        if (pending.size === 0) worker.ref();
        pending.set(id, { resolve, reject });
        worker.postMessage({ type: "parse", id, text } satisfies PoolRequest);
      });
    },
  };
}
