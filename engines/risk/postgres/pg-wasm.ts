// libpg-query's WASM exports, driven directly rather than through the package's wrapper: the SQL is
// encoded straight into the WASM heap and the tree read back with one native NUL search and one
// decode (the wrapper walks both byte by byte in JavaScript: ~25 ms on a 10,000-statement file).
// No side effects: parser.ts compiles the module and holds the instance.
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

/** The parse tree as the parser's JSON text, or PostgreSQL's refusal as a value. */
export type RawParse =
  | { ok: true; json: string }
  /** `at`: the parser's cursor, 0-based, in characters of the parsed text. */
  | { ok: false; message: string; at: number };

const encoder = new TextEncoder();

export function parseRaw(wasm: PgQueryWasm, sql: string): RawParse {
  if (sql === "") return { ok: false, message: "Query cannot be empty", at: 0 };
  try {
    return withCString(wasm, sql, (query) => parseAt(wasm, query));
  } catch (err) {
    // A trap (the WASM stack exhausted by absurd nesting) refuses the text like a syntax error.
    return { ok: false, message: err instanceof Error ? err.message : String(err), at: 0 };
  }
}

function parseAt(wasm: PgQueryWasm, query: number): RawParse {
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
    return { ok: true, json: cString(wasm, tree) };
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
 * The NUL-terminated UTF-8 string at `ptr`. Buffer's UTF-8 decoder, not TextDecoder: a quarter of
 * the time on the parser's JSON (megabytes for a long script), same result (U+FFFD for bad bytes).
 */
function cString(wasm: PgQueryWasm, ptr: number): string {
  const heap = wasm.HEAPU8;
  const end = heap.indexOf(0, ptr);
  return Buffer.from(heap.buffer, heap.byteOffset + ptr, (end < 0 ? heap.length : end) - ptr).toString("utf8");
}

/**
 * Statements per parser call: many to a call (STACK.md: ~13 µs per statement that way, more per
 * call), in chunks that start small (the first calls run while the WASM code is still tiering up,
 * and a long call keeps running the slow code it started in) and double up to MAX_CHUNK.
 */
export const FIRST_CHUNK = 16;
export const MAX_CHUNK = 1024;

export function nextChunkSize(size: number): number {
  return Math.min(size * 2, MAX_CHUNK);
}
