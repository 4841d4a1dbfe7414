// libpg-query's WASM exports, driven directly rather than through the package's wrapper: the SQL is
// encoded straight into the WASM heap and the tree is read back from it, its JSON parsed where the
// parser wrote it (the wrapper walks both byte by byte in JavaScript: ~25 ms on a 10,000-statement
// file). No side effects: parser.ts compiles the module and holds the instance.
import type { ParseResult } from "libpg-query";
import createModule, { type PgQueryWasm } from "libpg-query/wasm/libpg-query.js";

export type { PgQueryWasm };

/** An instance of the compiled parser, with the Emscripten runtime around it. */
export function instantiate(compiled: WebAssembly.Module): Promise<PgQueryWasm> {
  return new Promise<PgQueryWasm>((resolve, reject) => {
    createModule({
      instantiateWasm(imports: Bun.WebAssembly.Imports, done: (instance: WebAssembly.Instance) => void) {
        WebAssembly.instantiate(compiled, imports).then(done, reject);
        return {};
      },
    }).then(resolve, reject);
  });
}

/** The parse tree, or PostgreSQL's refusal as a value. */
export type ParseAttempt =
  | { ok: true; value: ParseResult }
  /** `at`: the parser's cursor, 0-based, in characters of the parsed text. */
  | { ok: false; message: string; at: number };

const encoder = new TextEncoder();

export function parseTree(wasm: PgQueryWasm, sql: string): ParseAttempt {
  if (sql === "") return { ok: false, message: "Query cannot be empty", at: 0 };
  try {
    return withCString(wasm, sql, (query) => parseAt(wasm, query));
  } catch (err) {
    // A trap (the WASM stack exhausted by absurd nesting) refuses the text like a syntax error.
    return { ok: false, message: err instanceof Error ? err.message : String(err), at: 0 };
  }
}

function parseAt(wasm: PgQueryWasm, query: number): ParseAttempt {
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
        message: message === 0 ? "Unknown error" : cString(wasm, message),
        at: cursor > 0 ? cursor - 1 : 0,
      };
    }
    if (tree === 0) return { ok: false, message: "No parse tree generated", at: 0 };
    const heap = wasm.HEAPU8;
    const end = heap.indexOf(0, tree);
    return { ok: true, value: jsonAt(heap, tree, end < 0 ? heap.length : end) as ParseResult };
  } finally {
    wasm._wasm_free_parse_result(result);
  }
}

/** PostgreSQL's scanner output (JSON text); throws when the scanner refuses the text. */
export function scanRaw(wasm: PgQueryWasm, sql: string): string {
  return withCString(wasm, sql, (query) => {
    const result = wasm._wasm_scan(query);
    try {
      const text = result === 0 ? "" : cString(wasm, result);
      if (!text.startsWith("{")) throw new Error(text || "the scanner returned nothing");
      return text;
    } finally {
      if (result !== 0) wasm._wasm_free_string(result);
    }
  });
}

function withCString<T>(wasm: PgQueryWasm, text: string, use: (ptr: number) => T): T {
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
 * The JSON value in bytes[start, end), parsed in place (Bun.JSONL reads ASCII bytes without copying
 * them): no JS string of the text is made. A long script's trees are megabytes of JSON, and each
 * text would be one more copy on fresh pages. The parser's JSON is one line; anything else is read
 * as text by JSON.parse, which throws what is wrong with it.
 */
export function jsonAt(bytes: Uint8Array, start: number, end: number): unknown {
  const got = Bun.JSONL.parseChunk(bytes, start, end);
  if (got.error === null && got.done && got.values.length === 1) return got.values[0];
  return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString("utf8"));
}

/**
 * The NUL-terminated UTF-8 string at `ptr` (an error message, the scanner's tokens). Buffer's UTF-8
 * decoder, not TextDecoder: a quarter of the time on long text, same result (U+FFFD for bad bytes).
 */
function cString(wasm: PgQueryWasm, ptr: number): string {
  const heap = wasm.HEAPU8;
  const end = heap.indexOf(0, ptr);
  return Buffer.from(heap.buffer, heap.byteOffset + ptr, (end < 0 ? heap.length : end) - ptr).toString("utf8");
}
