// PostgreSQL → MariaDB through the Arrow path and multi-row INSERTs: mapped types, values, checksums
// read back through the MariaDB reader, and what MySQL cannot hold stopping the transfer.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import { createMariaDb, createPgDb, type MariaDb, type PgDb } from "./test-support.ts";
import { transfer } from "./transfer.ts";

let src: PgDb;
const targets: MariaDb[] = [];

async function target(): Promise<MariaDb> {
  const t = await createMariaDb("xfer_pgm_dst");
  targets.push(t);
  return t;
}

beforeAll(async () => {
  src = await createPgDb("xfer_pgm_src");
  await src.sql
    .unsafe(`
    CREATE TYPE mood AS ENUM ('sad', 'ok');
    CREATE TABLE items (
      id bigint PRIMARY KEY, flag boolean, qty integer, price numeric(12,2), ratio double precision,
      name character varying(40), body text, raw bytea, day date, at timestamp(3) with time zone,
      doc jsonb, tags text[], m mood, u uuid, span interval
    );
    INSERT INTO items SELECT g, g % 3 = 0, g * 7, g * 1.25, g / 8.0, 'name ' || g || ' ✓', repeat('b', g * 100),
      decode(lpad(to_hex(g), 6, '0'), 'hex'), date '2024-01-01' + g, timestamptz '2024-03-01 10:00:00.250+00' + g * interval '1 day',
      jsonb_build_object('g', g, 'list', jsonb_build_array(1, 'two')), ARRAY['a', 'b"c'], 'ok', md5(g::text)::uuid, g * interval '1 hour'
    FROM generate_series(1, 130) g;
    INSERT INTO items (id) VALUES (1000);
    CREATE TABLE bad (id integer PRIMARY KEY, at timestamp);
    INSERT INTO bad VALUES (1, '2024-01-01'), (2, 'infinity');`)
    .simple();
});

// DROP DATABASE checkpoints: slow on a busy machine.
afterAll(async () => {
  for (const t of targets) await t.drop();
  await src?.drop();
}, 60_000);

test("every column arrives as the mapped MariaDB type, counts and checksums equal", async () => {
  const t = await target();
  const r = await transfer({ from: src.url, to: t.url, tables: ["items"], create: true, batchRows: 40 });
  expect(
    r.tables.map((x) => [x.table, x.path, x.rowsCopied, x.chunksCopied, x.sourceRows, x.targetRows, x.match]),
  ).toEqual([["items", "arrow", 131, 4, 131, 131, true]]);
  expect(r.finished).toEqual(["items: primary key", "items: analyze"]);
  const [cols] = await t.conn.query(
    "SELECT COLUMN_NAME AS c, COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'items' ORDER BY ORDINAL_POSITION",
  );
  expect((cols as { c: string; t: string }[]).map((x) => `${x.c} ${x.t}`)).toEqual([
    "id bigint(20)",
    "flag tinyint(1)",
    "qty int(11)",
    "price decimal(12,2)",
    "ratio double",
    "name varchar(40)",
    "body longtext",
    "raw longblob",
    "day date",
    "at datetime(3)",
    "doc longtext",
    "tags longtext",
    "m enum('sad','ok')",
    "u char(36)",
    "span varchar(100)",
  ]);
  const [rows] = await t.conn.query(
    "SELECT flag, qty, price, name, HEX(raw) AS raw, CAST(day AS CHAR) AS day, CAST(at AS CHAR) AS at, CAST(doc AS CHAR) AS doc, CAST(tags AS CHAR) AS tags, m, span FROM items WHERE id = 3",
  );
  expect(rows as unknown[]).toEqual([
    {
      flag: 1,
      qty: 21,
      price: "3.75",
      name: "name 3 ✓",
      raw: "000003",
      day: "2024-01-04",
      at: "2024-03-04 10:00:00.250",
      doc: '{"g": 3, "list": [1, "two"]}',
      tags: '["a","b\\"c"]',
      m: "ok",
      span: "03:00:00",
    },
  ]);
});

test("a value MySQL cannot hold (infinity) stops the transfer and rolls its chunk back", async () => {
  const t = await target();
  let err: MigratrixError | undefined;
  try {
    await transfer({ from: src.url, to: t.url, tables: ["bad"], create: true });
  } catch (e) {
    err = MigratrixError.from(e);
  }
  expect([err?.code, err?.message]).toEqual(["data_loss", "bad.at holds infinity, which MySQL cannot store"]);
  const [rows] = await t.conn.query("SELECT COUNT(*) AS n FROM bad");
  expect(rows as unknown[]).toEqual([{ n: 0 }]);
});
