// What the runner needs from SQLite. SQLite has no named locks: the per-target lock is the
// database's write lock, taken with BEGIN IMMEDIATE and held as an open transaction until unlock
// (COMMIT). Segments nest inside it as savepoints, so nothing of a run is visible, or survives a
// crash, until the run releases the lock.
import { MigratrixError } from "../../common/errors.ts";
import type { MigrateSupport } from "../adapter.ts";
import { createHistorySupport, HISTORY_TABLE, type HistoryDialectFacts } from "../runner/history.ts";
import type { Session } from "../types.ts";
import { sqliteDialect } from "./dialect.ts";

const SAVEPOINT = "migratrix_segment";

async function exec(session: Session, sql: string): Promise<void> {
  await session.exec(sql);
}

const isBusy = (e: unknown) =>
  e instanceof MigratrixError &&
  typeof e.detail.nativeCode === "string" &&
  e.detail.nativeCode.startsWith("SQLITE_BUSY");

/** How migratrix_history is spelled on this engine (see engines/runner/README.md). */
export const sqliteHistory = {
  quoteIdent: (n) => sqliteDialect.quoteIdent(n),
  placeholder: () => "?",
  // Timestamps as ISO-8601 UTC text: sortable, and what SQLite's date functions read.
  types: { key: "TEXT", short: "TEXT", text: "TEXT", int: "INTEGER", bigint: "INTEGER", timestamp: "TEXT" },
  encodeDate: (d) => d.toISOString(),
  async tableExists(session, target) {
    const rows = await session.query(
      `SELECT 1 AS found FROM ${sqliteDialect.quoteIdent(target.historySchema)}.sqlite_schema WHERE type = 'table' AND name = ?`,
      [HISTORY_TABLE],
    );
    return rows.length > 0;
  },
} satisfies HistoryDialectFacts;

export const sqliteMigrate = {
  async target(session) {
    const rows = await session.query<{ name: string; file: string }>("SELECT name, file FROM pragma_database_list");
    const file = rows.find((r) => r.name === "main")?.file;
    return { database: file || ":memory:", historySchema: "main" };
  },

  async lock(session, { timeoutMs }) {
    const [prev] = await session.query<{ timeout: number }>("PRAGMA busy_timeout");
    await exec(session, `PRAGMA busy_timeout = ${Math.max(0, Math.ceil(timeoutMs))}`);
    try {
      await exec(session, "BEGIN IMMEDIATE");
      return true;
    } catch (e) {
      if (isBusy(e)) return false;
      throw e;
    } finally {
      await exec(session, `PRAGMA busy_timeout = ${Number(prev?.timeout ?? 0)}`);
    }
  },

  async unlock(session) {
    await exec(session, "COMMIT");
  },

  lockIsTransaction: true,

  transaction: {
    begin: (s) => exec(s, `SAVEPOINT ${SAVEPOINT}`),
    commit: (s) => exec(s, `RELEASE SAVEPOINT ${SAVEPOINT}`),
    async rollback(s) {
      await exec(s, `ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      await exec(s, `RELEASE SAVEPOINT ${SAVEPOINT}`);
    },
  },

  history: createHistorySupport(sqliteHistory),
} satisfies MigrateSupport;
