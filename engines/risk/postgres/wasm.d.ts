// The Emscripten module inside libpg-query (the package types only its wrapper): what parser.ts uses.
declare module "libpg-query/wasm/libpg-query.js" {
  export interface PgQueryWasm {
    /** Views of the WASM memory; replaced when the memory grows, so read them after every call. */
    HEAPU8: Uint8Array;
    HEAPU32: Uint32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    /** A PgQueryParseResult*: { char* parse_tree; char* stderr_buffer; PgQueryError* error }. */
    _wasm_parse_query_raw(query: number): number;
    _wasm_free_parse_result(result: number): void;
    /** A JSON string, or an error message. */
    _wasm_scan(query: number): number;
    _wasm_free_string(ptr: number): void;
  }
  const createModule: (options?: Record<string, unknown>) => Promise<PgQueryWasm>;
  export default createModule;
}

/** Imported with `{ type: "file" }`: its path, embedded by `bun build --compile`. */
declare module "libpg-query/wasm/libpg-query.wasm" {
  const path: string;
  export default path;
}
