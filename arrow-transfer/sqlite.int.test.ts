// SQLite on real files: PostgreSQL → SQLite (tables created from the mapped schema, prepared
// batches, one transaction per chunk with its checkpoint) and SQLite → PostgreSQL, with NULLs,
// unicode, large text and bytes, 0 rows, a composite key, conflict policies, and a stop after
// chunk 2 resumed without re-copying or duplicating.
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MigratrixError } from "../common/errors.ts";
import { createMariaDb, createPgDb, type PgDb } from "./test-support.ts";
import { transfer } from "./transfer.ts";

let dir: string;
let pg: PgDb;
const pgTargets: PgDb[] = [];

const PG_SOURCE = `
CREATE TABLE items (
  id bigint PRIMARY KEY, b boolean, s smallint, i integer, n numeric(12,2), r real, d double precision,
  tx text, vc varchar(20), by bytea, dt date, ts timestamp, tz timestamptz, jb jsonb, u uuid
);
INSERT INTO items SELECT g, g % 2 = 0, g, g * 1000, g * 1.25, g / 4.0, g / 8.0,
  'ünïcødé ✓ 😀 ' || g || E'\\ttab', 'v' || g, decode(lpad(to_hex(g), 8, '0') || '00ff', 'hex'),
  date '2024-02-29' + g, timestamp '2024-01-01 00:00:00.5' + g * interval '1 hour',
  timestamptz '2024-06-01 12:00:00+02' + g * interval '1 minute', jsonb_build_object('g', g, 'a', array[1, 2]),
  md5(g::text)::uuid
FROM generate_series(1, 2500) g;
INSERT INTO items (id) VALUES (100000);
INSERT INTO items (id, tx, by) VALUES (100001, repeat('x', 300000), decode(repeat('ab', 200000), 'hex'));
CREATE TABLE pairs (a integer, b text, v text, PRIMARY KEY (a, b));
INSERT INTO pairs SELECT g % 7, 'k' || g, 'v' || g FROM generate_series(1, 300) g;
CREATE TABLE empty (id integer PRIMARY KEY, v text);
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mx-xfer-sqlite-"));
  pg = await createPgDb("xfer_sqlite_pg");
  await pg.sql.unsafe(PG_SOURCE).simple();
});

afterAll(async () => {
  for (const t of pgTargets) await t.drop();
  await pg?.drop();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const file = (name: string) => `sqlite://${join(dir, name)}`;

describe("PostgreSQL → SQLite", () => {
  test("every column kind, NULLs, unicode, large values, a composite key and 0 rows: counts and checksums equal", async () => {
    const to = file("all.db");
    const r = await transfer({ from: pg.url, to, create: true, batchRows: 1000 });
    expect(r.tables.map((t) => ({ table: t.table, path: t.path, rows: t.sourceRows, match: t.match }))).toEqual([
      { table: "empty", path: "arrow", rows: 0, match: true },
      { table: "items", path: "arrow", rows: 2502, match: true },
      { table: "pairs", path: "arrow", rows: 300, match: true },
    ]);
    expect(r.ok).toBe(true);
    const db = new Database(join(dir, "all.db"), { readonly: true });
    try {
      const rows = db.query(
        "SELECT id, b, n, tx, typeof(by) AS t, hex(by) AS by, jb, tz FROM items WHERE id IN (2, 100000) ORDER BY id",
      );
      expect(rows.all()).toEqual([
        {
          id: 2,
          b: 1,
          n: "2.50",
          tx: "ünïcødé ✓ 😀 2\ttab",
          t: "blob",
          by: "0000000200FF",
          jb: '{"a": [1, 2], "g": 2}',
          tz: "2024-06-01 10:02:00+00",
        },
        { id: 100000, b: null, n: null, tx: null, t: "null", by: "", jb: null, tz: null },
      ]);
      expect(db.query("SELECT length(tx) AS t, length(by) AS b FROM items WHERE id = 100001").get()).toEqual({
        t: 300000,
        b: 200000,
      });
      // The key is declared with the table (SQLite cannot add one later).
      expect(db.query("SELECT name FROM pragma_table_info('pairs') WHERE pk > 0 ORDER BY pk").all()).toEqual([
        { name: "a" },
        { name: "b" },
      ]);
    } finally {
      db.close();
    }
  }, 60_000);

  test("stopped after chunk 2, resumed: finished chunks are not copied again, no duplicates", async () => {
    const to = file("resume.db");
    const stop = new MigratrixError("aborted", "test stop after chunk 2");
    const first = transfer({
      from: pg.url,
      to,
      tables: ["items"],
      create: true,
      batchRows: 500,
      jobId: "job-sqlite-resume",
      hooks: {
        afterChunk: ({ runChunk }) => {
          if (runChunk === 2) throw stop;
        },
      },
    });
    expect(await first.catch((e: unknown) => MigratrixError.from(e).message)).toBe("test stop after chunk 2");
    const db = new Database(join(dir, "resume.db"), { readonly: true });
    expect(db.query("SELECT count(*) AS n FROM items").get()).toEqual({ n: 1000 });
    db.close();
    const r = await transfer({ from: pg.url, to, tables: ["items"], batchRows: 500, resume: "job-sqlite-resume" });
    expect(
      r.tables.map((t) => ({ skipped: t.chunksSkipped, copied: t.rowsCopied, rows: t.targetRows, match: t.match })),
    ).toEqual([{ skipped: 2, copied: 1502, rows: 2502, match: true }]);
  }, 60_000);

  test("upsert into existing rows updates them; fail refuses a non-empty target", async () => {
    const to = file("policies.db");
    await transfer({ from: pg.url, to, tables: ["pairs"], create: true });
    await pg.sql.unsafe("UPDATE pairs SET v = 'changed' WHERE a = 1");
    const refused = await transfer({ from: pg.url, to, tables: ["pairs"] }).catch((e: unknown) =>
      MigratrixError.from(e),
    );
    expect(refused instanceof MigratrixError ? refused.code : "no error").toBe("failed_precondition");
    const r = await transfer({ from: pg.url, to, tables: ["pairs"], onConflict: "upsert" });
    expect(r.ok).toBe(true);
    const db = new Database(join(dir, "policies.db"), { readonly: true });
    expect(db.query("SELECT count(*) AS n, sum(v = 'changed') AS c FROM pairs").get()).toEqual({ n: 300, c: 43 });
    db.close();
    await pg.sql.unsafe("UPDATE pairs SET v = 'v' || substr(b, 2) WHERE a = 1");
  }, 60_000);
});

