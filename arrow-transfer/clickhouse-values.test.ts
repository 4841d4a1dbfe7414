// ClickHouse values without a server (runs on CI): URLs, TabSeparated escaping of every carried kind,
// the reverse, arrays, and the 18.16 quirks (epoch printed as zeros, whole-second DateTime).
import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import type { CarriedKind } from "../engines/schema/typemap.ts";
import type { Cell } from "./batch.ts";
import { openClickhouse } from "./clickhouse.ts";
import {
  fromTsvField,
  jsonArrayToLiteral,
  literalArrayToJson,
  parseClickhouseUrl,
  printedText,
  tsvField,
} from "./clickhouse-values.ts";

const where = () => "t.c";
const text = (v: string | Uint8Array) => (typeof v === "string" ? v : Buffer.from(v).toString("latin1"));

function errorOf(f: () => unknown): MigratrixError {
  try {
    f();
  } catch (e) {
    return MigratrixError.from(e);
  }
  throw new Error("expected an error");
}

describe("parseClickhouseUrl", () => {
  test("user, password, host, port, database and options; the display form has no password", () => {
    expect(parseClickhouseUrl("clickhouse://bob:p%40ss@10.0.0.1:9123/sales?mutation_timeout_ms=5000")).toEqual({
      http: "http://10.0.0.1:9123",
      user: "bob",
      password: "p@ss",
      database: "sales",
      display: "clickhouse://bob@10.0.0.1:9123/sales",
      mutationTimeoutMs: 5000,
    });
    expect(parseClickhouseUrl("clickhouse://h?secure=1")).toEqual({
      http: "https://h:8123",
      user: "default",
      password: "",
      database: "default",
      display: "clickhouse://default@h:8123/default",
      mutationTimeoutMs: 120_000,
    });
  });

  test("bad URLs say what is wrong without echoing the password", () => {
    const cases: [string, string][] = [
      [
        "clickhouse://u:secret@h/db?compress=1",
        "unknown clickhouse:// URL parameter compress (known: secure, mutation_timeout_ms)",
      ],
      [
        "clickhouse://u:secret@h/db?mutation_timeout_ms=0",
        "mutation_timeout_ms must be a positive integer (clickhouse://u@h:8123/db)",
      ],
      ["clickhouse://u:secret@h/a/b", "bad database name in clickhouse://u@h:8123/a/b"],
      ["not a url secret", "not a valid clickhouse:// URL (clickhouse://user:pass@host:8123/db)"],
    ];
    expect(cases.map(([u]) => errorOf(() => parseClickhouseUrl(u)).message)).toEqual(cases.map(([, m]) => m));
  });

  test("an unreachable server: unavailable, named without its password", async () => {
    let err: MigratrixError | undefined;
    try {
      await openClickhouse("clickhouse://bob:s3cret@127.0.0.1:1/db");
    } catch (e) {
      err = MigratrixError.from(e);
    }
    expect([err?.code, err?.message]).toEqual([
      "unavailable",
      "cannot open clickhouse://bob@127.0.0.1:1/db: ClickHouse query failed: connect ECONNREFUSED 127.0.0.1:1",
    ]);
  });
});

