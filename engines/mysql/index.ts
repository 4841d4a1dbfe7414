// The MySQL and MariaDB engine adapters: one implementation, two flavours (dialect and labels differ).
import type { EngineAdapter } from "../adapter.ts";
import { mariadbDialect, mysqlDialect } from "./dialect.ts";
import { createMysqlDriver, type MysqlFlavor } from "./driver.ts";
import { mysqlError } from "./errors.ts";
import { createMysqlInspector } from "./inspect.ts";
import { createMysqlMigrate } from "./migrate.ts";

export function createMysqlEngine(opts: { flavor: MysqlFlavor }): EngineAdapter {
  const dialect = opts.flavor === "mariadb" ? mariadbDialect : mysqlDialect;
  return {
    id: opts.flavor,
    capabilities: { transactionalDdl: false, schemas: false, advisoryLocks: true, transactions: true },
    dialect,
    driver: createMysqlDriver(opts.flavor),
    inspector: createMysqlInspector(opts.flavor),
    migrate: createMysqlMigrate(opts.flavor, dialect),
    errors: { toMigratrixError: mysqlError },
  } satisfies EngineAdapter;
}

export { type MysqlFlavor, parseMysqlUrl } from "./driver.ts";
