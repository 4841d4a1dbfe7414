// Starts what assessing a script in `engine` will wait for (PostgreSQL: the parser's WASM compile,
// mostly on a helper thread), so a command can overlap it with reading its options and input.
// Light: nothing else is imported until an engine asks.
import type { EngineId } from "../types.ts";

export function warmRisk(engine: EngineId): void {
  if (engine === "postgresql") import("./postgres/parser.ts").catch(() => undefined);
}
