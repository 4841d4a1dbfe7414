// The backup area as an operator sees it: list the backups with their size, purge them explicitly
// or by age (the retention policy).
import { MigratrixError } from "../../../common/errors.ts";
import type { EngineAdapter } from "../../adapter.ts";
import type { Session } from "../../types.ts";
import { BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE } from "../backup-names.ts";

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

const LIST = `
SELECT c.relname AS table, obj_description(c.oid, 'pg_class') AS meta, pg_total_relation_size(c.oid) AS bytes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> $2
ORDER BY c.relname`;

function supported(engine: EngineAdapter): void {
  if (engine.id !== "postgresql") {
    throw new MigratrixError("unimplemented", `backups are not available for ${engine.id} yet`);
  }
}

export async function listBackups(
  engine: EngineAdapter,
  session: Session,
  opts: { migrationId?: string } = {},
): Promise<BackupEntry[]> {
  supported(engine);
  const rows = await session.query<{ table: string; meta: string | null; bytes: number | string }>(LIST, [
    BACKUP_SCHEMA,
    DOWN_SCRIPTS_TABLE,
  ]);
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
  supported(engine);
  if (o.migrationId === undefined && o.olderThanMs === undefined && !o.all) {
    throw new MigratrixError("invalid_argument", "purge needs a migration id, an age (older than) or all");
  }
  const now = (o.now ?? new Date()).getTime();
  const list = await listBackups(engine, session, o.migrationId !== undefined ? { migrationId: o.migrationId } : {});
  const chosen = list.filter(
    (b) => o.olderThanMs === undefined || (b.createdAt !== "" && now - Date.parse(b.createdAt) > o.olderThanMs),
  );
  const q = (n: string) => engine.dialect.quoteIdent(n);
  for (const b of chosen) await session.exec(`DROP TABLE IF EXISTS ${q(BACKUP_SCHEMA)}.${q(b.table)}`);
  return chosen;
}
