// The PostgreSQL parser: libpg-query's WASM (pg-wasm.ts), compiled once per process.
//
// The compile (compile.ts) runs mostly off the main thread (JSC's WASM compiler threads): the `mx`
// entry starts it before the CLI loads when the command line asks for PostgreSQL's risk checks
// (cli/mx.ts), assess() before anything else. compile(), not compileStreaming(): Bun runs a
// streaming compile on the main thread as the bytes arrive (same wall time, more of it there).
import type { ParseResult, ScanResult } from "libpg-query";
import { compiled } from "./compile.ts";
import { instantiate, type PgQueryWasm, parseRaw, type RawParse, scanRaw } from "./pg-wasm.ts";

let instance: PgQueryWasm | undefined;

let instantiating: Promise<void> | undefined;

/** Settles once the parser can be called (instantiated on first call); rejects when the WASM module cannot be loaded. */
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

/** The parser's JSON text for `sql`, or its refusal: what a chunk of a script gets (chunks.ts). */
export function parseRawHere(sql: string): RawParse {
  return parseRaw(loaded(), sql);
}

/** PostgreSQL's own tokens of `sql`; throws when its scanner refuses the text. */
export function scan(sql: string): ScanResult {
  return JSON.parse(scanRaw(loaded(), sql)) as ScanResult;
}
