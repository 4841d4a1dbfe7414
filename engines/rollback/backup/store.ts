// The backup area as an operator sees it: list the backups with their size, purge them explicitly
// or by age (the retention policy).
import { MigratrixError } from "../../../common/errors.ts";
import type { EngineAdapter } from "../../adapter.ts";
import type { Session } from "../../types.ts";
import { backupArea } from "./area.ts";

export interface BackupEntry {
  /** Table in the backup area. */
  table: string;
  migrationId: string;
  upIndex: number;
  /** schema.table the rows came from. */
  source: string;
  /** The statement kind that destroyed them: "DELETE", "DROP TABLE", … */
  reason: string;
  rows: number;
  /** On-disk size, indexes and TOAST included. */
  bytes: number;
  createdAt: string;
}

export async function listBackups(
  engine: EngineAdapter,
  session: Session,
  opts: { migrationId?: string } = {},
): Promise<BackupEntry[]> {
  const rows = await backupArea(engine).list(session);
  const out: BackupEntry[] = [];
  for (const r of rows) {
    const meta = parseMeta(r.meta);
    if (opts.migrationId !== undefined && meta.migrationId !== opts.migrationId) continue;
    out.push({ table: r.table, ...meta, bytes: Number(r.bytes) });
  }
  return out.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
}

// A table someone put in the backup area by hand has no metadata: it is listed, never guessed at.
function parseMeta(text: string | null): Omit<BackupEntry, "table" | "bytes"> {
  const none = { migrationId: "", upIndex: 0, source: "", reason: "unknown", rows: 0, createdAt: "" };
  if (!text) return none;
  try {
    const m = JSON.parse(text) as Partial<Omit<BackupEntry, "table" | "bytes">>;
    return {
      migrationId: String(m.migrationId ?? ""),
      upIndex: Number(m.upIndex ?? 0),
      source: String(m.source ?? ""),
      reason: String(m.reason ?? "unknown"),
      rows: Number(m.rows ?? 0),
      createdAt: String(m.createdAt ?? ""),
    };
  } catch (e) {
    return { ...none, reason: `unreadable metadata: ${(e as Error).message}` };
  }
}

export interface PurgeOptions {
  /** Only this migration's backups. */
  migrationId?: string;
  /** Only backups older than this (retention). */
  olderThanMs?: number;
  /** Required when neither filter is given: purging everything must be asked for. */
  all?: boolean;
  now?: Date;
}

/** Drops the matching backup tables; returns what was dropped. */
export async function purgeBackups(engine: EngineAdapter, session: Session, o: PurgeOptions): Promise<BackupEntry[]> {
  const area = backupArea(engine);
  if (o.migrationId === undefined && o.olderThanMs === undefined && !o.all) {
    throw new MigratrixError("invalid_argument", "purge needs a migration id, an age (older than) or all");
  }
  const now = (o.now ?? new Date()).getTime();
  const list = await listBackups(engine, session, o.migrationId !== undefined ? { migrationId: o.migrationId } : {});
  const chosen = list.filter(
    (b) => o.olderThanMs === undefined || (b.createdAt !== "" && now - Date.parse(b.createdAt) > o.olderThanMs),
  );
  for (const b of chosen) await area.drop(session, b.table);
  return chosen;
}
