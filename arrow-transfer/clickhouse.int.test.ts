// ClickHouse as a transfer target, against a clickhouse-server this file starts (temp config dir, free
// ports, run as the clickhouse user): PostgreSQL → ClickHouse and MariaDB → ClickHouse for every type
// of the mapping table, --create, counts and checksums, the lossy DateTime stopped before any row
// moves, no-key tables, truncate, refused skip/upsert, and a chunk whose rows landed without their
// checkpoint resumed without duplicates.
//
// Skipped when no clickhouse-server binary is installed (CI has none): the server is a Debian
// package present on the project's development machines only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import { CLICKHOUSE_SKIP, type ClickhouseServer, startClickhouseServer } from "../engines/clickhouse/test-server.ts";
import { type ClickhouseConn, createClickhouseTarget, openClickhouse } from "./clickhouse.ts";
import { openEndpoints } from "./endpoints.ts";
import { createMariaDb, createPgDb, type MariaDb, type PgDb } from "./test-support.ts";
import { transfer } from "./transfer.ts";

if (CLICKHOUSE_SKIP) console.log(`clickhouse.int.test.ts skipped: ${CLICKHOUSE_SKIP}`);

let server: ClickhouseServer;
let pg: PgDb;
let maria: MariaDb;
const dbs: string[] = [];
let admin: ClickhouseConn;

const suffix = () => crypto.randomUUID().replaceAll("-", "").slice(0, 10);

/** A fresh ClickHouse database (mx_ch_<random>) and its URL. */
async function chDb(): Promise<{ url: string; conn: ClickhouseConn }> {
  const name = `mx_ch_${suffix()}`;
  await admin.run(`CREATE DATABASE ${name}`);
  dbs.push(name);
  const url = `clickhouse://default@127.0.0.1:${server.http}/${name}`;
  return { url, conn: await openClickhouse(url) };
}

const PG_SOURCE = `
CREATE TYPE mood AS ENUM ('ok', 'it''s \\ fine', 'ünï');
CREATE TABLE items (
  id bigint PRIMARY KEY, b boolean, s smallint, i integer, n numeric(12,2), nw numeric(50,10), nu numeric,
  r real, d double precision, tx text, vc varchar(20), ch char(3), by bytea, dt date, ts timestamp(0),
  tz timestamptz(0), tm time, iv interval, js json, jb jsonb, u uuid, m mood,
  ai integer[] NOT NULL DEFAULT '{}', at text[] NOT NULL DEFAULT '{}', ab boolean[]
);
INSERT INTO items SELECT g, g % 2 = 0, g, g * 1000, g * 1.25, g * 12345678901234567890.0123456789, g / 3.0,
  g / 4.0, g / 8.0, 'ünïcødé ✓ 😀 ' || g || E'\\ttab\\nline \\\\ back', 'v' || g, 'c' || (g % 10),
  decode(lpad(to_hex(g), 8, '0') || '005c090a0dff', 'hex'), date '2024-02-29' + g,
  timestamp '2024-01-01 00:00:00' + g * interval '1 hour', timestamptz '2024-06-01 12:00:00+02' + g * interval '1 minute',
  time '10:11:12.5', interval '1 day 2 hours', json_build_object('g', g, 'q', 'it''s'),
  jsonb_build_object('g', g, 'a', array[1, 2]), md5(g::text)::uuid, (array['ok', 'it''s \\ fine', 'ünï'])[1 + g % 3]::mood,
  array[g, NULL, -g], array['a''b', NULL, E'x\\ty', 'ünï'], array[true, NULL]
FROM generate_series(1, 2500) g;
INSERT INTO items (id) VALUES (100000);
INSERT INTO items (id, tx, by) VALUES (100001, repeat('x', 300000), decode(repeat('ab', 200000), 'hex'));
CREATE TABLE pairs (a integer, b text, v text, PRIMARY KEY (a, b));
INSERT INTO pairs SELECT g % 7, 'k' || g || (CASE WHEN g % 2 = 0 THEN 'B' ELSE 'a' END), 'v' || g FROM generate_series(1, 300) g;
CREATE TABLE empty (id integer PRIMARY KEY, v text);
CREATE TABLE nokey (a integer, b text);
INSERT INTO nokey SELECT g, 'n' || g FROM generate_series(1, 50) g;
CREATE TABLE lossy (id integer PRIMARY KEY, ts timestamp);
INSERT INTO lossy VALUES (1, '2024-01-01 10:00:00.123456'), (2, '2024-01-01 10:00:01');
CREATE TABLE old (id integer PRIMARY KEY, d date);
INSERT INTO old VALUES (1, '2000-01-01'), (2, '1960-05-05');
`;

