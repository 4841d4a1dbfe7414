// Row-level data diff against real PostgreSQL, MariaDB and SQLite, same engine and across
// engines: each scenario is one table of expected row differences (in canonical text, so the
// same for every engine pair), then the generated sync script is applied and the diff re-run.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { getEngine } from "../index.ts";
import { diffTables } from "./index.ts";
import {
  type ColumnSpec,
  createTable,
  runScript,
  type ScratchDb,
  scratchDb,
  type TestEngine,
  type TestValue,
} from "./testkit.ts";
import type { DataDiffOptions, RowDiff } from "./types.ts";

const dbs = {} as Record<TestEngine, ScratchDb>;

beforeAll(async () => {
  const [pg, my, lite] = await Promise.all([
    scratchDb("postgresql", "mx_datadiff"),
    scratchDb("mariadb", "mx_datadiff"),
    scratchDb("sqlite", "mx_datadiff"),
  ]);
  Object.assign(dbs, { postgresql: pg, mariadb: my, sqlite: lite });
});

afterAll(async () => {
  await Promise.all(Object.values(dbs).map((d) => d.drop()));
});

const ROW_COLUMNS: ColumnSpec[] = [
  { name: "id", types: { postgresql: "bigint", mariadb: "bigint", sqlite: "INTEGER" } },
  { name: "name", types: { postgresql: "text", mariadb: "varchar(100)", sqlite: "TEXT" } },
  { name: "amount", types: { postgresql: "numeric(12,2)", mariadb: "decimal(12,2)", sqlite: "NUMERIC" } },
  { name: "active", types: { postgresql: "boolean", mariadb: "tinyint(1)", sqlite: "BOOLEAN" } },
  { name: "at", types: { postgresql: "timestamp(6)", mariadb: "datetime(6)", sqlite: "TIMESTAMP" } },
  { name: "note", types: { postgresql: "text", mariadb: "varchar(100)", sqlite: "TEXT" } },
];

const COMPOSITE_COLUMNS: ColumnSpec[] = [
  { name: "region", types: { postgresql: "varchar(20)", mariadb: "varchar(20)", sqlite: "TEXT" } },
  { name: "n", types: { postgresql: "integer", mariadb: "int", sqlite: "INTEGER" } },
  { name: "val", types: { postgresql: "text", mariadb: "varchar(50)", sqlite: "TEXT" } },
];

const TEXT_KEY_COLUMNS: ColumnSpec[] = [
  { name: "code", types: { postgresql: "varchar(20)", mariadb: "varchar(20)", sqlite: "TEXT" } },
  { name: "qty", types: { postgresql: "integer", mariadb: "int", sqlite: "INTEGER" } },
];

const TENANT_COLUMNS: ColumnSpec[] = [
  { name: "tenant", types: { postgresql: "smallint", mariadb: "smallint", sqlite: "INTEGER" } },
  { name: "n", types: { postgresql: "bigint", mariadb: "bigint", sqlite: "INTEGER" } },
  { name: "val", types: { postgresql: "text", mariadb: "varchar(50)", sqlite: "TEXT" } },
];

const base: TestValue[][] = [
  [1, "alpha", "12.50", true, "2024-01-02 03:04:05.123456", null],
  [2, "Grüße 😀 ✓", "0.00", false, "2024-02-29 23:59:59", ""],
  [3, "beta", "-7.25", true, "1999-12-31 00:00:00.000001", "x"],
  [4, "quote ' and \\ backslash", "1000000.00", false, "2024-06-01 12:00:00.5", "y"],
];

function many(n: number, f: (i: number) => TestValue[]): TestValue[][] {
  return Array.from({ length: n }, (_, i) => f(i));
}

interface Scenario {
  name: string;
  columns: ColumnSpec[];
  key: string[];
  source: TestValue[][];
  target: TestValue[][];
  options?: Partial<DataDiffOptions>;
  expected: RowDiff[];
}

const upd = (key: string[], changes: [string, string | null, string | null][]): RowDiff => ({
  kind: "update",
  key,
  changes: changes.map(([column, before, after]) => ({ column, before, after })),
});

const bigSource = many(3000, (i) => [
  i * 3 + 1,
  `row ${i}`,
  `${i}.${i % 100}`,
  i % 2 === 0,
  "2024-01-01 00:00:00",
  null,
]);

