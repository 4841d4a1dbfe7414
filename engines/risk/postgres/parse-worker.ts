// The parse worker's thread: parses statement chunks with its own instance of the parser module the
// main thread compiled, and answers with the parser's JSON text (or its refusal), in request order.
// parse-pool.ts is its only client.

import type { PoolReply, PoolRequest } from "./parse-pool.ts";
import { instantiate, type PgQueryWasm, parseRaw } from "./pg-wasm.ts";

declare const self: Worker;

// Chunks may come before the module: they wait for it. One promise, settled once, so the answers
// go out in the order the chunks came.
const wasm = Promise.withResolvers<PgQueryWasm>();
wasm.promise.catch((err: unknown) =>
  reply({ type: "failed", message: err instanceof Error ? err.message : String(err) }),
);

self.onmessage = (event: MessageEvent<PoolRequest>) => {
  const req = event.data;
  if (req.type === "init") instantiate(req.module).then(wasm.resolve, wasm.reject);
  else
    wasm.promise.then(
      (w) => reply({ type: "parsed", id: req.id, result: parseRaw(w, req.text) }),
      () => undefined,
    );
};

function reply(message: PoolReply): void {
  self.postMessage(message);
}
