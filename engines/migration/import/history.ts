// "Mark what is already applied": read the source tool's history table on a database and write the
// migrations it applied into migratrix_history as applied, so the runner never runs them again.
import { randomUUID } from "node:crypto";
import { MigratrixError } from "../../../common/errors.ts";
import type { EngineAdapter, HistoryTable } from "../../adapter.ts";
import { MIGRATRIX_VERSION } from "../../runner/options.ts";
import { lockKey } from "../../runner/statement.ts";
import type { Row, Session } from "../../types.ts";
import { parseMigrationFile } from "../parse.ts";
import { compareVersions, type ImportedMigration, type ImportFormat, normaliseVersion } from "./types.ts";

export interface ToolHistory {
  /** The history table found (as the server spells it), or null when the tool never ran here. */
  table: string | null;
  /** Whether the tool recorded this migration (by ImportedMigration.key) as applied. */
  isApplied(key: string): boolean;
}

export interface AppliedMark {
  id: string;
  /** marked: written now; present: migratrix_history already had it as applied with this checksum. */
  outcome: "marked" | "present";
}

interface Db {
  engine: EngineAdapter;
  session: Session;
}

const TABLES: Record<ImportFormat, string> = {
  flyway: "flyway_schema_history",
  dbmate: "schema_migrations",
  "golang-migrate": "schema_migrations",
  "liquibase-sql": "databasechangelog",
  atlas: "atlas_schema_revisions",
};

function col(row: Row, name: string): unknown {
  const key = Object.keys(row).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : row[key];
}

function text(row: Row, name: string): string {
  const v = col(row, name);
  return v == null ? "" : String(v);
}

function truthy(v: unknown): boolean {
  return v === true || v === 1 || v === 1n || v === "1" || v === "t" || v === "true";
}

function refused(table: string, why: string): MigratrixError {
  return new MigratrixError("failed_precondition", `${table}: ${why}; fix it with the tool first, then import again`, {
    table,
  });
}

export async function readToolHistory(db: Db, format: ImportFormat): Promise<ToolHistory> {
  const { engine, session } = db;
  const target = await engine.migrate.target(session);
  const wanted = TABLES[format];
  // Atlas keeps its table in a schema of its own on PostgreSQL (atlas_schema_revisions), in the
  // connected database on MySQL; the other tools use the connection's schema.
  const schemas = format === "atlas" ? [target.historySchema, wanted] : [target.historySchema];
  const lit = engine.dialect.quoteLiteral;
  const found = (
    await session.query(
      `SELECT table_schema AS tschema, table_name AS tname FROM information_schema.tables WHERE table_schema IN (${schemas.map(lit).join(", ")})`,
    )
  )
    .map((r) => ({ schema: text(r, "tschema"), name: text(r, "tname") }))
    .filter((t) => t.name.toLowerCase() === wanted)
    .sort((a, b) => schemas.indexOf(a.schema) - schemas.indexOf(b.schema))[0];
  if (found === undefined) return { table: null, isApplied: () => false };
  const q = engine.dialect.quoteIdent;
  const rows = await session.query(`SELECT * FROM ${q(found.schema)}.${q(found.name)}`);
  const label = `${found.schema}.${found.name}`;
  return { table: label, isApplied: READ[format](rows, label) };
}

type Reader = (rows: Row[], table: string) => (key: string) => boolean;

const READ: Record<ImportFormat, Reader> = {
  flyway(rows, table) {
    const applied = new Set<string>();
    let baseline: string | null = null;
    const ordered = [...rows].sort((a, b) => Number(text(a, "installed_rank")) - Number(text(b, "installed_rank")));
    for (const r of ordered) {
      const version = text(r, "version");
      if (version === "") continue; // repeatable migrations have no version
      if (!truthy(col(r, "success"))) {
        throw refused(table, `Flyway recorded version ${version} (${text(r, "script")}) as failed`);
      }
      const type = text(r, "type").toUpperCase();
      const key = normalise(version);
      if (type === "BASELINE") baseline = key;
      else if (type.startsWith("UNDO")) applied.delete(key);
      else applied.add(key);
    }
    return (key) => applied.has(key) || (baseline !== null && compareVersions(key, baseline) <= 0);
  },
  dbmate(rows) {
    const applied = new Set(rows.map((r) => text(r, "version")));
    return (key) => applied.has(key);
  },
  "golang-migrate"(rows, table) {
    const r = rows[0];
    if (r === undefined) return () => false;
    const version = text(r, "version");
    if (truthy(col(r, "dirty"))) {
      throw refused(table, `golang-migrate left version ${version} dirty (it failed half way)`);
    }
    return (key) => BigInt(key) <= BigInt(version);
  },
  "liquibase-sql"(rows, table) {
    const applied = new Set<string>();
    for (const r of rows) {
      const key = `${text(r, "author")}:${text(r, "id")}`;
      const exec = text(r, "exectype").toUpperCase();
      if (exec === "FAILED") throw refused(table, `Liquibase recorded changeset ${key} as FAILED`);
      if (exec === "EXECUTED" || exec === "RERAN" || exec === "MARK_RAN") applied.add(key);
    }
    return (key) => applied.has(key);
  },
  atlas(rows, table) {
    const applied = new Set<string>();
    let baseline: string | null = null;
    for (const r of rows) {
      const version = text(r, "version");
      if (text(r, "error") !== "" || Number(text(r, "applied")) < Number(text(r, "total"))) {
        throw refused(
          table,
          `Atlas applied version ${version} only partly (${text(r, "applied")} of ${text(r, "total")} statements)`,
        );
      }
      // Revision type is a bit set; 1 is a baseline: every version up to it counts as applied.
      if ((Number(text(r, "type")) & 1) === 1)
        baseline = baseline === null || compareVersions(version, baseline) > 0 ? version : baseline;
      applied.add(version);
    }
    return (key) => applied.has(key) || (baseline !== null && compareVersions(key, baseline) <= 0);
  },
};

