// libpg-query's WASM parser, driven directly rather than through the package's wrapper: the SQL is
// encoded straight into the WASM heap and the tree read back with one native NUL search and one
// decode (the wrapper walks both byte by byte in JavaScript: ~25 ms on a 10,000-statement file),
// and only this one instance is compiled (importing the wrapper would instantiate its own).
//
// The compile starts when this module is evaluated and runs mostly off the main thread: `mx risk`
// imports it as soon as it knows the engine (engines/risk/warm.ts), assess() before it splits, and
// `ready` has settled by the time the split is done. compile(), not compileStreaming(): Bun runs a
// streaming compile on the main thread as the bytes arrive (same wall time, more of it on the
// thread that splits and checks).
import { readFileSync } from "node:fs";
import type { ParseResult, ScanResult } from "libpg-query";
import createModule, { type PgQueryWasm } from "libpg-query/wasm/libpg-query.js";
import wasmPath from "libpg-query/wasm/libpg-query.wasm" with { type: "file" };

let instance: PgQueryWasm | undefined;

/** Settles once the parser can be called; rejects when the WASM module cannot be loaded. */
export const ready: Promise<void> = WebAssembly.compile(readFileSync(wasmPath)).then(
  (compiled) =>
    new Promise<void>((resolve, reject) => {
      createModule({
        instantiateWasm(imports: Bun.WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
          WebAssembly.instantiate(compiled, imports).then(done, reject);
          return {};
        },
      }).then((m) => {
        instance = m;
        resolve();
      }, reject);
    }),
);

// Awaited (and thrown) by analyze.ts; marked handled here so a failure before then is not reported
// as an unhandled rejection.
ready.catch(() => undefined);

function loaded(): PgQueryWasm {
  if (instance === undefined) throw new Error("the PostgreSQL parser is used before `ready` settled");
  return instance;
}

const encoder = new TextEncoder();

export type ParseAttempt =
  | { ok: true; value: ParseResult }
  /** `at`: the parser's cursor, 0-based, in characters of the parsed text. */
  | { ok: false; message: string; at: number };

/** The parse tree, or PostgreSQL's refusal as a value: the only place its errors are caught. */
export function parse(sql: string): ParseAttempt {
  if (sql === "") return { ok: false, message: "Query cannot be empty", at: 0 };
  try {
    return withCString(sql, parseAt);
  } catch (err) {
    // A trap (the WASM stack exhausted by absurd nesting) refuses the text like a syntax error.
    return { ok: false, message: err instanceof Error ? err.message : String(err), at: 0 };
  }
}

function parseAt(query: number): ParseAttempt {
  const wasm = loaded();
  const result = wasm._wasm_parse_query_raw(query);
  if (result === 0) return { ok: false, message: "Failed to parse query: memory allocation failed", at: 0 };
  try {
    // PgQueryParseResult: { char* parse_tree; char* stderr_buffer; PgQueryError* error }.
    const words = wasm.HEAPU32;
    const tree = words[result >>> 2] ?? 0;
    const error = words[(result >>> 2) + 2] ?? 0;
    if (error !== 0) {
      // PgQueryError: { char* message; char* funcname; char* filename; int lineno; int cursorpos; … }.
      const message = words[error >>> 2] ?? 0;
      const cursor = (words[(error >>> 2) + 4] ?? 0) | 0;
      return {
        ok: false,
        message: message === 0 ? "Unknown error" : cString(message),
        at: cursor > 0 ? cursor - 1 : 0,
      };
    }
    if (tree === 0) return { ok: false, message: "No parse tree generated", at: 0 };
    return { ok: true, value: JSON.parse(cString(tree)) as ParseResult };
  } finally {
    wasm._wasm_free_parse_result(result);
  }
}

/** PostgreSQL's own tokens of `sql`; throws when its scanner refuses the text. */
export function scan(sql: string): ScanResult {
  return withCString(sql, (query) => {
    const wasm = loaded();
    const result = wasm._wasm_scan(query);
    try {
      const text = result === 0 ? "" : cString(result);
      if (!text.startsWith("{")) throw new Error(text || "the scanner returned nothing");
      return JSON.parse(text) as ScanResult;
    } finally {
      if (result !== 0) wasm._wasm_free_string(result);
    }
  });
}

function withCString<T>(text: string, use: (ptr: number) => T): T {
  const wasm = loaded();
  const bytes = encoder.encode(text);
  const ptr = wasm._malloc(bytes.length + 1);
  if (ptr === 0) throw new Error("Failed to parse query: memory allocation failed");
  try {
    const heap = wasm.HEAPU8;
    heap.set(bytes, ptr);
    heap[ptr + bytes.length] = 0;
    return use(ptr);
  } finally {
    wasm._free(ptr);
  }
}

/**
 * The NUL-terminated UTF-8 string at `ptr`. Buffer's UTF-8 decoder, not TextDecoder: a quarter of
 * the time on the parser's JSON (megabytes for a long script), same result (U+FFFD for bad bytes).
 */
function cString(ptr: number): string {
  const heap = loaded().HEAPU8;
  const end = heap.indexOf(0, ptr);
  return Buffer.from(heap.buffer, heap.byteOffset + ptr, (end < 0 ? heap.length : end) - ptr).toString("utf8");
}
