// Every value class the data diff claims across engines gives the same canonical text, and so the
// same row hash, on PostgreSQL, MariaDB and SQLite: one table of cases, one table per case per engine.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { encodeRow, rowHash64 } from "./canonical.ts";
import { dataDiffFacts } from "./index.ts";
import { WHOLE } from "./ranges.ts";
import { createScanner } from "./scan.ts";
import {
  type ColumnSpec,
  createTable,
  type ScratchDb,
  scratchDb,
  TEST_ENGINES,
  type TestEngine,
  type TestValue,
} from "./testkit.ts";

const dbs = {} as Record<TestEngine, ScratchDb>;

beforeAll(async () => {
  const all = await Promise.all(TEST_ENGINES.map((e) => scratchDb(e, "mx_ddnorm")));
  for (const d of all) {
    dbs[d.engine] = d;
    // Inserts below are written in UTC, as the diff's own sessions read them.
    await dataDiffFacts(d.engine).prepare(d.session);
  }
});

afterAll(async () => {
  await Promise.all(Object.values(dbs).map((d) => d.drop()));
});

interface TypeCase {
  cls: string;
  types: Record<TestEngine, string>;
  values: TestValue[];
  /** Where an engine needs the same value written its own way (time zones). */
  perEngine?: Partial<Record<TestEngine, TestValue[]>>;
  expected: (string | null)[];
}

const CASES: TypeCase[] = [
  {
    cls: "int",
    types: { postgresql: "bigint", mariadb: "bigint", sqlite: "INTEGER" },
    values: [0, -5, 2147483648, "9007199254740993", null],
    expected: ["0", "-5", "2147483648", "9007199254740993", null],
  },
  {
    cls: "decimal",
    types: { postgresql: "numeric(14,4)", mariadb: "decimal(14,4)", sqlite: "NUMERIC" },
    values: ["12.5000", "100", "-0.0100", "0", "12345678.1234", null],
    expected: ["12.5", "100", "-0.01", "0", "12345678.1234", null],
  },
  {
    cls: "float",
    types: { postgresql: "double precision", mariadb: "double", sqlite: "REAL" },
    values: [0.1, 2.5, -7.25, "0.3333333333333333", 123456.789, 0, null],
    expected: ["0.1", "2.5", "-7.25", "0.3333333333333333", "123456.789", "0", null],
  },
  {
    cls: "bool",
    types: { postgresql: "boolean", mariadb: "tinyint(1)", sqlite: "BOOLEAN" },
    values: [true, false, null],
    expected: ["1", "0", null],
  },
  {
    cls: "text",
    types: { postgresql: "text", mariadb: "varchar(200)", sqlite: "TEXT" },
    values: ["", "plain", "Grüße 😀 ✓", "it's \\ back", "trailing  ", "中文", null],
    expected: ["", "plain", "Grüße 😀 ✓", "it's \\ back", "trailing  ", "中文", null],
  },
  {
    cls: "text (char(n))",
    types: { postgresql: "char(5)", mariadb: "char(5)", sqlite: "CHARACTER(5)" },
    values: ["ab", "abcde"],
    expected: ["ab", "abcde"],
  },
  {
    cls: "bytes",
    types: { postgresql: "bytea", mariadb: "varbinary(20)", sqlite: "BLOB" },
    values: [{ hex: "00ff10" }, { hex: "" }, null],
    expected: ["00ff10", "", null],
  },
  {
    cls: "date",
    types: { postgresql: "date", mariadb: "date", sqlite: "DATE" },
    values: ["2024-02-29", "1999-12-31", null],
    expected: ["2024-02-29", "1999-12-31", null],
  },
  {
    cls: "timestamp",
    types: { postgresql: "timestamp(6)", mariadb: "datetime(6)", sqlite: "TIMESTAMP" },
    values: ["2024-01-02 03:04:05.123456", "2024-01-02 03:04:05", "2000-01-01 00:00:00.5", null],
    expected: ["2024-01-02T03:04:05.123456", "2024-01-02T03:04:05.000000", "2000-01-01T00:00:00.500000", null],
  },
  {
    cls: "timestamptz",
    types: { postgresql: "timestamptz", mariadb: "timestamp(6) NULL", sqlite: "TIMESTAMPTZ" },
    values: [],
    perEngine: {
      postgresql: ["2024-01-02 05:04:05.5+02:00", "2024-07-01 00:00:00-07:00", null],
      mariadb: ["2024-01-02 03:04:05.5", "2024-07-01 07:00:00", null],
      sqlite: ["2024-01-02T05:04:05.5+02:00", "2024-07-01 07:00:00Z", null],
    },
    expected: ["2024-01-02T03:04:05.500000", "2024-07-01T07:00:00.000000", null],
  },
  {
    cls: "uuid",
    types: { postgresql: "uuid", mariadb: "uuid", sqlite: "TEXT" },
    values: ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000001"],
    expected: ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "00000000-0000-0000-0000-000000000001"],
  },
];

const ID: ColumnSpec = { name: "id", types: { postgresql: "integer", mariadb: "int", sqlite: "INTEGER" } };

test.each(CASES.map((c, i) => [c.cls, c, i] as const))(
  "%s: the same canonical text and row hash on every engine",
  async (_, c, i) => {
    const seen: Record<string, unknown> = {};
    const expectedHash = c.expected.reduce<bigint>((h, v, n) => h ^ rowHash64(encodeRow([String(n + 1), v])), 0n);
    for (const engine of TEST_ENGINES) {
      const db = dbs[engine];
      const values = c.perEngine?.[engine] ?? c.values;
      const column: ColumnSpec = { name: "v", types: c.types };
      await createTable(db, {
        name: `n${i}`,
        columns: [ID, column],
        key: ["id"],
        rows: values.map((v, n) => [n + 1, v]),
      });
      const side = db.side(`n${i}`);
      const shape = await side.facts.describe(side.session, side.table);
      await side.facts.prepare(side.session);
      const [key, col] = shape?.columns ?? [];
      if (!key || !col) throw new Error(`table n${i} has no columns on ${engine}`);
      const scan = createScanner(side, { table: side.table, key: [key], columns: [col], mode: "canonical" });
      const rows = (await scan.rows([WHOLE])).sort((a, b) => Number(a[0]) - Number(b[0]));
      const summary = (await scan.summarise(WHOLE, null)).get(0);
      seen[engine] = { values: rows.map((r) => r[1]), hash: summary?.hash };
    }
    const want = { values: c.expected, hash: expectedHash };
    expect(seen).toEqual({ postgresql: want, mariadb: want, sqlite: want });
  },
);
