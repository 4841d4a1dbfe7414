// Opens the source reader, the target writer and a reader on the target (for verification) for a
// pair of URLs (the fast path between two PostgreSQL databases is their readBinary/writeBinary).
import { MigratrixError } from "../common/errors.ts";
import type { EngineId } from "../engines/types.ts";
import { createClickhouseSource, createClickhouseTarget, openClickhouse } from "./clickhouse.ts";
import { createMysqlSource, createMysqlTarget, openMysql } from "./mysql.ts";
import { createPostgresSource, createPostgresTarget, describedEnums, openPostgres } from "./postgres.ts";
import { createSqliteSource, createSqliteTarget, openSqlite } from "./sqlite.ts";
import type { SourceEndpoint, TargetEndpoint } from "./types.ts";

export interface Endpoints {
  source: SourceEndpoint;
  target: TargetEndpoint;
  /** The target read back with the source's carried kinds. */
  targetReader: SourceEndpoint;
  warnings(): string[];
  close(): Promise<void>;
}

const isMysql = (e: EngineId) => e === "mysql" || e === "mariadb";

const SCHEMES: Record<string, EngineId> = {
  "postgres:": "postgresql",
  "postgresql:": "postgresql",
  "mysql:": "mysql",
  "mariadb:": "mariadb",
  "sqlite:": "sqlite",
  "clickhouse:": "clickhouse",
};

/**
 * The engine of a URL from its scheme alone (never echoing the URL: it may hold a password). Only
 * the schemes transfer reads or writes; the engine registry would load every adapter for this.
 */
export function engineOfUrl(url: string): EngineId {
  const scheme = /^([a-z][a-z0-9+.-]*:)/i.exec(url.trim())?.[1]?.toLowerCase() ?? "";
  const id = SCHEMES[scheme];
  if (!id) {
    throw new MigratrixError(
      scheme ? "unimplemented" : "invalid_argument",
      scheme
        ? `transfer does not support ${scheme}// URLs yet (supported: ${Object.keys(SCHEMES).join(" ")})`
        : "not a database URL: it has no scheme such as postgres:// or mariadb://",
    );
  }
  return id;
}

export async function openSource(url: string, engine: EngineId, targetEngine: EngineId) {
  if (engine === "postgresql")
    return createPostgresSource(await openPostgres(url), { targetIsPg: targetEngine === "postgresql" });
  if (isMysql(engine)) return createMysqlSource(await openMysql(url, engine), engine);
  if (engine === "sqlite") return createSqliteSource(await openSqlite(url));
  if (engine === "clickhouse") return createClickhouseSource(await openClickhouse(url));
  throw new MigratrixError("unimplemented", `transfer does not read from ${engine} yet`);
}

/** A target's writer and a reader of it; also used alone where the source is served elsewhere (jetstream). */
export interface TargetSide {
  target: TargetEndpoint;
  /** The target read back with the source's carried kinds. */
  targetReader: SourceEndpoint;
  close(): Promise<void>;
}

/** Opens the target side for rows read from a `sourceEngine` source; `enums`: the source's enum types. */
export async function openTargetSide(
  to: string,
  sourceEngine: EngineId,
  enums: () => Map<string, string[]>,
): Promise<TargetSide> {
  const targetEngine = engineOfUrl(to);
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    for (const o of opened.reverse()) await o.close().catch(() => undefined);
  };
  try {
    // Read back as the source reads: arrays as PostgreSQL text when both are PostgreSQL, else JSON.
    const targetReader = await openSource(to, targetEngine, sourceEngine === "postgresql" ? targetEngine : "mysql");
    opened.push(targetReader);
    let target: TargetEndpoint;
    if (targetEngine === "postgresql") {
      target = createPostgresTarget(await openPostgres(to), { sourceEngine, enums });
    } else if (isMysql(targetEngine)) {
      target = createMysqlTarget(await openMysql(to, targetEngine), targetEngine);
    } else if (targetEngine === "sqlite") {
      target = createSqliteTarget(await openSqlite(to));
    } else if (targetEngine === "clickhouse") {
      target = createClickhouseTarget(await openClickhouse(to));
    } else {
      throw new MigratrixError("unimplemented", `transfer does not write to ${targetEngine} yet`);
    }
    opened.push(target);
    return { target, targetReader, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export async function openEndpoints(from: string, to: string): Promise<Endpoints> {
  const sourceEngine = engineOfUrl(from);
  const targetEngine = engineOfUrl(to);
  const source = await openSource(from, sourceEngine, targetEngine);
  let side: TargetSide;
  try {
    const enums = () => ("sql" in source && sourceEngine === "postgresql" ? describedEnums(source.sql) : new Map());
    side = await openTargetSide(to, sourceEngine, enums);
  } catch (e) {
    await source.close().catch(() => undefined);
    throw e;
  }
  const { target, targetReader } = side;
  return {
    source,
    target,
    targetReader,
    warnings: () => ("warnings" in source ? source.warnings() : []),
    async close() {
      await side.close();
      await source.close().catch(() => undefined);
    },
  };
}
