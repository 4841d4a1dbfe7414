// Starts what assessing a script in `engine` will wait for (PostgreSQL: the parser's WASM compile,
// on JavaScriptCore's compiler threads), so a command can overlap it with loading and reading its
// input.
// Light: nothing else is imported until an engine asks.
import type { EngineId } from "../types.ts";

export function warmRisk(engine: EngineId): void {
  if (engine === "postgresql") import("./postgres/compile.ts").catch(() => undefined);
}
