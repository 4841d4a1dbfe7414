// The PostgreSQL parser's WASM compile, started when this module is evaluated: it runs on
// JavaScriptCore's compiler threads while the main thread goes on. Nothing else here, so the `mx`
// entry can start it before the CLI's modules load (cli/mx.ts); parser.ts instantiates the result.
import wasmPath from "libpg-query/wasm/libpg-query.wasm" with { type: "file" };

/**
 * The compiled parser module; rejects when the WASM file cannot be read or compiled. The file is
 * mapped, not read: the compile copies it anyway, and a read would first fill 1.7 MB of fresh
 * pages (and load node:fs) on the main thread.
 */
export const compiled: Promise<WebAssembly.Module> = (async () => WebAssembly.compile(Bun.mmap(wasmPath)))();

// Marked handled here so a failure before anything awaits it is not reported as an unhandled
// rejection; parserReady() hands it on.
compiled.catch(() => undefined);
