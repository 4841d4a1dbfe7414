// Starts what assessing a script in `engine` will wait for (PostgreSQL: the parser's WASM compile,
// on JavaScriptCore's compiler threads), so a command can overlap it with loading and reading its
// input.
// Light: nothing else is imported until an engine asks.
import type { EngineId } from "../types.ts";

export function warmRisk(engine: EngineId): void {
  if (engine !== "postgresql") return;
  try {
    // Synchronously: a dynamic import would only be evaluated once the caller's own imports load.
    require("./postgres/compile.ts");
  } catch {
    // Only a head start: assess() loads the parser itself and reports what fails.
  }
}
