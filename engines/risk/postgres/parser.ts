// The main thread's PostgreSQL parser: libpg-query's WASM (pg-wasm.ts), compiled once per process.
//
// The compile starts when this module is evaluated and runs mostly off the main thread: `mx risk`
// imports it as soon as it knows the engine (engines/risk/warm.ts), assess() before it splits, and
// the compile is done by the time the split is. compile(), not compileStreaming(): Bun runs a
// streaming compile on the main thread as the bytes arrive (same wall time, more of it on the
// thread that splits and checks). The parse worker (parse-pool.ts) gets the same compiled module.
import { readFileSync } from "node:fs";
import type { ParseResult, ScanResult } from "libpg-query";
import wasmPath from "libpg-query/wasm/libpg-query.wasm" with { type: "file" };
import { type ParsePool, parsePool } from "./parse-pool.ts";
import { instantiate, type PgQueryWasm, parseRaw, scanRaw } from "./pg-wasm.ts";

let instance: PgQueryWasm | undefined;

/** The compiled parser module; rejects when the WASM file cannot be read or compiled. */
export const compiled: Promise<WebAssembly.Module> = WebAssembly.compile(readFileSync(wasmPath));

// Marked handled here so a failure before anything awaits it is not reported as an unhandled
// rejection; parserReady() hands it on.
compiled.catch(() => undefined);

let instantiating: Promise<void> | undefined;

/**
 * Settles once this thread's parser can be called (made on first call); rejects when the WASM
 * module cannot be loaded. A long script parsed on the worker may never need it here.
 */
export function parserReady(): Promise<void> {
  instantiating ??= compiled.then(instantiate).then((m) => {
    instance = m;
  });
  return instantiating;
}

function loaded(): PgQueryWasm {
  if (instance === undefined) throw new Error("the PostgreSQL parser is used before parserReady() settled");
  return instance;
}

export type ParseAttempt =
  | { ok: true; value: ParseResult }
  /** `at`: the parser's cursor, 0-based, in characters of the parsed text. */
  | { ok: false; message: string; at: number };

/** The parse tree, or PostgreSQL's refusal as a value: the only place its errors are caught. */
export function parse(sql: string): ParseAttempt {
  const raw = parseRaw(loaded(), sql);
  return raw.ok ? { ok: true, value: JSON.parse(raw.json) as ParseResult } : raw;
}

/** PostgreSQL's own tokens of `sql`; throws when its scanner refuses the text. */
export function scan(sql: string): ScanResult {
  return JSON.parse(scanRaw(loaded(), sql)) as ScanResult;
}

/**
 * Scripts this long (characters) are split and parsed on the parse worker. Measured on two cores
 * (generated migrations, interleaved cold runs against the main thread alone): the worker's start
 * (its own module load and parser instance) costs 10-20 ms up to ~3,000 statements, breaks even
 * near 5,000 (~320 KB) and saves ~35 ms at 10,000. `minLength` is a test hook.
 */
export const parseWorkerSettings = { minLength: 327_680 };

export function usesParseWorker(sql: string): boolean {
  return sql.length >= parseWorkerSettings.minLength;
}

/** The process's parse worker (started on first call, with this module's compiled parser). */
export function parseWorker(): ParsePool | undefined {
  return parsePool(compiled);
}
