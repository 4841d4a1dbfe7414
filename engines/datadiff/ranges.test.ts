// Range splitting: bucket plans, child ranges, key order, and the SQL that selects a range or
// numbers its buckets (checked as text and, on an in-memory SQLite, against the rows it selects).
import { describe, expect, test } from "bun:test";
import { getEngine } from "../index.ts";
import { mysqlDataDiff } from "../mysql/datadiff.ts";
import { postgresDataDiff } from "../postgres/datadiff.ts";
import { sqliteDataDiff } from "../sqlite/datadiff.ts";
import {
  bucketExpression,
  bucketRange,
  compareKeys,
  intersect,
  keySql,
  planIntBuckets,
  rangePredicate,
  sampleEvery,
  splitBuckets,
  WHOLE,
} from "./ranges.ts";
import type { Bucketing, DiffColumn, KeyRange } from "./types.ts";

const INT: DiffColumn = { name: "id", type: "bigint", cls: "int" };
const TEXT: DiffColumn = { name: "region", type: "text", cls: "text" };

describe("planIntBuckets", () => {
  test.each<{ name: string; in: Parameters<typeof planIntBuckets>[0]; out: Bucketing & { kind: "int" } }>([
    {
      name: "a million dense keys: buckets of about the threshold",
      in: { min: 1n, max: 1_000_000n, expectedRows: 1_000_000, threshold: 1000, maxBuckets: 4096 },
      out: { kind: "int", lo: 1n, width: 1000n, count: 1000 },
    },
    {
      name: "more rows than maxBuckets × threshold: capped",
      in: { min: 1n, max: 1_000_000n, expectedRows: 50_000_000, threshold: 1000, maxBuckets: 4096 },
      out: { kind: "int", lo: 1n, width: 245n, count: 4082 },
    },
    {
      name: "few rows: still cut in two",
      in: { min: 1n, max: 10n, expectedRows: 10, threshold: 1000, maxBuckets: 4096 },
      out: { kind: "int", lo: 1n, width: 5n, count: 2 },
    },
    {
      name: "negative keys",
      in: { min: -10n, max: 9n, expectedRows: 20, threshold: 1, maxBuckets: 4 },
      out: { kind: "int", lo: -10n, width: 5n, count: 4 },
    },
    {
      name: "span narrower than the buckets wanted: one value each",
      in: { min: 7n, max: 9n, expectedRows: 9000, threshold: 10, maxBuckets: 4096 },
      out: { kind: "int", lo: 7n, width: 1n, count: 3 },
    },
    {
      name: "a single value",
      in: { min: 5n, max: 5n, expectedRows: 3, threshold: 1, maxBuckets: 8 },
      out: { kind: "int", lo: 5n, width: 1n, count: 1 },
    },
  ])("$name", (c) => {
    expect(planIntBuckets(c.in)).toEqual(c.out);
  });
});

describe("sampleEvery", () => {
  test.each([
    { rows: 1_000_000, threshold: 1000, maxBuckets: 64, every: 15625 },
    { rows: 5000, threshold: 1000, maxBuckets: 64, every: 1000 },
    { rows: 10, threshold: 1000, maxBuckets: 64, every: 5 },
    { rows: 3, threshold: 1, maxBuckets: 64, every: 1 },
  ])("$rows rows, threshold $threshold → every $every", (c) => {
    expect(sampleEvery(c)).toBe(c.every);
  });
});

describe("compareKeys", () => {
  const key = [TEXT, INT];
  test.each([
    { a: ["eu", "9"], b: ["eu", "10"], sign: -1, why: "integers by value, not text" },
    { a: ["B", "1"], b: ["a", "1"], sign: -1, why: "text by bytes: upper case first" },
    { a: ["z", "1"], b: ["Ä", "1"], sign: -1, why: "text by bytes: non-ASCII after ASCII" },
    { a: ["eu"], b: ["eu", "1"], sign: -1, why: "a prefix sorts before its extensions" },
    { a: ["eu", "1"], b: ["eu", "1"], sign: 0, why: "equal" },
    { a: ["us"], b: ["eu", "5"], sign: 1, why: "first column decides" },
  ])("$why", (c) => {
    expect(Math.sign(compareKeys(key, c.a, c.b))).toBe(c.sign);
  });
});

describe("intersect and bucketRange", () => {
  const key = [INT, TEXT];
  test.each<{ name: string; a: KeyRange; b: KeyRange; out: KeyRange }>([
    { name: "whole ∩ r = r", a: WHOLE, b: { lo: ["1"], hi: ["5"] }, out: { lo: ["1"], hi: ["5"] } },
    {
      name: "the tighter bound of each side",
      a: { lo: ["5", "m"], hi: ["9"] },
      b: { lo: ["5"], hi: ["7"] },
      out: { lo: ["5", "m"], hi: ["7"] },
    },
  ])("$name", (c) => {
    expect(intersect(key, c.a, c.b)).toEqual(c.out);
  });

  test("integer buckets stay inside their parent", () => {
    const parent: KeyRange = { lo: ["5", "m"], hi: ["20"] };
    const b: Bucketing = { kind: "int", lo: 5n, width: 5n, count: 3 };
    expect([0, 1, 2].map((i) => bucketRange(key, parent, b, i))).toEqual([
      { lo: ["5", "m"], hi: ["10"] },
      { lo: ["10"], hi: ["15"] },
      { lo: ["15"], hi: ["20"] },
    ]);
  });

  test("boundary buckets take the parent's ends", () => {
    const parent: KeyRange = { lo: ["1", "a"], hi: null };
    const b: Bucketing = {
      kind: "bounds",
      bounds: [
        ["3", "x"],
        ["8", "b"],
      ],
    };
    expect([0, 1, 2].map((i) => bucketRange(key, parent, b, i))).toEqual([
      { lo: ["1", "a"], hi: ["3", "x"] },
      { lo: ["3", "x"], hi: ["8", "b"] },
      { lo: ["8", "b"], hi: null },
    ]);
  });
});

