// What the runner needs from PostgreSQL: a session advisory lock per database, transactional DDL,
// and migratrix_history in the schema that was current when the run started.
import { createHash } from "node:crypto";
import { MigratrixError } from "../../common/errors.ts";
import type { MigrateSupport } from "../adapter.ts";
import { createHistorySupport, HISTORY_TABLE, type HistoryDialectFacts } from "../runner/history.ts";
import type { Session } from "../types.ts";
import { postgresDialect } from "./dialect.ts";

/**
 * The advisory lock key for a lock name: the first 8 bytes of SHA-256, as a signed int8 in text.
 * Computed here, not with hashtext(), so the key never changes with the server's version.
 */
export function advisoryKey(name: string): string {
  return createHash("sha256").update(name).digest().readBigInt64BE(0).toString();
}

async function exec(session: Session, sql: string): Promise<void> {
  await session.exec(sql);
}

/** How migratrix_history is spelled on this engine (see engines/runner/README.md). */
export const postgresHistory = {
  quoteIdent: (n) => postgresDialect.quoteIdent(n),
  placeholder: (i) => `$${i}`,
  types: { key: "text", short: "text", text: "text", int: "integer", bigint: "bigint", timestamp: "timestamptz" },
  encodeDate: (d) => d,
  async tableExists(session, target) {
    const [row] = await session.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [
      `${postgresDialect.quoteIdent(target.historySchema)}.${postgresDialect.quoteIdent(HISTORY_TABLE)}`,
    ]);
    return row?.ok === true;
  },
} satisfies HistoryDialectFacts;

export const postgresMigrate = {
  async target(session) {
    const [row] = await session.query<{ db: string; schema: string | null }>(
      "SELECT current_database() AS db, current_schema() AS schema",
    );
    if (!row?.schema) {
      throw new MigratrixError(
        "failed_precondition",
        `the session's search_path on database "${row?.db}" names no existing schema to hold ${HISTORY_TABLE}`,
      );
    }
    return { database: row.db, historySchema: row.schema };
  },

  async lock(session, { key, timeoutMs }) {
    // Polls pg_try_advisory_lock instead of waiting in pg_advisory_lock: a statement waiting for
    // the lock holds a snapshot, and a CREATE INDEX CONCURRENTLY of the migration holding the lock
    // waits for every such snapshot, which PostgreSQL then resolves as a deadlock. Between two
    // tries this session is idle and holds nothing.
    const k = advisoryKey(key);
    const deadline = performance.now() + Math.max(0, timeoutMs);
    for (let pause = 10; ; pause = Math.min(pause * 2, 250)) {
      const [row] = await session.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::bigint) AS ok", [k]);
      if (row?.ok === true) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      await Bun.sleep(Math.min(pause, left));
    }
  },

  async unlock(session, { key }) {
    await session.query("SELECT pg_advisory_unlock($1::bigint)", [advisoryKey(key)]);
  },

  lockIsTransaction: false,

  transaction: {
    begin: (s) => exec(s, "BEGIN"),
    commit: (s) => exec(s, "COMMIT"),
    rollback: (s) => exec(s, "ROLLBACK"),
  },

  history: createHistorySupport(postgresHistory),
} satisfies MigrateSupport;
