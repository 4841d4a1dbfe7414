// Where the PostgreSQL parser runs for one assessment. A small script is parsed on this thread. A
// big one is parsed on a worker thread: the parser (WASM) works ahead on the next chunks while this
// thread runs the rules (JavaScript) over the chunks already parsed, so a 10,000-statement file
// uses both cores. If the worker cannot start or fails, what it had not answered is parsed here:
// the report is the same either way (tested).

import type { ParseReply, ParseRequest } from "./parse-worker.ts";
import { loadParser, parseRaw, type RawParseAttempt } from "./parser.ts";

export interface ParserClient {
  /** Where it parses now: "worker" until a worker fails, then "inline". */
  readonly where: "worker" | "inline";
  /** Starts parsing `text` (a worker works ahead of the caller); its result when awaited. */
  parse(text: string): Promise<RawParseAttempt>;
  /** Ends the worker, if any. */
  close(): void;
}

/** Scripts of at least this many characters are parsed on a worker thread (about 3,500 statements). */
export const WORKER_MIN_CHARS = 256 * 1024;

const WORKER_ENTRY = new URL("./parse-worker.ts", import.meta.url).href;

/**
 * A parser for a script of `chars` characters. `worker`: force the worker thread on or off; by
 * default it is used from WORKER_MIN_CHARS on. `entry`: the worker's module (tests start a broken
 * one). The caller closes it.
 */
export function startParser(chars: number, worker?: boolean, entry = WORKER_ENTRY): ParserClient {
  return (worker ?? chars >= WORKER_MIN_CHARS) ? workerParser(entry) : inlineParser();
}

function inlineParser(): ParserClient {
  const loaded = loadParser();
  return {
    where: "inline",
    parse: async (text) => {
      await loaded;
      return parseRaw(text);
    },
    close: () => undefined,
  };
}

interface Pending {
  text: string;
  resolve(r: RawParseAttempt): void;
  reject(e: unknown): void;
}

function workerParser(entry: string): ParserClient {
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let fallback: ParserClient | undefined;
  let worker: Worker | undefined;
  let closed = false;

  // From now on everything is parsed here, starting with what the worker had not answered.
  const fallBack = (): ParserClient => {
    if (fallback !== undefined) return fallback;
    if (closed) return closedParser;
    const here = inlineParser();
    fallback = here;
    worker?.terminate();
    worker = undefined;
    const left = [...pending.values()];
    pending.clear();
    for (const p of left) here.parse(p.text).then(p.resolve, p.reject);
    return here;
  };

  try {
    worker = new Worker(entry);
    worker.onmessage = (event: MessageEvent<ParseReply>) => {
      const reply = event.data;
      if ("failed" in reply) {
        fallBack();
        return;
      }
      const p = pending.get(reply.id);
      if (p === undefined) return;
      pending.delete(reply.id);
      p.resolve(reply.result);
    };
    worker.onerror = () => {
      fallBack();
    };
    // A worker that ends without a word (killed, crashed) leaves nothing waiting on it.
    worker.addEventListener("close", () => {
      fallBack();
    });
  } catch {
    fallBack();
  }

  return {
    get where() {
      return fallback === undefined ? "worker" : "inline";
    },
    parse(text) {
      const w = worker;
      if (w === undefined) return fallBack().parse(text);
      const id = nextId++;
      return new Promise<RawParseAttempt>((resolve, reject) => {
        pending.set(id, { text, resolve, reject });
        w.postMessage({ id, text } satisfies ParseRequest);
      });
    },
    close() {
      closed = true;
      worker?.terminate();
      worker = undefined;
    },
  };
}

const closedParser: ParserClient = {
  where: "inline",
  parse: () => Promise.reject(new Error("the PostgreSQL parser was closed")),
  close: () => undefined,
};
