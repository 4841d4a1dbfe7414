// The PostgreSQL engine adapter.
import type { EngineAdapter } from "../adapter.ts";
import { postgresDialect } from "./dialect.ts";
import { postgresDriver } from "./driver.ts";
import { postgresError } from "./errors.ts";
import { postgresInspector } from "./inspect.ts";
import { postgresMigrate } from "./migrate.ts";

export function createPostgresEngine(): EngineAdapter {
  return {
    id: "postgresql",
    capabilities: { transactionalDdl: true, schemas: true, advisoryLocks: true, transactions: true },
    dialect: postgresDialect,
    driver: postgresDriver,
    inspector: postgresInspector,
    migrate: postgresMigrate,
    errors: { toMigratrixError: postgresError },
  } satisfies EngineAdapter;
}

export { parsePostgresUrl } from "./driver.ts";
