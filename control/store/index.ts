// Opens the control store on real Postgres (postgres.js) or embedded PGlite and applies the
// committed drizzle-kit migrations, so both run exactly one schema.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import * as schema from "./schema.ts";

export type {
  ChatPlatform,
  InDoubtAnswer,
  Role,
  RunDirection,
  RunErrorJson,
  RunStateName,
  StagePolicy,
  TokenKind,
  Vote,
  WorkspaceKind,
  WorkspaceRole,
} from "./schema.ts";
export * as tables from "./schema.ts";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A store transaction: functions that must run inside one (audit appends) take this type. */
export type Tx = PgTransaction<PgQueryResultHKT, Schema, Db["_"]["schema"] & {}>;

export interface Store {
  readonly db: Db;
  readonly kind: "postgres" | "pglite";
  /** Cheap liveness probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** postgres://… : real Postgres. Without it the store is PGlite. */
  url?: string;
  /** PGlite data directory; omitted means an in-memory store (tests). */
  dataDir?: string;
  /** postgres.js pool size (default 10). */
  maxConnections?: number;
}

const MIGRATIONS = join(import.meta.dir, "migrations");

export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  if (opts.url) return openPostgres(opts.url, opts.maxConnections ?? 10);
  return openPglite(opts.dataDir);
}

async function openPostgres(url: string, max: number): Promise<Store> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    throw new MigratrixError("invalid_argument", `DATABASE_URL must be a postgres:// URL, got "${redactSecrets(url)}"`);
  }
  const client = postgres(url, { max, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema });
  try {
    await migratePostgres(db, { migrationsFolder: MIGRATIONS });
  } catch (err) {
    await client.end({ timeout: 1 });
    throw storeError(err, `control store at ${redactSecrets(url)}`);
  }
  return {
    db,
    kind: "postgres",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string | undefined): Promise<Store> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = await PGlite.create(dataDir ? { dataDir } : {});
  const db = drizzlePglite(client, { schema });
  try {
    await migratePglite(db, { migrationsFolder: MIGRATIONS });
  } catch (err) {
    await client.close();
    throw storeError(err, `control store in ${dataDir ?? "memory"}`);
  }
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.close(),
  };
}

function storeError(err: unknown, where: string): MigratrixError {
  const cause = MigratrixError.from(err, "unavailable");
  return new MigratrixError(cause.code, `cannot open the ${where}: ${cause.message}`, {}, { cause: err });
}
