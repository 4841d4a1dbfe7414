// The runner's before-hooks that keep data: before a statement that destroys rows or values, copy
// them into the backup area inside the statement's own transaction, so the down script can restore.
import { MigratrixError } from "../../../common/errors.ts";
import type { EngineAdapter } from "../../adapter.ts";
import type { RunHooks } from "../../runner/options.ts";
import type { Session, Statement } from "../../types.ts";
import { BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE } from "../backup-names.ts";
import type { BackupSpec, DownScript } from "../types.ts";

export const DEFAULT_MAX_BACKUP_ROWS = 1_000_000;

export interface BackupHookOptions {
  engine: EngineAdapter;
  /** The run's session: backups ride in its transactions. */
  session: Session;
  migrationId: string;
  /** The generated down script: which backups to take, which cannot be taken. */
  down: DownScript;
  /** A backup of more rows stops the run (before any change where the count is known ahead). */
  maxRows?: number;
  /** Stage policy: go on without a backup that cannot be taken (each one is reported). */
  allowWithoutBackup?: boolean;
  /** Told about every backup taken and every one skipped; the caller shows and audits it. */
  onNotice?: (message: string) => void | Promise<void>;
}

const q = (engine: EngineAdapter, name: string) => engine.dialect.quoteIdent(name);

export function createBackupHooks(o: BackupHookOptions): RunHooks {
  if (o.engine.id !== "postgresql") {
    throw new MigratrixError(
      "unimplemented",
      `backups before destructive statements are not available for ${o.engine.id} yet`,
    );
  }
  const maxRows = o.maxRows ?? DEFAULT_MAX_BACKUP_ROWS;
  const bySt = new Map<number, BackupSpec[]>();
  for (const b of o.down.backups) bySt.set(b.upIndex, [...(bySt.get(b.upIndex) ?? []), b]);
  const notice = async (m: string) => {
    await o.onNotice?.(m);
  };
  const refuse = (m: string) =>
    new MigratrixError("failed_precondition", `${m}; nothing was changed (allow running without a backup to go on)`);

  return {
    async beforeRun(ctx) {
      if (ctx.direction !== "apply") return;
      for (const g of o.down.backupGaps) {
        if (g.upIndex <= ctx.resumeFrom) continue;
        const m = `statement ${g.upIndex}: no backup can be taken: ${g.reason}`;
        if (!o.allowWithoutBackup) throw refuse(`migration ${o.migrationId} ${m}`);
        await notice(`${m} (allowed by policy: running without it)`);
      }
      for (const b of o.down.backups) {
        if (b.upIndex <= ctx.resumeFrom) continue;
        const rows = await countAhead(o.session, b);
        if (rows !== undefined && rows > maxRows) {
          const m = `statement ${b.upIndex} (${b.reason}) would back up ${rows} rows of ${b.source.schema}.${b.source.name}, over the limit of ${maxRows}`;
          if (!o.allowWithoutBackup) throw refuse(`migration ${o.migrationId}: ${m}`);
          await notice(`${m} (allowed by policy: running without it)`);
          bySt.set(
            b.upIndex,
            (bySt.get(b.upIndex) ?? []).filter((x) => x !== b),
          );
        }
      }
      if (o.down.backups.length > 0) await o.session.exec(`CREATE SCHEMA IF NOT EXISTS ${q(o.engine, BACKUP_SCHEMA)}`);
      // A resumed run sees a schema its first statements already changed: keep the first script.
      await storeDownScript(o, { keepExisting: ctx.resumeFrom > 0 });
    },
    async beforeStatement(s: Statement) {
      for (const b of bySt.get(s.index) ?? []) await takeBackup(o, b, maxRows, notice);
    },
  };
}