const MARIA_SOURCE = [
  `CREATE TABLE all_types (
    id int PRIMARY KEY, flag tinyint(1), ti tinyint, tu tinyint unsigned, su smallint unsigned, mi mediumint,
    i int, iu int unsigned, bi bigint, bu bigint unsigned, de decimal(10,3), f float, d double, y year,
    vc varchar(30), c char(4), tx mediumtext, j json, bl blob, vb varbinary(16), dt date, tm time,
    dtt datetime, tsp timestamp NULL, e enum('s','m','l'), st set('a','b')
  ) CHARACTER SET utf8mb4`,
  `INSERT INTO all_types VALUES
    (1, 1, -128, 255, 65535, -8388608, -2147483648, 4294967295, -9223372036854775808, 18446744073709551615,
     1234567.891, 1.5, 2.25, 2024, 'ünïcødé ✓ 😀', 'abcd', 'tab\\there\\nnew', '{"k": [1, "x"]}',
     X'00FF5C090A0D', X'DEADBEEF', '2024-02-29', '12:34:56', '2024-01-02 03:04:05', '2024-06-01 12:00:00',
     'm', 'a,b'),
    (2, 0, 127, 0, 0, 8388607, 2147483647, 0, 9223372036854775807, 0, -0.001, -1.5, 1e100, 1999,
     'it''s', 'x', REPEAT('y', 100000), '[]', X'', X'01', '1970-01-01', '-01:00:00', '2105-12-31 23:59:59',
     '2038-01-19 03:14:07', 's', ''),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
  "CREATE TABLE k (a varchar(10), b int, v text, PRIMARY KEY (a, b))",
  "INSERT INTO k VALUES ('x', 1, 'one'), ('x', 2, 'two'), ('Y', 1, 'three'), ('z', 1, NULL)",
];

beforeAll(async () => {
  if (CLICKHOUSE_SKIP) return;
  server = await startClickhouseServer();
  admin = await openClickhouse(`clickhouse://default@127.0.0.1:${server.http}/default`);
  pg = await createPgDb("ch_pg");
  await pg.sql.unsafe(PG_SOURCE).simple();
  maria = await createMariaDb("ch_maria");
  for (const s of MARIA_SOURCE) await maria.conn.query(s);
}, 120_000);

afterAll(async () => {
  if (CLICKHOUSE_SKIP) return;
  for (const d of dbs) await admin?.run(`DROP DATABASE IF EXISTS ${d}`);
  await admin?.close();
  await pg?.drop();
  await maria?.drop();
  await server?.stop();
}, 60_000);

async function errorOf(p: Promise<unknown>): Promise<MigratrixError> {
  try {
    await p;
  } catch (e) {
    return MigratrixError.from(e);
  }
  throw new Error("expected an error");
}

const summary = (r: Awaited<ReturnType<typeof transfer>>) =>
  r.tables.map((t) => ({ table: t.table, rows: t.sourceRows, target: t.targetRows, match: t.match }));

