import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import { generatedScript, goldenSplitCases, ownSegmentCases, pr, splitCases, st } from "../sql/testkit.ts";
import { sqliteDialect } from "./dialect.ts";

const TRIGGER =
  "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE c SET n = CASE WHEN n > 0 THEN n + 1 ELSE 1 END;\n  INSERT INTO log VALUES ('x;');\nEND";

describe("sqliteDialect.split", () => {
  splitCases(sqliteDialect, [
    { name: "empty input", sql: " \n;\n", want: { statements: [], problems: [] } },
    {
      name: "trigger body keeps its semicolons; CASE … END inside does not end it",
      sql: `${TRIGGER};\nSELECT 1;`,
      want: { statements: [st(1, TRIGGER, [1, 1, 0]), st(2, "SELECT 1", [5, 1, 138])], problems: [] },
    },
    {
      name: "[…], \"…\" and `…` identifiers and '…' strings hide semicolons",
      sql: "SELECT [a;b], \"c;d\", `e;f`, 'g;h' FROM t; SELECT 2",
      want: {
        statements: [st(1, "SELECT [a;b], \"c;d\", `e;f`, 'g;h' FROM t", [1, 1, 0]), st(2, "SELECT 2", [1, 43, 42])],
        problems: [],
      },
    },
    {
      name: "block comments do not nest",
      sql: "/* a /* b */ SELECT 1;",
      want: { statements: [st(1, "SELECT 1", [1, 14, 13])], problems: [] },
    },
    {
      name: "BEGIN TRANSACTION is a plain statement; a table named trigger_log is not a trigger",
      sql: "BEGIN TRANSACTION;\nCREATE TABLE trigger_log (x);\nCOMMIT;",
      want: {
        statements: [
          st(1, "BEGIN TRANSACTION", [1, 1, 0]),
          st(2, "CREATE TABLE trigger_log (x)", [2, 1, 19]),
          st(3, "COMMIT", [3, 1, 49]),
        ],
        problems: [],
      },
    },
    {
      name: "a trigger that ends the input without ';' is complete",
      sql: "SELECT 1;\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END",
      want: {
        statements: [
          st(1, "SELECT 1", [1, 1, 0]),
          st(2, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END", [2, 1, 10]),
        ],
        problems: [],
      },
    },
  ]);
});

describe("sqliteDialect.split problems", () => {
  splitCases(sqliteDialect, [
    {
      name: "trigger body never closed points at BEGIN",
      sql: "SELECT 1;\nCREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  SELECT 1;\n",
      want: {
        statements: [st(1, "SELECT 1", [1, 1, 0])],
        problems: [pr("unclosed_block", "unclosed BEGIN … END block opened at 2:37", 2, 37)],
      },
    },
    {
      name: "trigger without a body points at CREATE",
      sql: "SELECT 1;\r\n  CREATE TEMP TRIGGER tr AFTER INSERT ON t",
      want: {
        statements: [st(1, "SELECT 1", [1, 1, 0])],
        problems: [pr("unclosed_block", "unclosed CREATE TRIGGER … END block opened at 2:3", 2, 3)],
      },
    },
    {
      name: "unclosed [identifier]",
      sql: "SELECT [a;",
      want: { statements: [], problems: [pr("unclosed_identifier", "unclosed quoted identifier opened at 1:8", 1, 8)] },
    },
    {
      name: "unclosed string (backslash is no escape)",
      sql: "SELECT 'a\\';\nSELECT 'b",
      want: {
        statements: [st(1, "SELECT 'a\\'", [1, 1, 0])],
        problems: [pr("unclosed_quote", "unclosed string literal opened at 2:8", 2, 8)],
      },
    },
    {
      name: "unclosed comment",
      sql: "SELECT 1 /* x;",
      want: { statements: [], problems: [pr("unclosed_comment", "unclosed block comment opened at 1:10", 1, 10)] },
    },
  ]);
});

describe("sqliteDialect ownSegment", () => {
  ownSegmentCases(sqliteDialect, [
    ["VACUUM", true],
    ["VACUUM INTO 'copy.db'", true],
    ["PRAGMA journal_mode = WAL", true],
    ["PRAGMA main.journal_mode=WAL", true],
    ['PRAGMA "main".foreign_keys = ON', true],
    ["pragma Foreign_Keys", true],
    ["PRAGMA user_version = 3", false],
    ["ATTACH DATABASE 'x.db' AS x", false],
    ["DETACH x", false],
    ["SELECT 'VACUUM'", false],
    ["CREATE TABLE t (a)", false],
  ]);
});

describe("sqlite quoting", () => {
  test("quoteIdent doubles double quotes", () => {
    expect(["t", 'a"b', "[x]"].map(sqliteDialect.quoteIdent)).toEqual(['"t"', '"a""b"', '"[x]"']);
  });
  test("quoteIdent rejects NUL bytes", () => {
    expect(() => sqliteDialect.quoteIdent("\0")).toThrow(
      new MigratrixError("invalid_argument", 'identifier "\\u0000" contains a NUL byte at index 0'),
    );
  });
  test("quoteLiteral doubles quotes and leaves backslashes alone", () => {
    expect(["it's", "C:\\dir"].map(sqliteDialect.quoteLiteral)).toEqual(["'it''s'", "'C:\\dir'"]);
  });
  test("quoteLiteral rejects NUL bytes", () => {
    expect(() => sqliteDialect.quoteLiteral("a\0")).toThrow(
      new MigratrixError("invalid_argument", "string literal contains a NUL byte at index 1"),
    );
  });
});

test("splits a generated 10k-statement file", () => {
  const sql = generatedScript(10_000, (i) => `INSERT INTO [t;] VALUES (${i}, 'a;b'); /* row ${i} */`);
  const result = sqliteDialect.split(sql);
  expect({ count: result.statements.length, problems: result.problems, last: result.statements.at(-1) }).toEqual({
    count: 10_000,
    problems: [],
    last: st(10_000, "INSERT INTO [t;] VALUES (9999, 'a;b')", [10_000, 1, sql.lastIndexOf("INSERT")]),
  });
});

goldenSplitCases(join(import.meta.dir, "golden"), sqliteDialect);
