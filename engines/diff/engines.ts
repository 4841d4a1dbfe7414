// The dialect facts the diff asks each engine for: one literal map, no switching on engine names
// elsewhere in engines/diff.
import { MigratrixError } from "../../common/errors.ts";
import { inMysqlFlavour, mariadbSyncRenderer, renderCreateDdl as mysqlCreateDdl } from "../mysql/ddl.ts";
import { mysql8SyncRenderer } from "../mysql/ddl-mysql8.ts";
import { mariadbDialect, mysqlDialect } from "../mysql/dialect.ts";
import { postgresSyncRenderer, renderCreateDdl } from "../postgres/ddl.ts";
import { postgresDialect } from "../postgres/dialect.ts";
import { RISK_ENGINES } from "../risk/assess.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { renderCreateDdl as sqliteCreateDdl, sqliteSyncRenderer } from "../sqlite/ddl.ts";
import { sqliteDialect } from "../sqlite/dialect.ts";
import type { Dialect, EngineId } from "../types.ts";
import type { SyncRenderer } from "./model.ts";

export interface DiffEngineFacts {
  dialect: Dialect;
  quote: (name: string) => string;
  /** Engines of one family share DDL (MySQL and MariaDB). */
  family: string;
  /** The schema is the database (MySQL, SQLite): differently named databases compare as one schema. */
  databaseIsSchema: boolean;
  /** Null where this version renders no sync scripts for the engine yet. */
  renderer: SyncRenderer | null;
  /** Whole-schema CREATE DDL of a snapshot (builds a verify scratch copy); null where not yet rendered. */
  renderCreate: ((s: SchemaSnapshot) => string) | null;
  /** A snapshot of another engine of the family in this engine's conventions (MariaDB against MySQL 8). */
  inFamily?: (s: SchemaSnapshot) => SchemaSnapshot;
  /** assess() has rules for the engine. */
  risk: boolean;
}

const facts = (
  id: EngineId,
  dialect: Dialect,
  family: string,
  ddl: Pick<DiffEngineFacts, "renderer" | "renderCreate" | "inFamily">,
): DiffEngineFacts => ({
  dialect,
  quote: (n) => dialect.quoteIdent(n),
  family,
  databaseIsSchema: family !== "postgresql",
  ...ddl,
  risk: RISK_ENGINES.includes(id),
});

const ENGINES: Partial<Record<EngineId, DiffEngineFacts>> = {
  postgresql: facts("postgresql", postgresDialect, "postgresql", {
    renderer: postgresSyncRenderer,
    renderCreate: renderCreateDdl,
  }),
  mysql: facts("mysql", mysqlDialect, "mysql", {
    renderer: mysql8SyncRenderer,
    renderCreate: mysqlCreateDdl,
    inFamily: (s) => inMysqlFlavour(s, "mysql"),
  }),
  mariadb: facts("mariadb", mariadbDialect, "mysql", {
    renderer: mariadbSyncRenderer,
    renderCreate: mysqlCreateDdl,
    inFamily: (s) => inMysqlFlavour(s, "mariadb"),
  }),
  sqlite: facts("sqlite", sqliteDialect, "sqlite", { renderer: sqliteSyncRenderer, renderCreate: sqliteCreateDdl }),
};

export function engineFacts(engine: EngineId): DiffEngineFacts {
  const found = ENGINES[engine];
  if (!found) throw new MigratrixError("unimplemented", `schema diff does not know engine ${engine} in this version`);
  return found;
}

/** The engine's sync renderer, or unimplemented where none exists yet. */
export function syncRenderer(engine: EngineId): SyncRenderer {
  const r = engineFacts(engine).renderer;
  if (!r) throw new MigratrixError("unimplemented", `sync scripts for ${engine} are not in this version (diff is)`);
  return r;
}