const SCENARIOS: Scenario[] = [
  { name: "equal tables", columns: ROW_COLUMNS, key: ["id"], source: base, target: base, expected: [] },
  {
    name: "inserted, updated, deleted; NULL differs from ''; unicode",
    columns: ROW_COLUMNS,
    key: ["id"],
    source: [...base, [7, "new", "1.10", true, "2024-01-01 00:00:00", "n"]],
    target: [
      [1, "alpha", "12.50", true, "2024-01-02 03:04:05.123456", ""],
      [2, "Grüße 😀 ✗", "0.00", false, "2024-02-29 23:59:59", ""],
      [3, "beta", "-7.25", false, "1999-12-31 00:00:00.000002", "x"],
      [5, "gone", null, null, null, null],
    ],
    expected: [
      upd(["1"], [["note", "", null]]),
      upd(["2"], [["name", "Grüße 😀 ✗", "Grüße 😀 ✓"]]),
      upd(
        ["3"],
        [
          ["active", "0", "1"],
          ["at", "1999-12-31T00:00:00.000002", "1999-12-31T00:00:00.000001"],
        ],
      ),
      {
        kind: "insert",
        key: ["4"],
        row: {
          id: "4",
          name: "quote ' and \\ backslash",
          amount: "1000000",
          active: "0",
          at: "2024-06-01T12:00:00.500000",
          note: "y",
        },
      },
      { kind: "delete", key: ["5"] },
      {
        kind: "insert",
        key: ["7"],
        row: { id: "7", name: "new", amount: "1.1", active: "1", at: "2024-01-01T00:00:00.000000", note: "n" },
      },
    ],
  },
  {
    name: "key gaps: sparse keys far apart",
    columns: ROW_COLUMNS,
    key: ["id"],
    source: [
      [-5000000000, "a", "1", true, null, null],
      [1, "b", "1", true, null, null],
      [1000000, "c", "1", true, null, null],
      [9000000000000, "d", "1", true, null, null],
    ],
    target: [
      [-5000000000, "a", "1", true, null, null],
      [1, "b", "2", true, null, null],
      [1000001, "c", "1", true, null, null],
      [9000000000000, "d", "1", true, null, null],
    ],
    options: { fetchThreshold: 1 },
    expected: [
      upd(["1"], [["amount", "2", "1"]]),
      {
        kind: "insert",
        key: ["1000000"],
        row: { id: "1000000", name: "c", amount: "1", active: "1", at: null, note: null },
      },
      { kind: "delete", key: ["1000001"] },
    ],
  },
  {
    name: "composite key (text, int) cut by sampled boundaries",
    columns: COMPOSITE_COLUMNS,
    key: ["region", "n"],
    source: many(400, (i) => [["eu", "us", "Äsia", "apac"][i % 4] ?? "eu", Math.floor(i / 4), `v${i}`]),
    target: many(400, (i) => [
      ["eu", "us", "Äsia", "apac"][i % 4] ?? "eu",
      Math.floor(i / 4) + (i === 399 ? 1000 : 0),
      i === 10 ? "changed" : `v${i}`,
    ]),
    options: { fetchThreshold: 8, maxSampledBuckets: 4 },
    // Byte order on every engine, whatever the column's collation: "apac" < "eu" < "us" < "Äsia".
    expected: [
      { kind: "insert", key: ["apac", "99"], row: { region: "apac", n: "99", val: "v399" } },
      { kind: "delete", key: ["apac", "1099"] },
      upd(["Äsia", "2"], [["val", "changed", "v10"]]),
    ],
  },
  {
    name: "text key, many levels",
    columns: TEXT_KEY_COLUMNS,
    key: ["code"],
    source: many(600, (i) => [`k${String(i).padStart(4, "0")}`, i]),
    target: many(600, (i) => [`k${String(i).padStart(4, "0")}`, i === 123 || i === 456 ? -1 : i]),
    options: { fetchThreshold: 5, maxSampledBuckets: 4 },
    expected: [upd(["k0123"], [["qty", "-1", "123"]]), upd(["k0456"], [["qty", "-1", "456"]])],
  },
  {
    name: "3000 rows, recursion on integer buckets",
    columns: ROW_COLUMNS,
    key: ["id"],
    source: bigSource,
    target: bigSource.map((r) =>
      r[0] === 4000 ? [4000, "row 1333", "999.99", false, "2024-01-01 00:00:00", null] : r,
    ),
    options: { fetchThreshold: 10, maxIntBuckets: 8 },
    expected: [upd(["4000"], [["amount", "999.99", "1333.33"]])],
  },
  {
    name: "composite key (int, int) with one leading value per 300 rows",
    columns: TENANT_COLUMNS,
    key: ["tenant", "n"],
    source: many(600, (i) => [i % 2, Math.floor(i / 2), `v${i}`]),
    target: many(600, (i) => [i % 2, Math.floor(i / 2), i === 301 ? "changed" : `v${i}`]),
    options: { fetchThreshold: 10, maxSampledBuckets: 8 },
    expected: [upd(["1", "150"], [["val", "changed", "v301"]])],
  },
  { name: "both empty", columns: ROW_COLUMNS, key: ["id"], source: [], target: [], expected: [] },
  {
    name: "source empty",
    columns: COMPOSITE_COLUMNS,
    key: ["region", "n"],
    source: [],
    target: [
      ["eu", 1, "a"],
      ["eu", 2, null],
    ],
    expected: [
      { kind: "delete", key: ["eu", "1"] },
      { kind: "delete", key: ["eu", "2"] },
    ],
  },
  {
    name: "target empty",
    columns: TEXT_KEY_COLUMNS,
    key: ["code"],
    source: [
      ["B", 1],
      ["a", 2],
    ],
    target: [],
    expected: [
      { kind: "insert", key: ["B"], row: { code: "B", qty: "1" } },
      { kind: "insert", key: ["a"], row: { code: "a", qty: "2" } },
    ],
  },
];