describe("tsvField", () => {
  const cases: [CarriedKind, Cell, string, string][] = [
    ["text", null, "Nullable(String)", "\\N"],
    ["text", "a\tb\nc\\d\re 'ünï' 😀", "String", "a\\tb\\nc\\\\d\\re 'ünï' 😀"],
    ["boolean", true, "UInt8", "1"],
    ["int16", -5, "Int16", "-5"],
    ["int64", -9223372036854775808n, "Int64", "-9223372036854775808"],
    ["decimal", "18446744073709551615", "UInt64", "18446744073709551615"],
    ["decimal", "-0.001", "Decimal(10, 3)", "-0.001"],
    ["float64", Number.NaN, "Float64", "nan"],
    ["float64", Number.NEGATIVE_INFINITY, "Float64", "-inf"],
    ["float32", 1.5, "Float32", "1.5"],
    ["uuid", "C81E728D-9D4C-2F63-6F06-7F89CC14862C", "UUID", "c81e728d-9d4c-2f63-6f06-7f89cc14862c"],
    ["date", "2024-02-29", "Date", "2024-02-29"],
    ["timestamp", "2024-01-01 10:00:00.123456", "DateTime('UTC')", "2024-01-01 10:00:00"],
    ["timestamptz", "2024-06-01 10:02:00+00", "Nullable(DateTime('UTC'))", "2024-06-01 10:02:00"],
    ["timestamp", "2024-01-01 10:00:00.5", "String", "2024-01-01 10:00:00.5"],
    ["enum", "it's \\ fine", "Enum8('it\\'s \\\\ fine' = 1)", "it's \\\\ fine"],
    ["array", "[1,null,-2]", "Array(Nullable(Int32))", "[1,NULL,-2]"],
    ["array", '["a\'b",null,"x\\ty"]', "Array(Nullable(String))", "['a\\'b',NULL,'x\\ty']"],
    ["array", "[]", "Array(Nullable(Int64))", "[]"],
    ["array", "[true,null]", "String", "[true,null]"],
    ["binary", new Uint8Array([0x00, 0x5c, 0x09, 0x0a, 0x0d, 0xff]), "String", "\u0000\\\\\\t\\n\\r\u00ff"],
  ];
  for (const [kind, cell, type, expected] of cases) {
    test(`${kind} ${JSON.stringify(String(cell))} → ${type}`, () => {
      expect(text(tsvField(kind, cell, type, where))).toBe(expected);
    });
  }

  test("values ClickHouse cannot hold fail with what and where", () => {
    const msgs = [
      () => tsvField("date", "1969-12-31", "Date", where),
      () => tsvField("timestamp", "2106-01-01 00:00:00", "DateTime('UTC')", where),
      () => tsvField("timestamp", "infinity", "DateTime('UTC')", where),
      () => tsvField("array", null, "Array(Nullable(Int32))", where),
      () => tsvField("array", "[[1,2],[3,4]]", "Array(Nullable(Int32))", where),
    ].map((f) => errorOf(f).message);
    expect(msgs).toEqual([
      "t.c holds date 1969-12-31: ClickHouse's Date holds 1970…2105 only (override the column to String to keep it)",
      "t.c holds timestamp 2106-01-01 00:00:00: ClickHouse's DateTime holds 1970…2105 only (override the column to String to keep it)",
      "t.c holds timestamp infinity, which ClickHouse's DateTime cannot hold (UTC, 1970…2105)",
      "t.c is NULL: ClickHouse arrays cannot be NULL (override the column to String to keep it)",
      "t.c: multi-dimensional array; ClickHouse Array columns take one-dimensional arrays of numbers or text (override the column to String)",
    ]);
  });
});

describe("fromTsvField", () => {
  const cases: [CarriedKind, string, string, Cell][] = [
    ["text", "\\N", "Nullable(String)", null],
    ["text", "a\\tb\\nc\\\\d\\'e", "String", "a\tb\nc\\d'e"],
    ["boolean", "0", "UInt8", false],
    ["int64", "18446744073709551615", "UInt64", 18446744073709551615n],
    ["float64", "-inf", "Float64", Number.NEGATIVE_INFINITY],
    ["binary", "00FF5C", "String", new Uint8Array([0, 255, 0x5c])],
    ["date", "0000-00-00", "Date", "1970-01-01"],
    ["timestamptz", "0000-00-00 00:00:00", "DateTime('UTC')", "1970-01-01 00:00:00+00"],
    ["timestamptz", "2024-06-01 10:02:00+00", "String", "2024-06-01 10:02:00+00"],
    ["array", "['a\\'b',NULL,'x\\ty']", "Array(Nullable(String))", '["a\'b",null,"x\\ty"]'],
    ["array", "[1,NULL,-2]", "Array(Nullable(Int32))", "[1,null,-2]"],
  ];
  for (const [kind, raw, type, expected] of cases) {
    test(`${type} ${raw} → ${kind}`, () => {
      expect(fromTsvField(kind, raw, type, where)).toEqual(expected);
    });
  }

  test("arrays round-trip through the ClickHouse literal", () => {
    const json = '["ünï \\"q\\" \\\\ \\n",null,"",","]';
    expect(literalArrayToJson(jsonArrayToLiteral(json, where), where)).toBe(json);
  });

  test("the epoch as toString() prints it, for clean-up key matches", () => {
    expect([
      printedText("Date", "1970-01-01"),
      printedText("Nullable(DateTime('UTC'))", "1970-01-01 00:00:00"),
      printedText("DateTime('UTC')", "1970-01-01 00:00:01"),
      printedText("String", "1970-01-01"),
    ]).toEqual(["0000-00-00", "0000-00-00 00:00:00", "1970-01-01 00:00:01", "1970-01-01"]);
  });
});
