// The SQLite engine adapter (bun:sqlite).
import type { EngineAdapter } from "../adapter.ts";
import { sqliteDialect } from "./dialect.ts";
import { sqliteDriver } from "./driver.ts";
import { sqliteError } from "./errors.ts";
import { sqliteInspector } from "./inspect.ts";
import { sqliteMigrate } from "./migrate.ts";

export function createSqliteEngine(): EngineAdapter {
  return {
    id: "sqlite",
    capabilities: { transactionalDdl: true, schemas: false, advisoryLocks: false, transactions: true },
    dialect: sqliteDialect,
    driver: sqliteDriver,
    inspector: sqliteInspector,
    migrate: sqliteMigrate,
    errors: { toMigratrixError: sqliteError },
  } satisfies EngineAdapter;
}

export { parseSqliteUrl, type SqliteMode } from "./driver.ts";