const PAIRS: [TestEngine, TestEngine][] = [
  ["postgresql", "postgresql"],
  ["mariadb", "mariadb"],
  ["sqlite", "sqlite"],
  ["postgresql", "mariadb"],
  ["mariadb", "postgresql"],
  ["postgresql", "sqlite"],
  ["sqlite", "postgresql"],
];

let tableNo = 0;

describe.each(PAIRS)("%s → %s", (from, to) => {
  test.each(SCENARIOS.map((s) => [s.name, s] as const))("%s; the sync script makes them equal", async (_, s) => {
    const n = ++tableNo;
    const src = dbs[from];
    const dst = dbs[to];
    await createTable(src, { name: `s${n}`, columns: s.columns, key: s.key, rows: s.source });
    await createTable(dst, { name: `t${n}`, columns: s.columns, key: s.key, rows: s.target });
    const run = () => diffTables({ source: src.side(`s${n}`), target: dst.side(`t${n}`), ...s.options });
    const r = await run();
    const counts = {
      inserted: s.expected.filter((d) => d.kind === "insert").length,
      updated: s.expected.filter((d) => d.kind === "update").length,
      deleted: s.expected.filter((d) => d.kind === "delete").length,
    };
    expect({ counts: r.counts, rows: r.rows }).toEqual({ counts, rows: s.expected });
    expect(r.stats.hashMode).toBe(from === to ? "native" : "canonical");
    if (process.env.DATADIFF_STATS) console.log(from, to, s.name, JSON.stringify(r.stats));
    // Rows cross the wire only for ranges under the threshold (SQLite hashes in-process, so it reads all).
    const threshold = s.options?.fetchThreshold ?? 1000;
    if (from !== "sqlite") expect(r.stats.rowsFetched.source).toBeLessThanOrEqual(r.stats.leafRanges * threshold);
    await runScript(dst, r.script);
    const again = await run();
    expect({ counts: again.counts, rows: again.rows }).toEqual({
      counts: { inserted: 0, updated: 0, deleted: 0 },
      rows: [],
    });
  });
});

