// The backup area per engine: where backup tables live, how their metadata is kept, and the stored
// down scripts. PostgreSQL: schema migratrix_backup, metadata in the table comment. MariaDB/MySQL:
// database migratrix_backup (a database is MySQL's schema; it is shared by every database on the
// server, so names and rows carry the source database), metadata in the table comment. SQLite:
// tables in main named migratrix_backup__…, metadata in a side table — an ATTACHed file was the
// other choice, but ATTACH cannot run inside a transaction and the runner runs SQLite migrations in
// one, so a backup in main is taken and committed atomically with the statement it guards.
import { MigratrixError } from "../../../common/errors.ts";
import type { EngineAdapter } from "../../adapter.ts";
import type { Session } from "../../types.ts";
import { BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE, SQLITE_BACKUP_PREFIX } from "../backup-names.ts";

export { SQLITE_BACKUP_PREFIX };

const SQLITE_META = `${SQLITE_BACKUP_PREFIX}meta`;

export interface BackupArea {
  /** A backup table as SQL names it. */
  table(name: string): string;
  ensure(session: Session): Promise<void>;
  exists(session: Session, name: string): Promise<boolean>;
  /** Whether a source table exists (before counting its rows ahead). */
  sourceExists(session: Session, source: { schema: string; name: string }): Promise<boolean>;
  writeMeta(session: Session, name: string, meta: string): Promise<void>;
  /** This database's backup tables with their metadata text and on-disk size. */
  list(session: Session): Promise<Array<{ table: string; meta: string | null; bytes: number }>>;
  drop(session: Session, name: string): Promise<void>;
  storeDown(
    session: Session,
    row: { migrationId: string; sql: string; reversibility: string },
    keepExisting: boolean,
  ): Promise<void>;
  readDown(session: Session, migrationId: string): Promise<{ sql: string; reversibility: string } | null>;
  /** The database the rows came from, kept in the metadata where the area is shared. */
  database(session: Session): Promise<string>;
}

export function backupArea(engine: EngineAdapter): BackupArea {
  switch (engine.id) {
    case "postgresql":
      return postgresArea(engine);
    case "mariadb":
    case "mysql":
      return mysqlArea(engine);
    case "sqlite":
      return sqliteArea(engine);
    default:
      throw new MigratrixError("unimplemented", `backups are not available for ${engine.id} yet`);
  }
}

