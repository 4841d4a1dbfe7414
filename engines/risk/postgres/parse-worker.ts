// The parse worker's thread: splits a long script with the PostgreSQL dialect and parses it chunk
// by chunk as the statements come, with its own instance of the parser module the main thread
// compiled. Each chunk goes back as soon as it is parsed, so the main thread runs the rules on the
// first chunks while the rest of the script is still being split and parsed. parse-pool.ts is its
// only client.
import { postgresDialect } from "../../postgres/dialect.ts";
import type { Statement } from "../../types.ts";
import { META_FIELDS, type PoolReply, type PoolRequest } from "./parse-pool.ts";
import { FIRST_CHUNK, instantiate, nextChunkSize, type PgQueryWasm, parseRaw } from "./pg-wasm.ts";

declare const self: Worker;

// Requests may come before the module: they wait for it. One promise, settled once, so requests
// are served in the order they came.
const wasm = Promise.withResolvers<PgQueryWasm>();
wasm.promise.catch((err: unknown) =>
  reply({ type: "failed", message: err instanceof Error ? err.message : String(err) }),
);

self.onmessage = (event: MessageEvent<PoolRequest>) => {
  const req = event.data;
  if (req.type === "init") instantiate(req.module).then(wasm.resolve, wasm.reject);
  else
    wasm.promise.then(
      (w) => splitAndParse(w, req.id, req.sql, req.firstLine),
      () => undefined,
    );
};

function splitAndParse(w: PgQueryWasm, id: number, sql: string, firstLine: number): void {
  let pending: Statement[] = [];
  let size = FIRST_CHUNK;
  let sent = 0;
  const send = () => {
    const first = pending[0];
    const last = pending.at(-1);
    if (first === undefined || last === undefined) return;
    // Per statement: start offset, line, column, end offset, own segment (1/0).
    const meta = new Int32Array(pending.length * META_FIELDS);
    for (let i = 0, k = 0; i < pending.length; i++, k += META_FIELDS) {
      const st = pending[i] as Statement;
      meta[k] = st.start.offset;
      meta[k + 1] = st.start.line;
      meta[k + 2] = st.start.column;
      meta[k + 3] = st.endOffset;
      meta[k + 4] = st.ownSegment ? 1 : 0;
    }
    const raw = parseRaw(w, sql.slice(first.start.offset, last.endOffset));
    reply({ type: "chunk", id, first: sent, meta, raw }, [meta.buffer]);
    sent += pending.length;
    pending = [];
    size = nextChunkSize(size);
  };
  try {
    const { problems } = postgresDialect.split(sql, {
      firstLine,
      onStatement(st) {
        pending.push(st);
        if (pending.length >= size) send();
      },
    });
    send();
    reply({ type: "done", id, count: sent, problems });
  } catch (err) {
    reply({ type: "failed", message: err instanceof Error ? err.message : String(err) });
  }
}

function reply(message: PoolReply, transfer: ArrayBuffer[] = []): void {
  self.postMessage(message, transfer);
}