describe("SQLite → PostgreSQL", () => {
  test("SQLite types into mapped PostgreSQL types, counts and checksums equal, indexes after the rows", async () => {
    const path = join(dir, "source.db");
    const db = new Database(path, { create: true });
    db.exec(`
      CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, score REAL, price NUMERIC,
        done BOOLEAN, at DATETIME, meta JSON, raw BLOB);
      CREATE INDEX notes_title ON notes (title);
    `);
    const insert = db.prepare("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    db.transaction(() => {
      for (let i = 1; i <= 1200; i++) {
        insert.run(
          i,
          `title ${i} ✓`,
          i % 5 === 0 ? null : `body ünï ${i}`,
          i / 4,
          `${i}.5`,
          i % 2,
          `2026-01-02 03:04:${String(i % 60).padStart(2, "0")}`,
          JSON.stringify({ b: i, a: [1, 2] }),
          new Uint8Array([i & 255, 0, 255]),
        );
      }
    })();
    db.close();
    const target = await createPgDb("xfer_sqlite_dst");
    pgTargets.push(target);
    const r = await transfer({ from: `sqlite://${path}`, to: target.url, create: true, batchRows: 500 });
    expect(r.tables.map((t) => ({ table: t.table, rows: t.targetRows, match: t.match }))).toEqual([
      { table: "notes", rows: 1200, match: true },
    ]);
    const cols = await target.sql`SELECT column_name AS c, data_type AS t FROM information_schema.columns
      WHERE table_name = 'notes' ORDER BY ordinal_position`;
    expect(cols.map((c) => `${c.c} ${c.t}`)).toEqual([
      "id bigint",
      "title text",
      "body text",
      "score double precision",
      "price numeric",
      "done boolean",
      "at timestamp without time zone",
      "meta jsonb",
      "raw bytea",
    ]);
    const [row] =
      await target.sql`SELECT done, price::text AS p, meta->>'b' AS b, encode(raw, 'hex') AS raw FROM notes WHERE id = 3`;
    expect({ ...row }).toEqual({ done: true, p: "3.5", b: "3", raw: "0300ff" });
    expect(r.finished).toContain("notes: index notes_title");
  }, 60_000);
});

describe("MariaDB → SQLite", () => {
  test("tinyint(1) as boolean, unsigned, decimals, zero dates, counts and checksums equal", async () => {
    const maria = await createMariaDb("xfer_sqlite_maria");
    try {
      await maria.conn.query(`CREATE TABLE m (id int unsigned PRIMARY KEY, ok tinyint(1), big bigint unsigned,
        price decimal(10,3), name varchar(40), at datetime, raw varbinary(8))`);
      const rows = Array.from(
        { length: 700 },
        (_, i) =>
          `(${i + 1}, ${i % 2}, ${18446744073709551615n - BigInt(i)}, ${(i + 1) / 8}, 'ñ ${i}', '2026-01-01 00:00:${String(i % 60).padStart(2, "0")}', x'00ff')`,
      );
      await maria.conn.query(`INSERT INTO m VALUES ${rows.join(",")}`);
      await maria.conn.query("SET SESSION sql_mode = ''");
      await maria.conn.query("INSERT INTO m VALUES (1000, NULL, NULL, NULL, NULL, '0000-00-00 00:00:00', NULL)");
      const to = file("maria.db");
      const r = await transfer({ from: maria.url, to, create: true, batchRows: 300 });
      expect(r.tables.map((t) => ({ table: t.table, rows: t.targetRows, match: t.match }))).toEqual([
        { table: "m", rows: 701, match: true },
      ]);
      expect(r.warnings).toEqual(["m.at: 1 zero date(s) became NULL"]);
      const db = new Database(join(dir, "maria.db"), { readonly: true });
      try {
        expect(db.query("SELECT ok, big, price, hex(raw) AS raw FROM m WHERE id = 2").get()).toEqual({
          ok: 1,
          big: "18446744073709551614",
          price: "0.250",
          raw: "00FF",
        });
      } finally {
        db.close();
      }
    } finally {
      await maria.drop();
    }
  }, 60_000);
});
