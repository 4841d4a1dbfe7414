// The one way a caller (local mode, the agent) arms generated rollback for an apply: generate the
// down script from the live schema, then the before-hooks that store it and take its backups.
import { MigratrixError } from "../../common/errors.ts";
import type { EngineAdapter } from "../adapter.ts";
import type { RunHooks } from "../runner/options.ts";
import type { Session } from "../types.ts";
import { type BackupHookOptions, createBackupHooks } from "./backup/hooks.ts";
import { generateDown } from "./generate.ts";
import type { DownScript } from "./types.ts";

/** Engines whose applies get a generated, stored down script and backups. */
export function generatesRollback(engine: EngineAdapter): boolean {
  return ["postgresql", "mariadb", "mysql", "sqlite"].includes(engine.id);
}

export interface ArmRollbackOptions extends Pick<BackupHookOptions, "maxRows" | "allowWithoutBackup" | "onNotice"> {
  migrationId: string;
  /** The up section, and its first line in the file (positions in the down script's notes). */
  up: string;
  firstLine: number;
}

/** The generated down script and the hooks that keep its backups; run them with the apply. */
export async function armRollback(
  engine: EngineAdapter,
  session: Session,
  o: ArmRollbackOptions,
): Promise<{ down: DownScript; hooks: RunHooks }> {
  const schemaBefore = await engine.inspector.inspect(session, { objects: true });
  const down = await generateDown(o.up, {
    engine: engine.id,
    schemaBefore,
    migrationId: o.migrationId,
    firstLine: o.firstLine,
  });
  const p = down.problems[0];
  if (p) {
    throw new MigratrixError(
      "invalid_argument",
      `migration ${o.migrationId}: cannot generate a down script: ${p.message}`,
    );
  }
  const hooks = createBackupHooks({
    engine,
    session,
    migrationId: o.migrationId,
    down,
    ...(o.allowWithoutBackup !== undefined ? { allowWithoutBackup: o.allowWithoutBackup } : {}),
    ...(o.maxRows !== undefined ? { maxRows: o.maxRows } : {}),
    ...(o.onNotice ? { onNotice: o.onNotice } : {}),
  });
  return { down, hooks };
}