/** Rows a backup will hold, counted before the run; undefined when its table does not exist yet. */
async function countAhead(session: Session, b: BackupSpec): Promise<number | undefined> {
  const exists = await session.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [
    `"${b.source.schema.replaceAll('"', '""')}"."${b.source.name.replaceAll('"', '""')}"`,
  ]);
  if (!exists[0]?.ok) return undefined;
  try {
    const r = await session.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${b.from}`);
    return Number(r[0]?.n ?? 0);
  } catch {
    // The WHERE clause may name what earlier statements of this migration create: counted when taken.
    return undefined;
  }
}

async function takeBackup(
  o: BackupHookOptions,
  b: BackupSpec,
  maxRows: number,
  notice: (m: string) => Promise<void>,
): Promise<void> {
  const e = o.engine;
  const target = `${q(e, BACKUP_SCHEMA)}.${q(e, b.backupTable)}`;
  const cols = b.columns.length ? b.columns.map((c) => q(e, c)).join(", ") : "*";
  await o.session.exec(`DROP TABLE IF EXISTS ${target}`);
  const { rowsAffected } = await o.session.exec(`CREATE TABLE ${target} AS SELECT ${cols} FROM ${b.from}`);
  if (rowsAffected > maxRows && !o.allowWithoutBackup) {
    throw new MigratrixError(
      "failed_precondition",
      `statement ${b.upIndex} (${b.reason}) backs up ${rowsAffected} rows of ${b.source.schema}.${b.source.name}, over the limit of ${maxRows}; its transaction was rolled back`,
    );
  }
  const meta = {
    migrationId: o.migrationId,
    upIndex: b.upIndex,
    source: `${b.source.schema}.${b.source.name}`,
    reason: b.reason,
    rows: rowsAffected,
    createdAt: new Date().toISOString(),
  };
  await o.session.exec(`COMMENT ON TABLE ${target} IS ${e.dialect.quoteLiteral(JSON.stringify(meta))}`);
  await notice(
    `backed up ${rowsAffected} row(s) of ${meta.source} before statement ${b.upIndex} (${b.reason}) into ${BACKUP_SCHEMA}.${b.backupTable}`,
  );
}

/** Keeps the down script generated at pre-flight beside the backups it reads, for a later revert. */
async function storeDownScript(o: BackupHookOptions, opts: { keepExisting: boolean }): Promise<void> {
  const e = o.engine;
  const table = `${q(e, BACKUP_SCHEMA)}.${q(e, DOWN_SCRIPTS_TABLE)}`;
  await o.session.exec(`CREATE SCHEMA IF NOT EXISTS ${q(e, BACKUP_SCHEMA)}`);
  await o.session.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (migration_id text PRIMARY KEY, down_sql text NOT NULL, reversibility text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await o.session.query(
    `INSERT INTO ${table} (migration_id, down_sql, reversibility) VALUES ($1, $2, $3)
     ON CONFLICT (migration_id) DO ${
       opts.keepExisting
         ? "NOTHING"
         : "UPDATE SET down_sql = EXCLUDED.down_sql, reversibility = EXCLUDED.reversibility, created_at = now()"
     }`,
    [o.migrationId, o.down.sql, o.down.reversibility],
  );
}

/** The down script stored when the migration was applied, or null. */
export async function storedDownScript(
  engine: EngineAdapter,
  session: Session,
  migrationId: string,
): Promise<{ sql: string; reversibility: string } | null> {
  const exists = await session.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [
    `${BACKUP_SCHEMA}.${DOWN_SCRIPTS_TABLE}`,
  ]);
  if (!exists[0]?.ok) return null;
  const table = `${q(engine, BACKUP_SCHEMA)}.${q(engine, DOWN_SCRIPTS_TABLE)}`;
  const rows = await session.query<{ down_sql: string; reversibility: string }>(
    `SELECT down_sql, reversibility FROM ${table} WHERE migration_id = $1`,
    [migrationId],
  );
  const r = rows[0];
  return r ? { sql: r.down_sql, reversibility: r.reversibility } : null;
}
