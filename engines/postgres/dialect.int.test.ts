// The splitter's output runs on a real PostgreSQL: every golden statement executes one by one.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import postgres from "postgres";
import { postgresDialect } from "./dialect.ts";

const server = { host: "127.0.0.1", port: 5432, username: "postgres", max: 1, onnotice: () => {} };
const dbName = `mx_dialect_${process.pid}_${Date.now()}`;
const admin = postgres({ ...server, database: "postgres" });
let db: ReturnType<typeof postgres>;

/** Plain objects, so whole results compare with toEqual. */
async function rows(sql: string): Promise<Array<Record<string, unknown>>> {
  const result = await db.unsafe(sql);
  return result.map((r): Record<string, unknown> => ({ ...r }));
}

beforeAll(async () => {
  await admin.unsafe(`CREATE DATABASE ${postgresDialect.quoteIdent(dbName)}`);
  db = postgres({ ...server, database: dbName });
});

afterAll(async () => {
  await db?.end();
  await admin.unsafe(`DROP DATABASE IF EXISTS ${postgresDialect.quoteIdent(dbName)} WITH (FORCE)`);
  await admin.end();
});

test("pg_dump-style golden file runs statement by statement", async () => {
  const { statements, problems } = postgresDialect.split(
    readFileSync(join(import.meta.dir, "golden", "pg_dump_style.sql"), "utf8"),
  );
  expect(problems).toEqual([]);
  for (const s of statements) await db.unsafe(s.text);
  const got = await rows(
    "SELECT c.relname, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app' ORDER BY 1",
  );
  expect(got).toEqual([
    { relname: "users", comment: "People; who log in" },
    { relname: "users_name_idx", comment: null },
  ]);
});

test("quoted identifiers and literals round-trip through the server", async () => {
  const name = 'we"ird; name';
  const value = "it's \\ a 'test'; 😀";
  const sql = `SELECT ${postgresDialect.quoteLiteral(value)} AS ${postgresDialect.quoteIdent(name)}`;
  expect(await rows(sql)).toEqual([{ [name]: value }]);
});

test("ownSegment matches what the server refuses inside a transaction block (SQLSTATE 25001)", async () => {
  // The golden dump emptied search_path on this session.
  await db.unsafe("SET search_path = public");
  await db.unsafe("CREATE TABLE own_t (a int)");
  await db.unsafe("CREATE INDEX own_i ON own_t (a)");
  await db.unsafe("CREATE TABLE own_p (a int) PARTITION BY RANGE (a)");
  await db.unsafe("CREATE TABLE own_c PARTITION OF own_p FOR VALUES FROM (0) TO (10)");
  await db.unsafe("CREATE TYPE own_mood AS ENUM ('a')");
  // Refused ones first: they change nothing, so the accepted ones after them still apply.
  const cases = [
    "CREATE INDEX CONCURRENTLY own_i2 ON own_t (a)",
    "DROP INDEX CONCURRENTLY own_i",
    "REINDEX INDEX CONCURRENTLY own_i",
    "REINDEX (CONCURRENTLY) TABLE own_t",
    "REINDEX SCHEMA public",
    "VACUUM own_t",
    "CREATE DATABASE mx_never_created",
    "DROP DATABASE IF EXISTS mx_never_created",
    "CREATE TABLESPACE mx_ts LOCATION '/nonexistent'",
    `ALTER DATABASE ${postgresDialect.quoteIdent(dbName)} SET TABLESPACE pg_default`,
    "ALTER SYSTEM SET work_mem = '1MB'",
    "CLUSTER",
    "ALTER TABLE own_p DETACH PARTITION own_c CONCURRENTLY",
    "COMMIT PREPARED 'mx_none'",
    "DISCARD ALL",
    "CREATE SUBSCRIPTION mx_sub CONNECTION 'host=127.0.0.1 dbname=postgres' PUBLICATION mx_pub",
    "ALTER TYPE own_mood ADD VALUE 'b'",
    "CLUSTER own_t USING own_i",
    "REINDEX TABLE own_t",
    "CREATE INDEX own_i3 ON own_t (a)",
    "ALTER TABLE own_p DETACH PARTITION own_c",
    "DISCARD PLANS",
  ];
  const got: Array<[string, boolean, string]> = [];
  for (const sql of cases) {
    const own = postgresDialect.split(sql).statements.map((s) => s.ownSegment);
    const outcome = await db
      .begin((tx) => tx.unsafe(sql))
      .then(
        () => "ok",
        (err: unknown) => String((err as { code?: unknown }).code),
      );
    got.push([sql, own.length === 1 && own[0] === true, outcome]);
  }
  expect(got).toEqual(cases.map((sql, i) => [sql, i < 16, i < 16 ? "25001" : "ok"]));
});