describe("options", () => {
  const rows: TestValue[][] = [
    [1, "a", "1", true, null, "keep"],
    [2, "b", "2", true, null, "keep"],
    [3, "c", "3", false, null, "skip"],
  ];
  const changed: TestValue[][] = [
    [1, "A", "1", true, null, "keep"],
    [2, "b", "9", true, null, "keep"],
    [3, "C", "3", false, null, "skip"],
  ];
  const setUp = async (engine: TestEngine) => {
    const n = ++tableNo;
    await createTable(dbs[engine], { name: `s${n}`, columns: ROW_COLUMNS, key: ["id"], rows });
    await createTable(dbs[engine], { name: `t${n}`, columns: ROW_COLUMNS, key: ["id"], rows: changed });
    return n;
  };

  test.each([
    {
      name: "a filter on both sides",
      options: (d: ScratchDb, n: number) => ({
        source: d.side(`s${n}`, "note = 'keep'"),
        target: d.side(`t${n}`, "note = 'keep'"),
      }),
      rows: [upd(["1"], [["name", "A", "a"]]), upd(["2"], [["amount", "9", "2"]])],
    },
    {
      name: "only some columns",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side(`t${n}`), include: ["amount"] }),
      rows: [upd(["2"], [["amount", "9", "2"]])],
    },
    {
      name: "some columns left out",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side(`t${n}`), exclude: ["amount"] }),
      rows: [upd(["1"], [["name", "A", "a"]]), upd(["3"], [["name", "C", "c"]])],
    },
    {
      name: "key named by hand",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side(`t${n}`), key: ["ID"] }),
      rows: [upd(["1"], [["name", "A", "a"]]), upd(["2"], [["amount", "9", "2"]]), upd(["3"], [["name", "C", "c"]])],
    },
  ])("$name (PostgreSQL and MariaDB)", async (c) => {
    for (const engine of ["postgresql", "mariadb"] as const) {
      const n = await setUp(engine);
      const r = await diffTables(c.options(dbs[engine], n));
      expect({ engine, rows: r.rows }).toEqual({ engine, rows: [...c.rows] });
    }
  });

  test.each<{ name: string; options: (d: ScratchDb, n: number) => DataDiffOptions; error: string; code?: string }>([
    {
      name: "an unknown key column",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side(`t${n}`), key: ["nope"] }),
      error: "column nope does not exist in source table s{n}",
    },
    {
      name: "an unknown column to compare",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side(`t${n}`), include: ["nope"] }),
      error: "column nope does not exist in source table s{n}",
    },
    {
      name: "a column the target lacks",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side("extra_less") }),
      error: "column note does not exist in target table extra_less (leave it out with --exclude note)",
    },
    {
      name: "keys ordered differently on the two sides",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side("text_id") }),
      error:
        "key column id is integer (bigint) in source table s{n} but text (text) in target table text_id: both sides must order the key alike",
    },
    {
      name: "a key that does not identify rows",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side(`t${n}`), key: ["active"] }),
      code: "failed_precondition",
      error:
        'key (active) does not identify rows in s{n}: ["1"] appears more than once; name unique, non-null key columns',
    },
    {
      name: "a key with NULLs",
      options: (d: ScratchDb, n: number) => ({ source: d.side(`s${n}`), target: d.side(`t${n}`), key: ["at"] }),
      code: "failed_precondition",
      error: "key (at) is NULL in 3 row(s) of s{n}: name non-null key columns",
    },
  ])("$name is a clear error", async (c) => {
    const d = dbs.postgresql;
    const n = await setUp("postgresql");
    const rest = "name text, amount numeric(12,2), active boolean, at timestamp(6)";
    await d.session.exec(`CREATE TABLE IF NOT EXISTS extra_less (id bigint PRIMARY KEY, ${rest})`);
    await d.session.exec(`CREATE TABLE IF NOT EXISTS text_id (id text PRIMARY KEY, ${rest}, note text)`);
    const err = await diffTables(c.options(d, n)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigratrixError);
    expect({ code: (err as MigratrixError).code as string, message: (err as MigratrixError).message }).toEqual({
      code: c.code ?? "invalid_argument",
      message: c.error.replace("{n}", String(n)),
    });
  });

  test("extra sessions split the checksum passes and find the same rows", async () => {
    for (const engine of ["postgresql", "mariadb"] as const) {
      const d = dbs[engine];
      const n = ++tableNo;
      const source = many(2000, (i) => [i, `r${i}`, "1", true, null, null]);
      const target = source
        .filter((r) => r[0] !== 1500)
        .map((r) => (r[0] === 42 ? [42, "x", "1", true, null, null] : r));
      await createTable(d, { name: `s${n}`, columns: ROW_COLUMNS, key: ["id"], rows: source });
      await createTable(d, { name: `t${n}`, columns: ROW_COLUMNS, key: ["id"], rows: target });
      const extra = [await getEngine(engine).driver.connect(d.url), await getEngine(engine).driver.connect(d.url)];
      try {
        const r = await diffTables({
          source: { ...d.side(`s${n}`), extraSessions: extra.slice(0, 1) },
          target: { ...d.side(`t${n}`), session: d.session, extraSessions: extra.slice(1) },
          fetchThreshold: 10,
        });
        expect({ engine, rows: r.rows }).toEqual({
          engine,
          rows: [
            upd(["42"], [["name", "x", "r42"]]),
            {
              kind: "insert",
              key: ["1500"],
              row: { id: "1500", name: "r1500", amount: "1", active: "1", at: null, note: null },
            },
          ],
        });
      } finally {
        for (const s of extra) await s.close();
      }
    }
  });

  test("PostgreSQL types without a hash function (json, point) fall back to the row text", async () => {
    const d = dbs.postgresql;
    await d.session.exec("CREATE TABLE geo_s (id int PRIMARY KEY, doc json, at point)");
    await d.session.exec("CREATE TABLE geo_t (id int PRIMARY KEY, doc json, at point)");
    await d.session.exec(`INSERT INTO geo_s VALUES (1, '{"a": 1}', '(1,2)'), (2, '[]', '(0,0)')`);
    await d.session.exec(`INSERT INTO geo_t VALUES (1, '{"a": 2}', '(1,2)'), (2, '[]', '(0,0)')`);
    const r = await diffTables({ source: d.side("geo_s"), target: d.side("geo_t") });
    expect({ rows: r.rows, mode: r.stats.hashMode }).toEqual({
      rows: [upd(["1"], [["doc", '{"a": 2}', '{"a": 1}']])],
      mode: "native",
    });
    await runScript(d, r.script);
    expect((await diffTables({ source: d.side("geo_s"), target: d.side("geo_t") })).rows).toEqual([]);
  });
});
