// What the runner needs from MySQL/MariaDB: GET_LOCK per database, no transactional DDL (every
// statement commits by itself), and migratrix_history in the connection's database.
import { createHash } from "node:crypto";
import { MigratrixError } from "../../common/errors.ts";
import type { MigrateSupport } from "../adapter.ts";
import { createHistorySupport, HISTORY_TABLE, type HistoryDialectFacts } from "../runner/history.ts";
import type { Dialect, Session } from "../types.ts";
import type { MysqlFlavor } from "./driver.ts";

/** GET_LOCK names are limited to 64 characters: longer ones become a hash. */
export function lockName(key: string): string {
  return key.length <= 64 ? key : `migratrix:${createHash("sha256").update(key).digest("hex").slice(0, 54)}`;
}

async function exec(session: Session, sql: string): Promise<void> {
  await session.exec(sql);
}

/** How migratrix_history is spelled on MySQL/MariaDB (see engines/runner/README.md). */
export function mysqlHistory(dialect: Dialect): HistoryDialectFacts {
  return {
    quoteIdent: (n) => dialect.quoteIdent(n),
    placeholder: () => "?",
    // 191 characters of utf8mb4 fit any InnoDB key prefix limit; binary collation keeps ids case-exact.
    types: {
      key: "VARCHAR(191)",
      short: "VARCHAR(16)",
      text: "TEXT",
      int: "INT",
      bigint: "BIGINT",
      timestamp: "DATETIME(3)",
    },
    tableSuffix: " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    encodeDate: (d) => d,
    async tableExists(session, target) {
      const rows = await session.query(
        "SELECT 1 AS found FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
        [target.historySchema, HISTORY_TABLE],
      );
      return rows.length > 0;
    },
  };
}

export function createMysqlMigrate(flavor: MysqlFlavor, dialect: Dialect) {
  return {
    async target(session) {
      const [row] = await session.query<{ db: string | null }>("SELECT DATABASE() AS db");
      if (!row?.db) {
        throw new MigratrixError("invalid_argument", "the connection URL names no database to migrate");
      }
      return { database: row.db, historySchema: row.db };
    },

    async lock(session, { key, timeoutMs }) {
      // MariaDB takes fractional seconds; MySQL is given whole seconds, rounded up.
      const seconds = flavor === "mariadb" ? timeoutMs / 1000 : Math.ceil(timeoutMs / 1000);
      const [row] = await session.query<{ ok: number | null }>("SELECT GET_LOCK(?, ?) AS ok", [
        lockName(key),
        Math.max(0, seconds),
      ]);
      if (row?.ok == null) throw new MigratrixError("internal", `GET_LOCK('${lockName(key)}') failed on the server`);
      return Number(row.ok) === 1;
    },

    async unlock(session, { key }) {
      await session.query("SELECT RELEASE_LOCK(?) AS released", [lockName(key)]);
    },

    lockIsTransaction: false,

    transaction: {
      begin: (s) => exec(s, "START TRANSACTION"),
      commit: (s) => exec(s, "COMMIT"),
      rollback: (s) => exec(s, "ROLLBACK"),
    },

    history: createHistorySupport(mysqlHistory(dialect)),
  } satisfies MigrateSupport;
}
