// Opens the source reader, the target writer and a reader on the target (for verification) for a
// pair of URLs, and the fast path where both are PostgreSQL.
import { MigratrixError } from "../common/errors.ts";
import type { EngineId } from "../engines/types.ts";
import { createMysqlSource, createMysqlTarget, openMysql } from "./mysql.ts";
import { createPostgresSource, createPostgresTarget, describedEnums, fastChunk, openPostgres } from "./postgres.ts";
import type { ChunkWrite, KeyRange, SourceEndpoint, TargetEndpoint } from "./types.ts";

export interface Endpoints {
  source: SourceEndpoint;
  target: TargetEndpoint;
  /** The target read back with the source's carried kinds. */
  targetReader: SourceEndpoint;
  fastChunk(
    w: ChunkWrite,
    range: KeyRange,
    uniqueKey: string[] | null,
    rows: number,
  ): Promise<{ rows: number; bytes: number }>;
  warnings(): string[];
  close(): Promise<void>;
}

const isMysql = (e: EngineId) => e === "mysql" || e === "mariadb";

const SCHEMES: Record<string, EngineId> = {
  "postgres:": "postgresql",
  "postgresql:": "postgresql",
  "mysql:": "mysql",
  "mariadb:": "mariadb",
};

/**
 * The engine of a URL from its scheme alone (never echoing the URL: it may hold a password). Only
 * the schemes transfer reads or writes; the engine registry would load every adapter for this.
 */
function engineOfUrl(url: string): EngineId {
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

async function openSource(url: string, engine: EngineId, targetEngine: EngineId) {
  if (engine === "postgresql")
    return createPostgresSource(await openPostgres(url), { targetIsPg: targetEngine === "postgresql" });
  if (isMysql(engine)) return createMysqlSource(await openMysql(url, engine), engine);
  throw new MigratrixError("unimplemented", `transfer does not read from ${engine} yet`);
}

export async function openEndpoints(from: string, to: string): Promise<Endpoints> {
  const sourceEngine = engineOfUrl(from);
  const targetEngine = engineOfUrl(to);
  const opened: { close(): Promise<void> }[] = [];
  const closeAll = async () => {
    for (const o of opened.reverse()) await o.close().catch(() => undefined);
  };
  try {
    const source = await openSource(from, sourceEngine, targetEngine);
    opened.push(source);
    // Read back as the source reads: arrays as PostgreSQL text when both are PostgreSQL, else JSON.
    const targetReader = await openSource(to, targetEngine, sourceEngine === "postgresql" ? targetEngine : "mysql");
    opened.push(targetReader);
    let target: TargetEndpoint;
    if (targetEngine === "postgresql") {
      const enums = () => ("sql" in source && sourceEngine === "postgresql" ? describedEnums(source.sql) : new Map());
      target = createPostgresTarget(await openPostgres(to), { sourceEngine, enums });
    } else if (isMysql(targetEngine)) {
      target = createMysqlTarget(await openMysql(to, targetEngine), targetEngine);
    } else {
      throw new MigratrixError("unimplemented", `transfer does not write to ${targetEngine} yet`);
    }
    opened.push(target);
    return {
      source,
      target,
      targetReader,
      fastChunk(w, range, uniqueKey, rows) {
        if (!("sql" in source) || !("sql" in target) || sourceEngine !== "postgresql") {
          throw new MigratrixError("failed_precondition", "the fast path needs PostgreSQL on both sides");
        }
        return fastChunk(source.sql, target as TargetEndpoint & { sql: typeof source.sql }, w, range, uniqueKey, rows);
      },
      warnings: () => ("warnings" in source ? source.warnings() : []),
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}