function postgresArea(e: EngineAdapter): BackupArea {
  const q = e.dialect.quoteIdent;
  const downs = `${q(BACKUP_SCHEMA)}.${q(DOWN_SCRIPTS_TABLE)}`;
  const regclass = async (s: Session, name: string) =>
    (await s.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [name]))[0]?.ok === true;
  const lit = (schema: string, name: string) => `"${schema.replaceAll('"', '""')}"."${name.replaceAll('"', '""')}"`;
  return {
    table: (n) => `${q(BACKUP_SCHEMA)}.${q(n)}`,
    ensure: async (s) => void (await s.exec(`CREATE SCHEMA IF NOT EXISTS ${q(BACKUP_SCHEMA)}`)),
    exists: (s, n) => regclass(s, lit(BACKUP_SCHEMA, n)),
    sourceExists: (s, src) => regclass(s, lit(src.schema, src.name)),
    writeMeta: async (s, n, meta) =>
      void (await s.exec(`COMMENT ON TABLE ${q(BACKUP_SCHEMA)}.${q(n)} IS ${e.dialect.quoteLiteral(meta)}`)),
    list: async (s) =>
      (
        await s.query<{ table: string; meta: string | null; bytes: number | string }>(
          `SELECT c.relname AS table, obj_description(c.oid, 'pg_class') AS meta, pg_total_relation_size(c.oid) AS bytes
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname <> $2 ORDER BY c.relname`,
          [BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE],
        )
      ).map((r) => ({ ...r, bytes: Number(r.bytes) })),
    drop: async (s, n) => void (await s.exec(`DROP TABLE IF EXISTS ${q(BACKUP_SCHEMA)}.${q(n)}`)),
    async storeDown(s, r, keep) {
      await s.exec(`CREATE SCHEMA IF NOT EXISTS ${q(BACKUP_SCHEMA)}`);
      await s.exec(
        `CREATE TABLE IF NOT EXISTS ${downs} (migration_id text PRIMARY KEY, down_sql text NOT NULL, reversibility text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
      );
      await s.query(
        `INSERT INTO ${downs} (migration_id, down_sql, reversibility) VALUES ($1, $2, $3)
         ON CONFLICT (migration_id) DO ${keep ? "NOTHING" : "UPDATE SET down_sql = EXCLUDED.down_sql, reversibility = EXCLUDED.reversibility, created_at = now()"}`,
        [r.migrationId, r.sql, r.reversibility],
      );
    },
    async readDown(s, id) {
      if (!(await regclass(s, `${BACKUP_SCHEMA}.${DOWN_SCRIPTS_TABLE}`))) return null;
      const rows = await s.query<{ down_sql: string; reversibility: string }>(
        `SELECT down_sql, reversibility FROM ${downs} WHERE migration_id = $1`,
        [id],
      );
      return rows[0] ? { sql: rows[0].down_sql, reversibility: rows[0].reversibility } : null;
    },
    database: async (s) => (await s.query<{ db: string }>("SELECT current_database() AS db"))[0]?.db ?? "",
  };
}

function mysqlArea(e: EngineAdapter): BackupArea {
  const q = e.dialect.quoteIdent;
  const downs = `${q(BACKUP_SCHEMA)}.${q(DOWN_SCRIPTS_TABLE)}`;
  const db = async (s: Session) => (await s.query<{ db: string | null }>("SELECT DATABASE() AS db"))[0]?.db ?? "";
  const tableExists = async (s: Session, schema: string, name: string) =>
    (
      await s.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        [schema, name],
      )
    )[0]?.n !== 0;
  return {
    table: (n) => `${q(BACKUP_SCHEMA)}.${q(n)}`,
    ensure: async (s) => void (await s.exec(`CREATE DATABASE IF NOT EXISTS ${q(BACKUP_SCHEMA)}`)),
    exists: (s, n) => tableExists(s, BACKUP_SCHEMA, n),
    sourceExists: async (s, src) => tableExists(s, src.schema === "" ? await db(s) : src.schema, src.name),
    writeMeta: async (s, n, meta) =>
      void (await s.exec(`ALTER TABLE ${q(BACKUP_SCHEMA)}.${q(n)} COMMENT = ${e.dialect.quoteLiteral(meta)}`)),
    async list(s) {
      const rows = await s.query<{ table: string; meta: string | null; bytes: number | string }>(
        `SELECT TABLE_NAME AS \`table\`, TABLE_COMMENT AS meta, COALESCE(DATA_LENGTH, 0) + COALESCE(INDEX_LENGTH, 0) AS bytes
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> ? ORDER BY TABLE_NAME`,
        [BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE],
      );
      const here = await db(s);
      // The area is shared by the server's databases: list this database's backups only.
      return rows
        .map((r) => ({ ...r, meta: r.meta === "" ? null : r.meta, bytes: Number(r.bytes) }))
        .filter((r) => {
          try {
            return r.meta !== null && (JSON.parse(r.meta) as { database?: string }).database === here;
          } catch {
            return false;
          }
        });
    },
    drop: async (s, n) => void (await s.exec(`DROP TABLE IF EXISTS ${q(BACKUP_SCHEMA)}.${q(n)}`)),
    async storeDown(s, r, keep) {
      await s.exec(`CREATE DATABASE IF NOT EXISTS ${q(BACKUP_SCHEMA)}`);
      await s.exec(
        `CREATE TABLE IF NOT EXISTS ${downs} (database_name varchar(64) NOT NULL, migration_id varchar(255) NOT NULL, down_sql longtext NOT NULL, reversibility varchar(16) NOT NULL, created_at timestamp(3) NOT NULL DEFAULT current_timestamp(3), PRIMARY KEY (database_name, migration_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
      );
      await s.query(
        `INSERT ${keep ? "IGNORE " : ""}INTO ${downs} (database_name, migration_id, down_sql, reversibility) VALUES (DATABASE(), ?, ?, ?)${
          keep
            ? ""
            : " ON DUPLICATE KEY UPDATE down_sql = VALUES(down_sql), reversibility = VALUES(reversibility), created_at = current_timestamp(3)"
        }`,
        [r.migrationId, r.sql, r.reversibility],
      );
    },
    async readDown(s, id) {
      if (!(await tableExists(s, BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE))) return null;
      const rows = await s.query<{ down_sql: string; reversibility: string }>(
        `SELECT down_sql, reversibility FROM ${downs} WHERE database_name = DATABASE() AND migration_id = ?`,
        [id],
      );
      return rows[0] ? { sql: rows[0].down_sql, reversibility: rows[0].reversibility } : null;
    },
    database: db,
  };
}

function sqliteArea(e: EngineAdapter): BackupArea {
  const q = e.dialect.quoteIdent;
  const downs = q(`${SQLITE_BACKUP_PREFIX}${DOWN_SCRIPTS_TABLE}`);
  const has = async (s: Session, name: string) =>
    (
      await s.query<{ n: number }>("SELECT COUNT(*) AS n FROM sqlite_schema WHERE type = 'table' AND name = ?", [name])
    )[0]?.n !== 0;
  return {
    table: (n) => q(`${SQLITE_BACKUP_PREFIX}${n}`),
    ensure: async (s) =>
      void (await s.exec(
        `CREATE TABLE IF NOT EXISTS ${q(SQLITE_META)} (table_name TEXT PRIMARY KEY, meta TEXT NOT NULL)`,
      )),
    exists: (s, n) => has(s, `${SQLITE_BACKUP_PREFIX}${n}`),
    sourceExists: (s, src) => has(s, src.name),
    async writeMeta(s, n, meta) {
      await s.query(`INSERT OR REPLACE INTO ${q(SQLITE_META)} (table_name, meta) VALUES (?, ?)`, [n, meta]);
    },
    async list(s) {
      if (!(await has(s, SQLITE_META))) return [];
      const rows = await s.query<{ table: string; meta: string | null }>(
        `SELECT substr(m.name, ${SQLITE_BACKUP_PREFIX.length + 1}) AS "table", x.meta AS meta
         FROM sqlite_schema m LEFT JOIN ${q(SQLITE_META)} x ON x.table_name = substr(m.name, ${SQLITE_BACKUP_PREFIX.length + 1})
         WHERE m.type = 'table' AND m.name LIKE 'migratrix\\_backup\\_\\_%' ESCAPE '\\' AND m.name NOT IN (?, ?) ORDER BY m.name`,
        [SQLITE_META, `${SQLITE_BACKUP_PREFIX}${DOWN_SCRIPTS_TABLE}`],
      );
      const out: Array<{ table: string; meta: string | null; bytes: number }> = [];
      for (const r of rows) out.push({ ...r, bytes: await sqliteBytes(s, `${SQLITE_BACKUP_PREFIX}${r.table}`, q) });
      return out;
    },
    async drop(s, n) {
      await s.exec(`DROP TABLE IF EXISTS ${q(`${SQLITE_BACKUP_PREFIX}${n}`)}`);
      if (await has(s, SQLITE_META)) await s.query(`DELETE FROM ${q(SQLITE_META)} WHERE table_name = ?`, [n]);
    },
    async storeDown(s, r, keep) {
      await s.exec(
        `CREATE TABLE IF NOT EXISTS ${downs} (migration_id TEXT PRIMARY KEY, down_sql TEXT NOT NULL, reversibility TEXT NOT NULL, created_at TEXT NOT NULL)`,
      );
      await s.query(
        `INSERT INTO ${downs} (migration_id, down_sql, reversibility, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (migration_id) DO ${keep ? "NOTHING" : "UPDATE SET down_sql = excluded.down_sql, reversibility = excluded.reversibility, created_at = excluded.created_at"}`,
        [r.migrationId, r.sql, r.reversibility, new Date().toISOString()],
      );
    },
    async readDown(s, id) {
      if (!(await has(s, `${SQLITE_BACKUP_PREFIX}${DOWN_SCRIPTS_TABLE}`))) return null;
      const rows = await s.query<{ down_sql: string; reversibility: string }>(
        `SELECT down_sql, reversibility FROM ${downs} WHERE migration_id = ?`,
        [id],
      );
      return rows[0] ? { sql: rows[0].down_sql, reversibility: rows[0].reversibility } : null;
    },
    database: async () => "main",
  };
}

/** Pages a table uses (dbstat when compiled in), else the byte length of its rows. */
async function sqliteBytes(s: Session, name: string, q: (n: string) => string): Promise<number> {
  try {
    const r = await s.query<{ n: number | null }>("SELECT SUM(pgsize) AS n FROM dbstat WHERE name = ?", [name]);
    return Number(r[0]?.n ?? 0);
  } catch {
    // dbstat is an optional build of SQLite: the size falls back to the stored values' length.
    const cols = await s.query<{ name: string }>("SELECT name FROM pragma_table_info(?)", [name]);
    if (cols.length === 0) return 0;
    const sum = cols.map((c) => `COALESCE(length(${q(c.name)}), 0)`).join(" + ");
    const r = await s.query<{ n: number | null }>(`SELECT SUM(${sum}) AS n FROM ${q(name)}`);
    return Number(r[0]?.n ?? 0);
  }
}