describe.skipIf(CLICKHOUSE_SKIP !== undefined)("PostgreSQL → ClickHouse", () => {
  test("every mapped type, NULLs, unicode, large values, a composite key and 0 rows: counts and checksums equal", async () => {
    const { url, conn } = await chDb();
    const r = await transfer({
      from: pg.url,
      to: url,
      tables: ["items", "pairs", "empty"],
      create: true,
      batchRows: 700,
    });
    expect(summary(r)).toEqual([
      { table: "empty", rows: 0, target: 0, match: true },
      { table: "items", rows: 2502, target: 2502, match: true },
      { table: "pairs", rows: 300, target: 300, match: true },
    ]);
    expect(r.ok).toBe(true);
    const cols = await conn.rows<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'items'",
    );
    expect(Object.fromEntries(cols.map((c) => [c.name, c.type]))).toEqual({
      id: "Int64",
      b: "Nullable(UInt8)",
      s: "Nullable(Int16)",
      i: "Nullable(Int32)",
      n: "Nullable(Decimal(12, 2))",
      nw: "Nullable(String)",
      nu: "Nullable(String)",
      r: "Nullable(Float32)",
      d: "Nullable(Float64)",
      tx: "Nullable(String)",
      vc: "Nullable(String)",
      ch: "Nullable(String)",
      by: "Nullable(String)",
      dt: "Nullable(Date)",
      ts: "Nullable(DateTime('UTC'))",
      tz: "Nullable(DateTime('UTC'))",
      tm: "Nullable(String)",
      iv: "Nullable(String)",
      js: "Nullable(String)",
      jb: "Nullable(String)",
      u: "Nullable(UUID)",
      m: "Nullable(Enum8('ok' = 1, 'it\\'s \\\\ fine' = 2, 'ünï' = 3))",
      ai: "Array(Nullable(Int32))",
      at: "Array(Nullable(String))",
      ab: "Nullable(String)",
    });
    const [row] = await conn.rows<Record<string, unknown>>(
      "SELECT b, toString(n) AS n, nw, tx, hex(by) AS by, dt, ts, tz, tm, u, m, ai, at, ab FROM items WHERE id = 2",
    );
    expect(row).toEqual({
      b: 1,
      n: "2.50",
      nw: "24691357802469135780.0246913578",
      tx: "ünïcødé ✓ 😀 2\ttab\nline \\ back",
      by: "00000002005C090A0DFF",
      dt: "2024-03-02",
      ts: "2024-01-01 02:00:00",
      tz: "2024-06-01 10:02:00",
      tm: "10:11:12.5",
      u: "c81e728d-9d4c-2f63-6f06-7f89cc14862c",
      m: "ünï",
      ai: [2, null, -2],
      at: ["a'b", null, "x\ty", "ünï"],
      ab: "[true,null]",
    });
    const [big] = await conn.rows<{ t: string; b: string }>(
      "SELECT toString(length(tx)) AS t, toString(length(by)) AS b FROM items WHERE id = 100001",
    );
    expect(big).toEqual({ t: "300000", b: "200000" });
    const [nulls] = await conn.rows<Record<string, unknown>>(
      "SELECT b, tx, by, ts, u, ab FROM items WHERE id = 100000",
    );
    expect(nulls).toEqual({ b: null, tx: null, by: null, ts: null, u: null, ab: null });
    await conn.close();
  }, 120_000);

  test("a timestamp with fractional seconds is reported before any row moves; an override carries it as text", async () => {
    const { url, conn } = await chDb();
    const err = await errorOf(transfer({ from: pg.url, to: url, tables: ["lossy"], create: true }));
    expect(err.code).toBe("failed_precondition");
    expect(err.message).toBe(
      "these columns cannot be carried losslessly (override them or accept the loss):\n  lossy.ts timestamp without time zone → DateTime('UTC'): ClickHouse 18.16 DateTime holds whole seconds: fractional seconds are cut (no DateTime64)",
    );
    // Nothing moved: no table, no job row (only the empty checkpoint table the job reads first).
    const tables = await conn.rows<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = currentDatabase()",
    );
    expect(tables).toEqual([{ name: "migratrix_transfer_checkpoint" }]);
    expect(await conn.rows("SELECT toString(count()) AS n FROM migratrix_transfer_checkpoint")).toEqual([{ n: "0" }]);
    const ok = await transfer({
      from: pg.url,
      to: url,
      tables: ["lossy"],
      create: true,
      overrides: { "lossy.ts": "String" },
    });
    expect(summary(ok)).toEqual([{ table: "lossy", rows: 2, target: 2, match: true }]);
    expect(await conn.rows("SELECT ts FROM lossy ORDER BY id")).toEqual([
      { ts: "2024-01-01 10:00:00.123456" },
      { ts: "2024-01-01 10:00:01" },
    ]);
    await conn.close();
  }, 60_000);

  test("a date ClickHouse cannot hold stops the job naming the column; an override to String carries it", async () => {
    const { url, conn } = await chDb();
    const err = await errorOf(transfer({ from: pg.url, to: url, tables: ["old"], create: true }));
    expect([err.code, err.message]).toEqual([
      "out_of_range",
      "old.d holds date 1960-05-05: ClickHouse's Date holds 1970…2105 only (override the column to String to keep it)",
    ]);
    expect(await conn.rows("SELECT toString(count()) AS n FROM old")).toEqual([{ n: "0" }]);
    const { url: url2, conn: conn2 } = await chDb();
    const ok = await transfer({
      from: pg.url,
      to: url2,
      tables: ["old"],
      create: true,
      overrides: { "old.d": "String" },
    });
    expect(summary(ok)).toEqual([{ table: "old", rows: 2, target: 2, match: true }]);
    await conn.close();
    await conn2.close();
  }, 60_000);

  test("a table without a primary key: refused, then copied in one chunk with --no-key-ok (ORDER BY tuple())", async () => {
    const { url, conn } = await chDb();
    const err = await errorOf(transfer({ from: pg.url, to: url, tables: ["nokey"], create: true }));
    expect(err.message).toBe(
      "tables without a primary key cannot be copied in resumable chunks: nokey (--no-key-ok copies each in one chunk)",
    );
    const r = await transfer({ from: pg.url, to: url, tables: ["nokey"], create: true, noKeyOk: true });
    expect(summary(r)).toEqual([{ table: "nokey", rows: 50, target: 50, match: true }]);
    const [t] = await conn.rows<{ k: string }>(
      "SELECT sorting_key AS k FROM system.tables WHERE database = currentDatabase() AND name = 'nokey'",
    );
    expect(t).toEqual({ k: "" });
    await conn.close();
  }, 60_000);

  test("conflict policies: fail on rows, truncate with consent, skip and upsert refused", async () => {
    const { url, conn } = await chDb();
    await transfer({ from: pg.url, to: url, tables: ["pairs"], create: true });
    const fail = await errorOf(transfer({ from: pg.url, to: url, tables: ["pairs"] }));
    expect(fail.message).toBe(
      "pre-flight failed:\n  target table pairs already has rows (choose --on-conflict skip, upsert or truncate)",
    );
    for (const policy of ["skip", "upsert"] as const) {
      const e = await errorOf(transfer({ from: pg.url, to: url, tables: ["pairs"], onConflict: policy }));
      expect([e.code, e.message]).toEqual([
        "failed_precondition",
        `--on-conflict ${policy} is not supported for ClickHouse targets: ClickHouse has no unique keys, and ReplacingMergeTree removes duplicates only eventually, in background merges (use fail or truncate)`,
      ]);
    }
    const noConsent = await errorOf(transfer({ from: pg.url, to: url, tables: ["pairs"], onConflict: "truncate" }));
    expect(noConsent.code).toBe("invalid_argument");
    const r = await transfer({
      from: pg.url,
      to: url,
      tables: ["pairs"],
      onConflict: "truncate",
      confirmTruncate: true,
      batchRows: 64,
    });
    expect(summary(r)).toEqual([{ table: "pairs", rows: 300, target: 300, match: true }]);
    await conn.close();
  }, 60_000);

  test("rows written without their checkpoint (a fault after chunk 2's rows) are not duplicated on resume", async () => {
    const { url, conn } = await chDb();
    const jobId = `job-${suffix()}`;
    const err = await errorOf(
      transfer(
        { from: pg.url, to: url, tables: ["items"], create: true, batchRows: 1000, jobId },
        faultAfterRows(pg.url, url, 2),
      ),
    );
    expect(err.message).toBe("fault injected after chunk 2's rows");
    // Chunk 1 committed; chunk 2's 1000 rows are there without a checkpoint.
    expect(await conn.rows("SELECT toString(count()) AS n FROM items")).toEqual([{ n: "2000" }]);
    // Resumed with smaller chunks: chunk 2's leftovers span two new chunks and are deleted by key.
    const r = await transfer({ from: pg.url, to: url, tables: ["items"], batchRows: 600, resume: jobId });
    expect(summary(r)).toEqual([{ table: "items", rows: 2502, target: 2502, match: true }]);
    expect(r.tables[0]?.chunksSkipped).toBe(1);
    expect(await conn.rows("SELECT toString(count()) AS n, toString(uniqExact(id)) AS u FROM items")).toEqual([
      { n: "2502", u: "2502" },
    ]);
    await conn.close();
  }, 120_000);

  test("a table without a key whose one chunk landed without its checkpoint is emptied and copied again", async () => {
    const { url, conn } = await chDb();
    const jobId = `job-${suffix()}`;
    const err = await errorOf(
      transfer(
        { from: pg.url, to: url, tables: ["nokey"], create: true, noKeyOk: true, jobId },
        faultAfterRows(pg.url, url, 1),
      ),
    );
    expect(err.message).toBe("fault injected after chunk 1's rows");
    expect(await conn.rows("SELECT toString(count()) AS n FROM nokey")).toEqual([{ n: "50" }]);
    const r = await transfer({ from: pg.url, to: url, tables: ["nokey"], noKeyOk: true, resume: jobId });
    expect(summary(r)).toEqual([{ table: "nokey", rows: 50, target: 50, match: true }]);
    await conn.close();
  }, 60_000);
});