function normalise(v: string): string {
  return /^\d+(?:[._]\d+)*$/.test(v) ? normaliseVersion(v) : v;
}

/** One migration as migratrix_history records it (the checksum the runner compares jobs against). */
export interface HistoryEntry {
  id: string;
  name: string;
  checksum: string;
  /** Statements of the up script. */
  statements: number;
}

/** The history entry of an imported file, split for the engine (CLI local mode). */
export function historyEntry(engine: EngineAdapter, m: ImportedMigration): HistoryEntry {
  const file = parseMigrationFile(m.content, { fileName: m.fileName });
  const statements = engine.dialect.split(file.up, { firstLine: file.upStartLine }).statements.length;
  return { id: file.id, name: file.name, checksum: file.checksum, statements };
}

/** How long marking waits for a migration that holds the per-target lock. */
const MARK_LOCK_TIMEOUT_MS = 10_000;

/**
 * Writes each entry into migratrix_history as applied by "import:<tool>", in order, all or nothing:
 * under the runner's per-target lock and in one transaction, so a run cannot interleave and a
 * refusal (an entry already there with another checksum or state) leaves the table as it was.
 * With dryRun the outcomes are computed and nothing is written.
 */
export async function markApplied(
  db: Db,
  o: { format: ImportFormat; entries: HistoryEntry[]; dryRun?: boolean },
): Promise<AppliedMark[]> {
  const { engine, session } = db;
  const target = await engine.migrate.target(session);
  const table = await engine.migrate.history.open(session, target, { create: !o.dryRun });
  if (table === null) {
    if (o.dryRun) return o.entries.map((e) => ({ id: e.id, outcome: "marked" }));
    throw new MigratrixError("internal", "migratrix_history could not be created");
  }
  if (o.dryRun) return writeMarks(table, target.database, o);
  const key = lockKey(target);
  if (!(await engine.migrate.lock(session, { key, timeoutMs: MARK_LOCK_TIMEOUT_MS }))) {
    throw new MigratrixError(
      "failed_precondition",
      `another migration holds the lock on ${target.database}; import again when it is done`,
      {
        lock: key,
      },
    );
  }
  try {
    await engine.migrate.transaction.begin(session);
    try {
      const marks = await writeMarks(table, target.database, o);
      await engine.migrate.transaction.commit(session);
      return marks;
    } catch (err) {
      await engine.migrate.transaction.rollback(session).catch(() => undefined);
      throw err;
    }
  } finally {
    await engine.migrate.unlock(session, { key });
  }
}

async function writeMarks(
  table: HistoryTable,
  database: string,
  o: { format: ImportFormat; entries: HistoryEntry[]; dryRun?: boolean },
): Promise<AppliedMark[]> {
  const marks: AppliedMark[] = [];
  for (const e of o.entries) {
    const existing = await table.read(e.id);
    if (existing !== null) {
      if (existing.status === "applied" && existing.checksum === e.checksum) {
        marks.push({ id: e.id, outcome: "present" });
        continue;
      }
      throw new MigratrixError(
        "failed_precondition",
        `migratrix_history on ${database} already has ${e.id} (${existing.status}, checksum ${existing.checksum.slice(0, 12)}); not overwriting it`,
      );
    }
    marks.push({ id: e.id, outcome: "marked" });
    if (o.dryRun) continue;
    const now = new Date();
    await table.insert({
      migrationId: e.id,
      name: e.name,
      checksum: e.checksum,
      direction: "apply",
      status: "applied",
      attempt: 1,
      statementsTotal: e.statements,
      statementsDone: e.statements,
      runId: randomUUID(),
      correlationId: randomUUID(),
      appliedBy: `import:${o.format}`,
      startedAt: now,
      finishedAt: now,
      executionMs: 0,
      migratrixVersion: MIGRATRIX_VERSION,
    });
  }
  return marks;
}
