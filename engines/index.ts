// The public surface of engines/: the engine registry and everything other folders may import.
// The registry is one literal map, no registration by import side effect.
import { MigratrixError } from "../common/errors.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { EngineAdapter } from "./adapter.ts";
import { createMysqlEngine } from "./mysql/index.ts";
import { createPostgresEngine } from "./postgres/index.ts";
import { createSqliteEngine } from "./sqlite/index.ts";
import { ENGINE_IDS, type EngineId } from "./types.ts";

// null: known to Migratrix (proto, dialect work) but without an adapter in this version.
const FACTORIES = {
  postgresql: createPostgresEngine,
  mysql: () => createMysqlEngine({ flavor: "mysql" }),
  mariadb: () => createMysqlEngine({ flavor: "mariadb" }),
  sqlite: createSqliteEngine,
  sqlserver: null,
  oracle: null,
  clickhouse: null,
} as const satisfies Record<EngineId, (() => EngineAdapter) | null>;

/** Engine ids that have an adapter here. */
export const SUPPORTED_ENGINE_IDS: readonly EngineId[] = ENGINE_IDS.filter((id) => FACTORIES[id] !== null);

export function isEngineId(value: string): value is EngineId {
  return (ENGINE_IDS as readonly string[]).includes(value);
}

export function getEngine(id: EngineId): EngineAdapter {
  const factory = FACTORIES[id];
  if (!factory) throw new MigratrixError("unimplemented", `engine ${id} has no adapter in this version`);
  return factory();
}

const SCHEMES: Record<string, EngineId> = {
  "postgres:": "postgresql",
  "postgresql:": "postgresql",
  "mysql:": "mysql",
  "mariadb:": "mariadb",
  "sqlite:": "sqlite",
  "sqlserver:": "sqlserver",
  "mssql:": "sqlserver",
  "oracle:": "oracle",
  "clickhouse:": "clickhouse",
};

/** The engine a connection URL is for, from its scheme alone (the URL is never echoed: it may hold a password). */
export function engineIdFromUrl(url: string): EngineId {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim())?.[1]?.toLowerCase();
  const id = scheme ? SCHEMES[scheme] : undefined;
  if (!id) {
    throw new MigratrixError(
      "invalid_argument",
      scheme
        ? `URL scheme "${scheme}" names no known database engine (known: ${Object.keys(SCHEMES).join(" ")})`
        : "not a database URL: it has no scheme such as postgres:// or sqlite:",
    );
  }
  return id;
}

/** The adapter for a connection URL; unimplemented for engines without one. */
export function engineFromUrl(url: string): EngineAdapter {
  return getEngine(engineIdFromUrl(url));
}

const TO_PROTO: Record<EngineId, Engine> = {
  postgresql: Engine.POSTGRESQL,
  mysql: Engine.MYSQL,
  mariadb: Engine.MARIADB,
  sqlserver: Engine.SQLSERVER,
  oracle: Engine.ORACLE,
  clickhouse: Engine.CLICKHOUSE,
  sqlite: Engine.SQLITE,
};

export function engineToProto(id: EngineId): Engine {
  return TO_PROTO[id];
}

export function engineIdFromProto(e: Engine): EngineId {
  const found = ENGINE_IDS.find((id) => TO_PROTO[id] === e);
  if (!found) throw new MigratrixError("invalid_argument", `engine enum value ${e} names no engine`);
  return found;
}

export type * from "./adapter.ts";
export * as datadiff from "./datadiff/index.ts";
export type { DataDiffResult, DiffSide, RowDiff } from "./datadiff/types.ts";
export * from "./diff/index.ts";
export * from "./migration/index.ts";
export { mariadbDialect, mysqlDialect } from "./mysql/dialect.ts";
export { createMysqlEngine, type MysqlFlavor, parseMysqlUrl } from "./mysql/index.ts";
export { postgresDialect } from "./postgres/dialect.ts";
export { createPostgresEngine } from "./postgres/index.ts";
export * from "./risk/index.ts";
export * from "./rollback/index.ts";
export * from "./runner/index.ts";
export * from "./schema/index.ts";
export { sqliteDialect } from "./sqlite/dialect.ts";
export { createSqliteEngine, parseSqliteUrl } from "./sqlite/index.ts";
export * from "./types.ts";