describe("splitBuckets: contiguous runs of whole buckets, one per session", () => {
  const key = [INT];
  test.each<{ name: string; parent: KeyRange; b: Bucketing; parts: number; out: KeyRange[] }>([
    {
      name: "ten integer buckets in three",
      parent: WHOLE,
      b: { kind: "int", lo: 0n, width: 10n, count: 10 },
      parts: 3,
      out: [
        { lo: ["0"], hi: ["30"] },
        { lo: ["30"], hi: ["60"] },
        { lo: ["60"], hi: ["100"] },
      ],
    },
    {
      name: "boundaries keep the parent's ends",
      parent: { lo: ["5"], hi: ["50"] },
      b: { kind: "bounds", bounds: [["10"], ["20"], ["30"]] },
      parts: 2,
      out: [
        { lo: ["5"], hi: ["20"] },
        { lo: ["20"], hi: ["50"] },
      ],
    },
    {
      name: "never more parts than buckets",
      parent: WHOLE,
      b: { kind: "bounds", bounds: [["10"]] },
      parts: 4,
      out: [
        { lo: null, hi: ["10"] },
        { lo: ["10"], hi: null },
      ],
    },
  ])("$name", (c) => {
    expect(splitBuckets(key, c.parent, c.b, c.parts)).toEqual(c.out);
  });
});

describe("range SQL", () => {
  const key = [TEXT, INT];
  const range: KeyRange = { lo: ["eu", "5"], hi: ["us"] };
  test.each([
    {
      engine: "postgresql",
      facts: postgresDataDiff,
      sql: `"region" COLLATE "C" >= 'eu' AND ("region" COLLATE "C" > 'eu' OR ("region" COLLATE "C" = 'eu' AND "id" >= 5)) AND "region" COLLATE "C" < 'us'`,
    },
    {
      engine: "mariadb",
      facts: mysqlDataDiff,
      sql: "BINARY `region` >= 'eu' AND (BINARY `region` > 'eu' OR (BINARY `region` = 'eu' AND `id` >= 5)) AND BINARY `region` < 'us'",
    },
    {
      engine: "sqlite",
      facts: sqliteDataDiff,
      sql: `"region" COLLATE BINARY >= 'eu' AND ("region" COLLATE BINARY > 'eu' OR ("region" COLLATE BINARY = 'eu' AND "id" >= 5)) AND "region" COLLATE BINARY < 'us'`,
    },
  ])("$engine: lexicographic predicate in the engine's dialect", (c) => {
    expect(rangePredicate(keySql(c.facts, key), range)).toBe(c.sql);
  });

  test("the whole table needs no predicate", () => {
    expect(rangePredicate(keySql(postgresDataDiff, key), WHOLE)).toBeNull();
  });

  test("bucket numbers: integer arithmetic, or a balanced CASE tree over boundaries", () => {
    const k = keySql(postgresDataDiff, [INT]);
    expect([
      bucketExpression(postgresDataDiff, k, { kind: "int", lo: -5n, width: 10n, count: 4 }),
      bucketExpression(postgresDataDiff, k, { kind: "bounds", bounds: [["10"], ["20"], ["30"]] }),
    ]).toEqual([
      `(("id")::bigint - -5) / 10`,
      `CASE WHEN "id" < 20 THEN CASE WHEN "id" < 10 THEN 0 ELSE 1 END ELSE CASE WHEN "id" < 30 THEN 2 ELSE 3 END END`,
    ]);
  });

  test("on SQLite, every row falls in exactly the bucket whose range predicate selects it", async () => {
    const db = await getEngine("sqlite").driver.connect("sqlite::memory:");
    try {
      await db.exec(`CREATE TABLE t (region TEXT COLLATE NOCASE, id INTEGER, PRIMARY KEY (region, id))`);
      const regions = ["eu", "EU2", "us", "Äsia", "apac", "b"];
      const values = regions.flatMap((r) => [1, 2, 10, 11, 100].map((n) => `('${r}', ${n})`));
      await db.exec(`INSERT INTO t VALUES ${values.join(", ")}`);
      const k = keySql(sqliteDataDiff, key);
      const parent: KeyRange = { lo: ["EU2", "2"], hi: ["us", "11"] };
      const buckets: Bucketing[] = [
        { kind: "bounds", bounds: [["apac", "10"], ["eu"], ["us", "1"]] },
        { kind: "bounds", bounds: [["b", "1"]] },
      ];
      for (const b of buckets) {
        const n = b.kind === "bounds" ? b.bounds.length + 1 : b.count;
        const where = rangePredicate(k, parent);
        const byExpr = await db.query(
          `SELECT ${bucketExpression(sqliteDataDiff, k, b)} AS b, region, id FROM t WHERE ${where} ORDER BY 2, 3`,
        );
        const byRange: Record<string, unknown>[] = [];
        for (let i = 0; i < n; i++) {
          const p = rangePredicate(k, bucketRange(key, parent, b, i));
          const rows = await db.query(`SELECT ${i} AS b, region, id FROM t WHERE ${p ?? "1"}`);
          byRange.push(...rows);
        }
        const order = (x: Record<string, unknown>) => `${x.region}|${String(x.id).padStart(4, "0")}`;
        expect(byRange.sort((x, y) => (order(x) < order(y) ? -1 : 1))).toEqual(
          byExpr.sort((x, y) => (order(x) < order(y) ? -1 : 1)),
        );
        expect(byExpr.length).toBe(22);
      }
    } finally {
      await db.close();
    }
  });
});
