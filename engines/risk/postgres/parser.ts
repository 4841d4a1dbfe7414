// The PostgreSQL parser: libpg-query's WASM (pg-wasm.ts), compiled once per process.
//
// The compile (compile.ts) runs mostly off the main thread (JSC's WASM compiler threads): the `mx`
// entry starts it before the CLI loads when the command line asks for PostgreSQL's risk checks
// (cli/mx.ts), assess() before anything else. compile(), not compileStreaming(): Bun runs a
// streaming compile on the main thread as the bytes arrive (same wall time, more of it there).
import type { ScanResult } from "libpg-query";
import { compiled } from "./compile.ts";
import { instantiate, type ParseAttempt, type PgQueryWasm, parseTree, scanRaw } from "./pg-wasm.ts";

export type { ParseAttempt };

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

/** The parse tree, or PostgreSQL's refusal as a value: the only place its errors are caught. */
export function parse(sql: string): ParseAttempt {
  return parseTree(loaded(), sql);
}

/** PostgreSQL's own tokens of `sql`; throws when its scanner refuses the text. */
export function scan(sql: string): ScanResult {
  return JSON.parse(scanRaw(loaded(), sql)) as ScanResult;
}
