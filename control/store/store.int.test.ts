// The same migrations on a real PostgreSQL server, in a database of this file's own.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import postgres from "postgres";
import { openStore, tables } from "./index.ts";

const TABLES = Object.values(tables)
  .filter((t) => is(t, PgTable))
  .map((t) => getTableName(t as PgTable))
  .sort();

const ADMIN_URL = process.env.MIGRATRIX_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `mx_store_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);

beforeAll(async () => {
  await admin.unsafe(`create database ${dbName}`);
});
afterAll(async () => {
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
});

test("migrations apply on PostgreSQL, twice without change, and the audit trigger is in place", async () => {
  const first = await openStore({ url });
  await first.close();
  const store = await openStore({ url });
  const rows = await store.db
    .select({ name: sql<string>`table_name` })
    .from(sql`information_schema.tables`)
    .where(sql`table_schema = 'public'`)
    .orderBy(sql`table_name`);
  expect(rows.map((r) => r.name)).toEqual(TABLES);
  const triggers = await store.db
    .select({ name: sql<string>`tgname` })
    .from(sql`pg_trigger`)
    .where(sql`tgrelid = 'audit_log'::regclass and not tgisinternal`)
    .orderBy(sql`tgname`);
  expect(triggers.map((t) => t.name)).toEqual(["audit_log_append_only", "audit_log_no_truncate"]);
  await store.close();
});

test("an unreachable server is unavailable, with the password redacted", async () => {
  const err = await openStore({ url: "postgres://u:hunter2@127.0.0.1:1/x" }).then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  expect(err?.code).toBe("unavailable");
  expect(err?.message).toStartWith("cannot open the control store at postgres://u:***@127.0.0.1:1/x: ");
  expect(err?.message).not.toContain("hunter2");
});
