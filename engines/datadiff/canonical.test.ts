// Canonical text in JS (what SQLite's raw values become), the row encoding and hash, table names,
// and the sync script each engine's literals produce.
import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { mysqlDataDiff } from "../mysql/datadiff.ts";
import { postgresDataDiff } from "../postgres/datadiff.ts";
import { sqliteDataDiff } from "../sqlite/datadiff.ts";
import { canonicalValue, encodeRow, rowHash64, toUint64, trimScale } from "./canonical.ts";
import { parseTableName } from "./index.ts";
import { renderSyncScript } from "./script.ts";
import type { DiffColumn, RowDiff, ValueClass } from "./types.ts";

describe("canonicalValue", () => {
  test.each<[ValueClass, unknown, string | null]>([
    ["int", 42, "42"],
    ["int", "9007199254740993", "9007199254740993"],
    ["int", null, null],
    ["decimal", 12.5, "12.5"],
    ["decimal", 100, "100"],
    ["decimal", 1e-7, "0.0000001"],
    ["decimal", 1e21, "1000000000000000000000"],
    ["decimal", "12.5000", "12.5"],
    ["decimal", "-0.00", "0"],
    ["float", 0.1, "0.1"],
    ["bool", 1, "1"],
    ["bool", 0, "0"],
    ["bool", true, "1"],
    ["bool", "false", "0"],
    ["text", "", ""],
    ["text", 12, "12"],
    ["text", new TextEncoder().encode("ü"), "ü"],
    ["bytes", new Uint8Array([0, 255, 16]), "00ff10"],
    ["date", "2024-02-29", "2024-02-29"],
    ["timestamp", "2024-01-02 03:04:05", "2024-01-02T03:04:05.000000"],
    ["timestamp", "2024-01-02T03:04:05.1234567", "2024-01-02T03:04:05.123456"],
    ["timestamp", "2024-01-02T03:04:05.123Z", "2024-01-02T03:04:05.123000"],
    ["timestamptz", "2024-01-02 01:04:05.5-02:00", "2024-01-02T03:04:05.500000"],
    ["timestamptz", "2024-01-01 00:30:00+0100", "2023-12-31T23:30:00.000000"],
    ["timestamp", 0, "1970-01-01T00:00:00.000000"],
    ["timestamp", new Date("2024-05-06T07:08:09.010Z"), "2024-05-06T07:08:09.010000"],
    ["timestamp", "not a time", "not a time"],
  ])("%s %p → %p", (cls, value, out) => {
    expect(canonicalValue(cls, value)).toBe(out);
  });

  test("trimScale leaves integers alone", () => {
    expect(["100", "1.2300", "5.000", "-0.0", "0.10"].map(trimScale)).toEqual(["100", "1.23", "5", "0", "0.1"]);
  });
});

describe("row encoding and hash", () => {
  test("length-prefixed by UTF-8 bytes; NULL is not ''", () => {
    expect([encodeRow(["1", null]), encodeRow(["1", ""]), encodeRow(["ü", "a:b"]), encodeRow([])]).toEqual([
      "1:1N",
      "1:10:",
      "2:ü3:a:b",
      "",
    ]);
  });

  test("md5's first 64 bits, as PostgreSQL and MySQL compute them", () => {
    // md5('a') = 0cc175b9c0f1b6a8 31c399e269772661
    expect(rowHash64("a")).toBe(0x0cc175b9c0f1b6a8n);
  });

  test("aggregates from every driver become unsigned 64-bit", () => {
    expect([toUint64(-1), toUint64("18446744073709551615"), toUint64(null), toUint64(5n)]).toEqual([
      18446744073709551615n,
      18446744073709551615n,
      0n,
      5n,
    ]);
    expect(() => toUint64("1.5")).toThrow(MigratrixError);
  });
});

describe("parseTableName", () => {
  test.each([
    ["orders", { name: "orders" }],
    ["sales.orders", { schema: "sales", name: "orders" }],
    ['"odd.name"', { name: "odd.name" }],
    ['"my ""s"".x"."t"', { schema: 'my "s".x', name: "t" }],
  ])("%s", (text, out) => {
    expect(parseTableName(text)).toEqual(out);
  });

  test.each(["", "a.b.c", "a.", ".b"])("%p is refused", (text) => {
    expect(() => parseTableName(text)).toThrow(MigratrixError);
  });
});

describe("renderSyncScript", () => {
  const key: DiffColumn[] = [{ name: "id", type: "bigint", cls: "int" }];
  const columns: DiffColumn[] = [
    { name: "name", type: "text", cls: "text" },
    { name: "ok", type: "bool", cls: "bool" },
    { name: "at", type: "timestamptz", cls: "timestamptz" },
    { name: "raw", type: "bytes", cls: "bytes" },
  ];
  const rows: RowDiff[] = [
    { kind: "delete", key: ["3"] },
    { kind: "update", key: ["1"], changes: [{ column: "name", before: "x", after: "it's" }] },
    {
      kind: "insert",
      key: ["2"],
      row: { id: "2", name: "a\\b", ok: "1", at: "2024-01-02T03:04:05.500000", raw: "00ff" },
    },
  ];
  const counts = { inserted: 1, updated: 1, deleted: 1 };
  test.each([
    {
      engine: "postgresql",
      facts: postgresDataDiff,
      sql: [
        `-- data sync for "t": 1 delete(s), 1 update(s), 1 insert(s)`,
        `DELETE FROM "t" WHERE "id" = 3;`,
        `UPDATE "t" SET "name" = 'it''s' WHERE "id" = 1;`,
        `INSERT INTO "t" ("id", "name", "ok", "at", "raw") VALUES (2, E'a\\\\b', true, '2024-01-02T03:04:05.500000Z', decode('00ff', 'hex'));`,
      ],
    },
    {
      engine: "mariadb",
      facts: mysqlDataDiff,
      sql: [
        "-- data sync for `t`: 1 delete(s), 1 update(s), 1 insert(s)",
        "DELETE FROM `t` WHERE `id` = 3;",
        "UPDATE `t` SET `name` = 'it''s' WHERE `id` = 1;",
        "INSERT INTO `t` (`id`, `name`, `ok`, `at`, `raw`) VALUES (2, 'a\\\\b', 1, '2024-01-02 03:04:05.500000', X'00ff');",
      ],
    },
    {
      engine: "sqlite",
      facts: sqliteDataDiff,
      sql: [
        `-- data sync for "t": 1 delete(s), 1 update(s), 1 insert(s)`,
        `DELETE FROM "t" WHERE "id" = 3;`,
        `UPDATE "t" SET "name" = 'it''s' WHERE "id" = 1;`,
        `INSERT INTO "t" ("id", "name", "ok", "at", "raw") VALUES (2, 'a\\b', 1, '2024-01-02 03:04:05.5', X'00ff');`,
      ],
    },
  ])("$engine: statements in the target's dialect", (c) => {
    const out = renderSyncScript({ rows, counts }, { facts: c.facts, table: { name: "t" }, key, columns });
    expect(out).toBe(`${c.sql.join("\n")}\n`);
  });
});
