// Engine names as people type them, resolved through the engine registry (engines/index.ts).
// The registry loads every adapter (postgres.js, mysql2, bun:sqlite: ~120 ms), so it is imported
// only by the commands that need it, keeping `mx env list` and friends quick to start.
import { MigratrixError } from "../common/errors.ts";
import type { EngineId } from "../engines/index.ts";
import { type Engine, EngineSchema } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { UsageError } from "./errors.ts";

type EnginesModule = typeof import("../engines/index.ts");

export function loadEngines(): Promise<EnginesModule> {
  return import("../engines/index.ts");
}

const ALIASES: Record<string, EngineId> = { postgres: "postgresql", pg: "postgresql", mssql: "sqlserver" };

/** For display only: the proto enum's own name ("ENGINE_POSTGRESQL" → "postgresql"), never throws. */
export function engineLabel(engine: Engine): string {
  return EngineSchema.value[engine]?.localName.toLowerCase() ?? `engine(${engine})`;
}

/** An --engine value: an engine id or a common alias (postgres, pg, mssql). */
export async function parseEngine(text: string): Promise<EngineId> {
  const engines = await loadEngines();
  const lower = text.toLowerCase();
  const id = engines.isEngineId(lower) ? lower : ALIASES[lower];
  if (id === undefined) {
    throw new UsageError(`unknown engine '${text}': expected one of ${engines.ENGINE_IDS.join(", ")}`);
  }
  return id;
}

/** The engine a connection URL is for; a URL naming none is a usage error (its text is never shown). */
export async function engineOfUrl(url: string): Promise<EngineId> {
  const engines = await loadEngines();
  try {
    return engines.engineIdFromUrl(url);
  } catch (err) {
    throw new UsageError(`--url: ${MigratrixError.from(err).message}`);
  }
}
