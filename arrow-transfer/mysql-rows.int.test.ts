// MariaDB row packets parsed straight into Arrow (mysql-rows.ts) give the same batches as mysql2's
// converted values: every MySQL type of the mapping table, NULLs, edge values, long fields (2- and
// 3-byte length prefixes), zero dates counted; a column whose kind does not fit its field falls back.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mapColumnType } from "../engines/schema/typemap.ts";
import { type Cell, columnValues } from "./batch.ts";
import { createMysqlSource, openMysql } from "./mysql.ts";
import { createMariaDb, type MariaDb } from "./test-support.ts";
import type { TablePlan } from "./types.ts";

let db: MariaDb;

const COLUMNS = `id int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  flag tinyint(1), ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned, mi mediumint,
  i int, iu int unsigned, bi bigint, biu bigint unsigned, dec_ decimal(30,10), f float, d double, y year,
  vc varchar(20), ch char(3), js json, tx mediumtext, vb varbinary(16), bl longblob, dt date, tm time(3),
  dtm datetime(6), tsp timestamp(3) NULL, uu uuid, en enum('small','medium','large'), st set('a','b','c')`;

beforeAll(async () => {
  db = await createMariaDb("xfer_mrows");
  await db.conn.query(`CREATE TABLE t (${COLUMNS}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
  await db.conn.query("SET SESSION sql_mode = ''");
  const rows: unknown[][] = [
    [
      1,
      -128,
      255,
      -32768,
      65535,
      -8388608,
      -2147483648,
      4294967295,
      "-9223372036854775808",
      "18446744073709551615",
      "-12345678901234567890.0123456789",
      1.1,
      1e-7,
      1901,
      "ünï ✓ 😀",
      "abc",
      '{"a": [1, "x"]}',
      "tab\there\nnew \\ back\r",
      Buffer.from([0, 9, 10, 92, 255]),
      Buffer.alloc(300, 7),
      "2024-02-29",
      "-838:59:59.000",
      "2024-01-01 00:00:00.123456",
      "2038-01-19 03:14:07.500",
      "6ccd780c-baba-1026-9564-5b8c656024db",
      "large",
      "a,c",
    ],
    [
      0,
      127,
      0,
      32767,
      0,
      8388607,
      2147483647,
      0,
      "9223372036854775807",
      "0",
      "0.0000000001",
      -3.4e38,
      -1.5e300,
      2155,
      "",
      " ",
      "[]",
      "x".repeat(70_000),
      Buffer.alloc(0),
      Buffer.alloc(70_000, 171),
      "1000-01-01",
      "00:00:00.000",
      "9999-12-31 23:59:59.999999",
      "1970-01-01 00:00:01.000",
      "00000000-0000-0000-0000-000000000000",
      "small",
      "",
    ],
    [
      1,
      0,
      1,
      0,
      1,
      0,
      0,
      1,
      "9007199254740993",
      "9007199254740993",
      "1.5000000000",
      0,
      0,
      2000,
      "v",
      "c",
      "{}",
      "y".repeat(251),
      Buffer.from("ab"),
      Buffer.alloc(65_536, 1),
      "0000-00-00",
      "10:11:12.345",
      "0000-00-00 00:00:00",
      "0000-00-00 00:00:00",
      "6ccd780c-baba-1026-9564-5b8c656024db",
      "medium",
      "b",
    ],
  ];
  await db.conn.query(
    "INSERT INTO t (flag, ti, tiu, si, siu, mi, i, iu, bi, biu, dec_, f, d, y, vc, ch, js, tx, vb, bl, dt, tm, dtm, tsp, uu, en, st) VALUES ?",
    [rows],
  );
  await db.conn.query("INSERT INTO t (id) VALUES (NULL)");
  await db.conn.query("INSERT INTO t (dt, dtm) VALUES ('2024-00-10', '2024-05-00 00:00:00')");
});

afterAll(async () => {
  await db?.drop();
});

/** Every column of t as its batches' values, read through one path; the paths taken; the warnings. */
async function read(rawRows: boolean, overrides: Record<string, string> = {}) {
  const c = await openMysql(db.url, "mariadb");
  const paths: string[] = [];
  const src = createMysqlSource(c, "mariadb", { rawRows, onRead: (p) => paths.push(p) });
  try {
    const [table] = await src.describe(["t"]);
    if (!table) throw new Error("t not described");
    const mappings = table.columns.map((col) =>
      mapColumnType(
        "mysql",
        "postgresql",
        { table: "t", column: col.name, type: col.type, ctx: col.ctx },
        { overrides },
      ),
    );
    const plan = { source: table, target: { schema: null, name: "t" }, key: ["id"], mappings } as unknown as TablePlan;
    const cols: Cell[][] = mappings.map(() => []);
    const sizes: number[] = [];
    for await (const b of src.read(plan, { after: null, upTo: null }, { rows: 2, bytes: 1 << 20 })) {
      sizes.push(b.numRows);
      mappings.forEach((_m, i) => {
        cols[i]?.push(...columnValues(b, i));
      });
    }
    return { cols, sizes, paths, warnings: src.warnings(), kinds: mappings.map((m) => m.kind) };
  } finally {
    await src.close();
  }
}

test("row packets parsed into Arrow equal mysql2's converted values, for every type, NULLs, long fields and zero dates", async () => {
  const raw = await read(true);
  const rows = await read(false);
  expect(raw.paths).toEqual(["raw"]);
  expect(rows.paths).toEqual(["rows"]);
  expect(raw.kinds).toContain("float32");
  expect({ cols: raw.cols, sizes: raw.sizes, warnings: raw.warnings }).toEqual({
    cols: rows.cols,
    sizes: rows.sizes,
    warnings: rows.warnings,
  });
  expect(raw.warnings).toEqual([
    "t.dt: 2 zero date(s) became NULL",
    "t.dtm: 2 zero date(s) became NULL",
    "t.tsp: 1 zero date(s) became NULL",
  ]);
});

test("a column whose carried kind does not fit its field (float overridden to text) is read through mysql2's values", async () => {
  const raw = await read(true, { "t.f": "text" });
  const rows = await read(false, { "t.f": "text" });
  expect(raw.paths).toEqual(["rows"]);
  expect(raw.cols).toEqual(rows.cols);
});
