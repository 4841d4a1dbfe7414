// The runner's before-hooks that keep data: before a statement that destroys rows or values, copy
// them into the backup area (in the statement's own transaction where the engine allows), so the
// down script can restore.
import { MigratrixError } from "../../../common/errors.ts";
import type { EngineAdapter } from "../../adapter.ts";
import type { RunHooks } from "../../runner/options.ts";
import type { Session, Statement } from "../../types.ts";
import { BACKUP_SCHEMA } from "../backup-names.ts";
import type { BackupSpec, DownScript } from "../types.ts";
import { type BackupArea, backupArea } from "./area.ts";

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
  onNotice?: (message: string, kind?: NoticeKind) => void | Promise<void>;
}

/** "skipped": a backup the policy let the run go on without (the caller audits these). */
export type NoticeKind = "taken" | "skipped";

/** Statements whose backup rides in a transaction with them on MariaDB/MySQL (InnoDB row changes). */
const DML = new Set(["DELETE", "UPDATE"]);

export function createBackupHooks(o: BackupHookOptions): RunHooks {
  const area = backupArea(o.engine);
  const mysql = o.engine.id === "mariadb" || o.engine.id === "mysql";
  const maxRows = o.maxRows ?? DEFAULT_MAX_BACKUP_ROWS;
  const bySt = new Map<number, BackupSpec[]>();
  for (const b of o.down.backups) bySt.set(b.upIndex, [...(bySt.get(b.upIndex) ?? []), b]);
  const notice = async (m: string, kind: NoticeKind = "taken") => {
    await o.onNotice?.(m, kind);
  };
  const refuse = (m: string) =>
    new MigratrixError("failed_precondition", `${m}; nothing was changed (allow running without a backup to go on)`);
  // MariaDB/MySQL: a DML statement's backup rows, the statement and its history write share one
  // transaction, opened in beforeStatement and committed in afterStatement (or afterRun on failure).
  let open: BackupSpec[] = [];

  return {
    async beforeRun(ctx) {
      if (ctx.direction !== "apply") return;
      for (const g of o.down.backupGaps) {
        if (g.upIndex <= ctx.resumeFrom) continue;
        const m = `statement ${g.upIndex}: no backup can be taken: ${g.reason}`;
        if (!o.allowWithoutBackup) throw refuse(`migration ${o.migrationId} ${m}`);
        await notice(`${m} (allowed by policy: running without it)`, "skipped");
      }
      for (const b of o.down.backups) {
        if (b.upIndex <= ctx.resumeFrom) continue;
        const rows = await countAhead(o.session, area, b);
        if (rows !== undefined && rows > maxRows) {
          const m = `statement ${b.upIndex} (${b.reason}) would back up ${rows} rows of ${b.source.schema}.${b.source.name}, over the limit of ${maxRows}`;
          if (!o.allowWithoutBackup) throw refuse(`migration ${o.migrationId}: ${m}`);
          await notice(`${m} (allowed by policy: running without it)`, "skipped");
          bySt.set(
            b.upIndex,
            (bySt.get(b.upIndex) ?? []).filter((x) => x !== b),
          );
        }
      }
      if (o.down.backups.length > 0) await area.ensure(o.session);
      // A resumed run sees a schema its first statements already changed: keep the first script.
      await area.storeDown(
        o.session,
        { migrationId: o.migrationId, sql: o.down.sql, reversibility: o.down.reversibility },
        ctx.resumeFrom > 0,
      );
    },
    async beforeStatement(s: Statement) {
      const specs = bySt.get(s.index) ?? [];
      if (!mysql) {
        for (const b of specs) await takeBackup(o, area, b, maxRows, notice);
        return;
      }
      const dml = specs.filter((b) => DML.has(b.reason));
      for (const b of specs.filter((x) => !DML.has(x.reason))) await takeCommittedBackup(o, area, b, maxRows, notice);
      if (dml.length > 0) {
        for (const b of dml) await prepareTable(o, area, b);
        await o.session.exec("START TRANSACTION");
        open = dml;
        for (const b of dml) await fillInTransaction(o, area, b, maxRows);
      }
    },
    // Backup rows and the statement commit together, before the runner's history write (the same
    // window every statement that commits by itself has; the runner settles it as in doubt).
    async beforeHistoryWrite() {
      await commitOpen();
    },
    async afterStatement() {
      await commitOpen();
    },
    async afterRun(result) {
      if (open.length === 0) return;
      const at = open[0]?.upIndex;
      open = [];
      // The statement itself failed: InnoDB rolled it back, and the failure record the runner wrote
      // meanwhile must commit. Anything else (a hook, a lost history write) stopped the run after
      // the statement but before it was counted: roll statement and backup back together.
      const own = result.error?.detail.statement === at;
      await o.session.exec(own ? "COMMIT" : "ROLLBACK");
    },
  };

  async function commitOpen(): Promise<void> {
    if (open.length === 0) return;
    const taken = open;
    open = [];
    await o.session.exec("COMMIT");
    for (const b of taken) await describe(o, area, b, await countRows(o.session, area, b), notice);
  }
}