/** Endpoints whose ClickHouse target fails after chunk `n`'s rows, before its checkpoint. */
function faultAfterRows(from: string, to: string, n: number) {
  return async () => {
    const ep = await openEndpoints(from, to);
    const faulty = await openClickhouse(to);
    const target = createClickhouseTarget(faulty, {
      afterRows: ({ chunk }) => {
        if (chunk === n) throw new MigratrixError("aborted", `fault injected after chunk ${n}'s rows`);
      },
    });
    return {
      ...ep,
      target,
      async close() {
        await ep.close();
        await faulty.close();
      },
    };
  };
}

describe.skipIf(CLICKHOUSE_SKIP !== undefined)("MariaDB → ClickHouse", () => {
  test("a text key ordered by MariaDB's collation, not ClickHouse's bytes: a fault after chunk 2's rows, resume, no duplicates", async () => {
    const { url, conn } = await chDb();
    const jobId = `job-${suffix()}`;
    const err = await errorOf(
      transfer(
        { from: maria.url, to: url, tables: ["k"], create: true, batchRows: 2, jobId },
        faultAfterRows(maria.url, url, 2),
      ),
    );
    expect(err.message).toBe("fault injected after chunk 2's rows");
    // MariaDB's order is (x,1) (x,2) | (Y,1) (z,1); in ClickHouse 'Y' sorts before 'x'.
    expect(await conn.rows("SELECT a, b FROM k ORDER BY a, b")).toEqual([
      { a: "Y", b: 1 },
      { a: "x", b: 1 },
      { a: "x", b: 2 },
      { a: "z", b: 1 },
    ]);
    const r = await transfer({ from: maria.url, to: url, tables: ["k"], batchRows: 2, resume: jobId });
    expect(summary(r)).toEqual([{ table: "k", rows: 4, target: 4, match: true }]);
    expect(await conn.rows("SELECT a, b, v FROM k ORDER BY a, b")).toEqual([
      { a: "Y", b: 1, v: "three" },
      { a: "x", b: 1, v: "one" },
      { a: "x", b: 2, v: "two" },
      { a: "z", b: 1, v: null },
    ]);
    await conn.close();
  }, 60_000);

  test("every mapped type (unsigned widths, year, enum, set, json, blobs, zero-padded NULLs): counts and checksums equal", async () => {
    const { url, conn } = await chDb();
    const r = await transfer({ from: maria.url, to: url, create: true, batchRows: 2 });
    expect(summary(r)).toEqual([
      { table: "all_types", rows: 3, target: 3, match: true },
      { table: "k", rows: 4, target: 4, match: true },
    ]);
    const cols = await conn.rows<{ name: string; type: string }>(
      "SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = 'all_types'",
    );
    expect(Object.fromEntries(cols.map((c) => [c.name, c.type]))).toEqual({
      id: "Int32",
      flag: "Nullable(UInt8)",
      ti: "Nullable(Int8)",
      tu: "Nullable(UInt8)",
      su: "Nullable(UInt16)",
      mi: "Nullable(Int32)",
      i: "Nullable(Int32)",
      iu: "Nullable(UInt32)",
      bi: "Nullable(Int64)",
      bu: "Nullable(UInt64)",
      de: "Nullable(Decimal(10, 3))",
      f: "Nullable(Float32)",
      d: "Nullable(Float64)",
      y: "Nullable(UInt16)",
      vc: "Nullable(String)",
      c: "Nullable(String)",
      tx: "Nullable(String)",
      j: "Nullable(String)",
      bl: "Nullable(String)",
      vb: "Nullable(String)",
      dt: "Nullable(Date)",
      tm: "Nullable(String)",
      dtt: "Nullable(DateTime('UTC'))",
      tsp: "Nullable(DateTime('UTC'))",
      e: "Nullable(Enum8('s' = 1, 'm' = 2, 'l' = 3))",
      st: "Nullable(String)",
    });
    const [row] = await conn.rows<Record<string, unknown>>(
      "SELECT toString(bu) AS bu, toString(iu) AS iu, toString(de) AS de, vc, tx, hex(bl) AS bl, dtt, tsp, e, st FROM all_types WHERE id = 1",
    );
    expect(row).toEqual({
      bu: "18446744073709551615",
      iu: "4294967295",
      de: "1234567.891",
      vc: "ünïcødé ✓ 😀",
      tx: "tab\there\nnew",
      bl: "00FF5C090A0D",
      dtt: "2024-01-02 03:04:05",
      tsp: "2024-06-01 12:00:00",
      e: "m",
      st: "a,b",
    });
    await conn.close();
  }, 60_000);
});
