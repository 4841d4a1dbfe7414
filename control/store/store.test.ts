import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTableName, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { openStore, tables } from "./index.ts";
import journal from "./migrations/meta/_journal.json" with { type: "json" };

const dir = mkdtempSync(join(tmpdir(), "mx-store-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TABLES = Object.values(tables)
  .filter((t) => is(t, PgTable))
  .map((t) => getTableName(t as PgTable))
  .sort();

test("migrations apply on PGlite and re-opening the data dir keeps the data", async () => {
  const first = await openStore({ dataDir: dir });
  const rows = await first.db
    .select({ name: sql<string>`table_name` })
    .from(sql`information_schema.tables`)
    .where(sql`table_schema = 'public'`)
    .orderBy(sql`table_name`);
  expect(rows.map((r) => r.name)).toEqual(TABLES);
  await first.db.insert(tables.workspaces).values({ name: "kept" });
  await first.close();

  const second = await openStore({ dataDir: dir });
  expect((await second.db.select({ name: tables.workspaces.name }).from(tables.workspaces)).map((w) => w.name)).toEqual(
    ["kept"],
  );
  const applied = await second.db.select({ n: sql<number>`count(*)::int` }).from(sql`drizzle.__drizzle_migrations`);
  expect(applied).toEqual([{ n: journal.entries.length }]);
  await second.close();
}, 30_000);

test("a non-postgres DATABASE_URL is refused without echoing its secret", async () => {
  await expect(openStore({ url: "mysql://root:hunter2@127.0.0.1/x" })).rejects.toMatchObject({
    code: "invalid_argument",
    message: 'DATABASE_URL must be a postgres:// URL, got "mysql://root:***@127.0.0.1/x"',
  });
});