/** Rows a backup will hold, counted before the run; undefined when its table does not exist yet. */
async function countAhead(session: Session, area: BackupArea, b: BackupSpec): Promise<number | undefined> {
  if (!(await area.sourceExists(session, b.source))) return undefined;
  try {
    const r = await session.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${b.from}`);
    return Number(r[0]?.n ?? 0);
  } catch {
    // The WHERE clause may name what earlier statements of this migration create: counted when taken.
    return undefined;
  }
}

const columnsOf = (o: BackupHookOptions, b: BackupSpec) =>
  b.columns.length ? b.columns.map((c) => o.engine.dialect.quoteIdent(c)).join(", ") : "*";

function metaOf(o: BackupHookOptions, b: BackupSpec, database: string, rows: number | null) {
  return {
    migrationId: o.migrationId,
    upIndex: b.upIndex,
    source: `${b.source.schema}.${b.source.name}`,
    reason: b.reason,
    rows,
    createdAt: new Date().toISOString(),
    ...(database ? { database } : {}),
  };
}

function overLimit(b: BackupSpec, rows: number, maxRows: number, after: string): MigratrixError {
  return new MigratrixError(
    "failed_precondition",
    `statement ${b.upIndex} (${b.reason}) backs up ${rows} rows of ${b.source.schema}.${b.source.name}, over the limit of ${maxRows}; ${after}`,
  );
}

/** PostgreSQL and SQLite: the copy rides in the statement's own transaction. */
async function takeBackup(
  o: BackupHookOptions,
  area: BackupArea,
  b: BackupSpec,
  maxRows: number,
  notice: (m: string) => Promise<void>,
): Promise<void> {
  const target = area.table(b.backupTable);
  await o.session.exec(`DROP TABLE IF EXISTS ${target}`);
  const { rowsAffected } = await o.session.exec(`CREATE TABLE ${target} AS SELECT ${columnsOf(o, b)} FROM ${b.from}`);
  const rows = o.engine.id === "sqlite" ? await countRows(o.session, area, b) : rowsAffected;
  if (rows > maxRows && !o.allowWithoutBackup) throw overLimit(b, rows, maxRows, "its transaction was rolled back");
  await describe(o, area, b, rows, notice);
}

/**
 * MariaDB/MySQL DDL is not transactional: the backup is taken and committed BEFORE the statement,
 * as its own step. Idempotent by name: a backup table that exists was taken before an earlier
 * attempt of this same statement (the agent died between the backup and the DDL, or after the DDL
 * but before its history write), so it is kept, never taken again over changed data. CREATE TABLE
 * … SELECT is atomic on MariaDB 10.6+ (crash-safe DDL), so a table that exists is complete.
 */
async function takeCommittedBackup(
  o: BackupHookOptions,
  area: BackupArea,
  b: BackupSpec,
  maxRows: number,
  notice: (m: string) => Promise<void>,
): Promise<void> {
  if (await area.exists(o.session, b.backupTable)) {
    await notice(`backup ${b.backupTable} for statement ${b.upIndex} exists from an earlier attempt: kept`);
    return;
  }
  const db = await area.database(o.session);
  const meta = o.engine.dialect.quoteLiteral(JSON.stringify(metaOf(o, b, db, null)));
  const { rowsAffected } = await o.session.exec(
    `CREATE TABLE ${area.table(b.backupTable)} COMMENT = ${meta} AS SELECT ${columnsOf(o, b)} FROM ${b.from}`,
  );
  if (rowsAffected > maxRows && !o.allowWithoutBackup) {
    await area.drop(o.session, b.backupTable);
    throw overLimit(b, rowsAffected, maxRows, "the statement did not run");
  }
  await describe(o, area, b, rowsAffected, notice);
}

/** The empty backup table of a DML statement, created (DDL commits) before its transaction opens. */
async function prepareTable(o: BackupHookOptions, area: BackupArea, b: BackupSpec): Promise<void> {
  const db = await area.database(o.session);
  const meta = o.engine.dialect.quoteLiteral(JSON.stringify(metaOf(o, b, db, null)));
  await o.session.exec(
    `CREATE TABLE IF NOT EXISTS ${area.table(b.backupTable)} ENGINE = InnoDB COMMENT = ${meta} AS SELECT ${columnsOf(o, b)} FROM ${b.from} LIMIT 0`,
  );
}

/**
 * Inside the DML statement's transaction: statement, backup rows and history write commit together,
 * so a rerun after a crash finds either all of them or none (the rows are refilled, never doubled).
 */
async function fillInTransaction(
  o: BackupHookOptions,
  area: BackupArea,
  b: BackupSpec,
  maxRows: number,
): Promise<void> {
  const target = area.table(b.backupTable);
  await o.session.exec(`DELETE FROM ${target}`);
  const { rowsAffected } = await o.session.exec(`INSERT INTO ${target} SELECT ${columnsOf(o, b)} FROM ${b.from}`);
  if (rowsAffected > maxRows && !o.allowWithoutBackup) {
    await o.session.exec("ROLLBACK");
    throw overLimit(b, rowsAffected, maxRows, "the statement did not run");
  }
}

async function countRows(session: Session, area: BackupArea, b: BackupSpec): Promise<number> {
  const r = await session.query<{ n: number | string }>(`SELECT count(*) AS n FROM ${area.table(b.backupTable)}`);
  return Number(r[0]?.n ?? 0);
}

async function describe(
  o: BackupHookOptions,
  area: BackupArea,
  b: BackupSpec,
  rows: number,
  notice: (m: string) => Promise<void>,
): Promise<void> {
  const meta = metaOf(
    o,
    b,
    o.engine.id === "postgresql" || o.engine.id === "sqlite" ? "" : await area.database(o.session),
    rows,
  );
  await area.writeMeta(o.session, b.backupTable, JSON.stringify(meta));
  await notice(
    `backed up ${rows} row(s) of ${meta.source} before statement ${b.upIndex} (${b.reason}) into ${BACKUP_SCHEMA}.${b.backupTable}`,
  );
}

/** The down script stored when the migration was applied, or null. */
export async function storedDownScript(
  engine: EngineAdapter,
  session: Session,
  migrationId: string,
): Promise<{ sql: string; reversibility: string } | null> {
  return backupArea(engine).readDown(session, migrationId);
}
