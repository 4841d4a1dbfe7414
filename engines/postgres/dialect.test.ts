import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import { generatedScript, goldenSplitCases, ownSegmentCases, pr, splitCases, st } from "../sql/testkit.ts";
import { postgresDialect } from "./dialect.ts";
import { POSTGRES_OWN_SEGMENT_CASES } from "./own-segment-cases.ts";

const FN =
  "CREATE FUNCTION f() RETURNS int AS $body$\nBEGIN\n  RETURN 1; -- $$ inside\nEND;\n$body$ LANGUAGE plpgsql;\nSELECT $$a;b$$;";
const ATOMIC =
  "CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND;\nBEGIN;\nCOMMIT;";
const ESTRINGS = "SELECT E'it\\'s; fine', e'\\\\';\nSELECT 'a\\'; SELECT 2;";
const RULE = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\nSELECT 1;";

describe("postgresDialect.split", () => {
  splitCases(postgresDialect, [
    { name: "empty input", sql: "", want: { statements: [], problems: [] } },
    { name: "comments and empty statements only", sql: "-- a\n;;/* b */;\n", want: { statements: [], problems: [] } },
    {
      name: "a final statement without terminator counts",
      sql: "SELECT 1;\nSELECT 2",
      want: { statements: [st(1, "SELECT 1", [1, 1, 0]), st(2, "SELECT 2", [2, 1, 10])], problems: [] },
    },
    {
      name: "surrounding comments are trimmed, inner text kept byte-exact",
      sql: "-- head\n/* c */ SELECT 1 /* in */ + 2 -- tail\n;",
      want: { statements: [st(1, "SELECT 1 /* in */ + 2", [2, 9, 16])], problems: [] },
    },
    {
      name: "multi-line statements",
      sql: "CREATE TABLE t (\n  id int,\n  name text\n);\n\nINSERT INTO t VALUES (1, 'a;b');",
      want: {
        statements: [
          st(1, "CREATE TABLE t (\n  id int,\n  name text\n)", [1, 1, 0]),
          st(2, "INSERT INTO t VALUES (1, 'a;b')", [6, 1, 43]),
        ],
        problems: [],
      },
    },
    {
      name: "CRLF line ends",
      sql: "SELECT 1;\r\nSELECT\r\n  2;\r\n",
      want: { statements: [st(1, "SELECT 1", [1, 1, 0]), st(2, "SELECT\r\n  2", [2, 1, 11])], problems: [] },
    },
    {
      name: "a lone CR ends a line",
      sql: "SELECT 1;\rSELECT 2;",
      want: { statements: [st(1, "SELECT 1", [1, 1, 0]), st(2, "SELECT 2", [2, 1, 10])], problems: [] },
    },
    {
      name: "columns count code points, offsets UTF-16 units",
      sql: "SELECT '😀😀'; SELECT 2;",
      want: { statements: [st(1, "SELECT '😀😀'", [1, 1, 0]), st(2, "SELECT 2", [1, 14, 15])], problems: [] },
    },
    {
      name: "a byte-order mark is skipped and takes no column",
      sql: "\uFEFFSELECT 1;",
      want: { statements: [st(1, "SELECT 1", [1, 1, 1])], problems: [] },
    },
    {
      name: "dollar-quoted bodies keep their semicolons, $$ inside $body$",
      sql: FN,
      want: {
        statements: [st(1, FN.slice(0, FN.indexOf(";\nSELECT $$")), [1, 1, 0]), st(2, "SELECT $$a;b$$", [6, 1, 103])],
        problems: [],
      },
    },
    {
      name: "$1 parameters are not tags, a$$b is one identifier",
      sql: "SELECT $1, a$$b FROM t; SELECT $2::int;",
      want: {
        statements: [st(1, "SELECT $1, a$$b FROM t", [1, 1, 0]), st(2, "SELECT $2::int", [1, 25, 24])],
        problems: [],
      },
    },
    {
      name: "E strings take backslash escapes, standard strings do not",
      sql: ESTRINGS,
      want: {
        statements: [
          st(1, String.raw`SELECT E'it\'s; fine', e'\\'`, [1, 1, 0]),
          st(2, String.raw`SELECT 'a\'`, [2, 1, 30]),
          st(3, "SELECT 2", [2, 14, 43]),
        ],
        problems: [],
      },
    },
    {
      name: "doubled quotes in strings and identifiers",
      sql: `SELECT 'it''s;' AS "a""b;"; SELECT 2`,
      want: {
        statements: [st(1, `SELECT 'it''s;' AS "a""b;"`, [1, 1, 0]), st(2, "SELECT 2", [1, 29, 28])],
        problems: [],
      },
    },
    {
      name: "U& strings and identifiers",
      sql: String.raw`SELECT U&'d\0061t;a' AS U&"i;d"; SELECT 2`,
      want: {
        statements: [st(1, String.raw`SELECT U&'d\0061t;a' AS U&"i;d"`, [1, 1, 0]), st(2, "SELECT 2", [1, 34, 33])],
        problems: [],
      },
    },
    {
      name: "nested block comments",
      sql: "/* a /* b; */ c; */ SELECT 1;",
      want: { statements: [st(1, "SELECT 1", [1, 21, 20])], problems: [] },
    },
    {
      name: "semicolons inside parentheses (CREATE RULE … DO ALSO (…; …))",
      sql: RULE,
      want: {
        statements: [st(1, RULE.slice(0, RULE.indexOf(";\nSELECT 1")), [1, 1, 0]), st(2, "SELECT 1", [2, 1, 94])],
        problems: [],
      },
    },
    {
      name: "BEGIN ATOMIC function bodies; BEGIN; elsewhere is a transaction statement",
      sql: ATOMIC,
      want: {
        statements: [
          st(1, ATOMIC.slice(0, ATOMIC.indexOf(";\nBEGIN;")), [1, 1, 0]),
          st(2, "BEGIN", [6, 1, 135]),
          st(3, "COMMIT", [7, 1, 142]),
        ],
        problems: [],
      },
    },
    {
      name: "a psql meta-command is ordinary text (the server rejects it)",
      sql: "\\set x 1\nSELECT 1;",
      want: { statements: [st(1, "\\set x 1\nSELECT 1", [1, 1, 0])], problems: [] },
    },
  ]);
});

describe("postgresDialect.split problems", () => {
  splitCases(postgresDialect, [
    {
      name: "unclosed string: earlier statements kept, nothing guessed after",
      sql: "SELECT 1;\nSELECT 'abc;\nSELECT 2;",
      want: {
        statements: [st(1, "SELECT 1", [1, 1, 0])],
        problems: [pr("unclosed_quote", "unclosed string literal opened at 2:8", 2, 8)],
      },
    },
    {
      name: "unclosed E string (escaped final quote)",
      sql: String.raw`SELECT E'abc\';`,
      want: { statements: [], problems: [pr("unclosed_quote", "unclosed string literal opened at 1:8", 1, 8)] },
    },
    {
      name: "unclosed quoted identifier",
      sql: 'SELECT 1;\n  SELECT "a;',
      want: {
        statements: [st(1, "SELECT 1", [1, 1, 0])],
        problems: [pr("unclosed_identifier", "unclosed quoted identifier opened at 2:10", 2, 10)],
      },
    },
    {
      name: "unclosed nested comment points at the outer opener",
      sql: "/* a /* b */ SELECT 1;",
      want: { statements: [], problems: [pr("unclosed_comment", "unclosed block comment opened at 1:1", 1, 1)] },
    },
    {
      name: "unclosed dollar quote names its tag",
      sql: "SELECT 1;\nCREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1;\n$$ LANGUAGE sql;",
      want: {
        statements: [st(1, "SELECT 1", [1, 1, 0])],
        problems: [pr("unclosed_dollar_quote", "unclosed dollar-quoted string $body$ opened at 2:36", 2, 36)],
      },
    },
    {
      name: "unclosed parenthesis",
      sql: "SELECT 1;\nSELECT (1;\nSELECT 2;",
      want: {
        statements: [st(1, "SELECT 1", [1, 1, 0])],
        problems: [pr("unclosed_block", "unclosed parenthesis opened at 2:8", 2, 8)],
      },
    },
    {
      name: "unclosed BEGIN ATOMIC",
      sql: "CREATE PROCEDURE p() LANGUAGE sql\nBEGIN ATOMIC\n  INSERT INTO t VALUES (1);\n",
      want: { statements: [], problems: [pr("unclosed_block", "unclosed BEGIN … END block opened at 2:1", 2, 1)] },
    },
    {
      name: "Unicode before an unclosed string counts code points",
      sql: "SELECT '😀', 'x",
      want: { statements: [], problems: [pr("unclosed_quote", "unclosed string literal opened at 1:13", 1, 13)] },
    },
  ]);

  test("firstLine shifts lines of statements and problems; offsets stay relative", () => {
    expect(postgresDialect.split("SELECT 1;\n  SELECT 'x", { firstLine: 10 })).toEqual({
      statements: [st(1, "SELECT 1", [10, 1, 0])],
      problems: [pr("unclosed_quote", "unclosed string literal opened at 11:10", 11, 10)],
    });
  });
});

describe("postgresDialect ownSegment", () => {
  ownSegmentCases(postgresDialect, POSTGRES_OWN_SEGMENT_CASES);
});

describe("postgresDialect quoting", () => {
  test("quoteIdent doubles quotes", () => {
    expect(["users", 'we"ird', "Mixed Case", "ünï"].map(postgresDialect.quoteIdent)).toEqual([
      '"users"',
      '"we""ird"',
      '"Mixed Case"',
      '"ünï"',
    ]);
  });
  test("quoteIdent rejects NUL bytes and empty names", () => {
    expect(() => postgresDialect.quoteIdent("a\0b")).toThrow(
      new MigratrixError("invalid_argument", 'identifier "a\\u0000b" contains a NUL byte at index 1'),
    );
    expect(() => postgresDialect.quoteIdent("")).toThrow(new MigratrixError("invalid_argument", "identifier is empty"));
  });
  test("quoteLiteral doubles quotes; a backslash makes an E'' literal", () => {
    expect(["plain", "it's", "back\\slash 'q'"].map(postgresDialect.quoteLiteral)).toEqual([
      "'plain'",
      "'it''s'",
      "E'back\\\\slash ''q'''",
    ]);
  });
  test("quoteLiteral rejects NUL bytes without echoing the value", () => {
    expect(() => postgresDialect.quoteLiteral("secret\0")).toThrow(
      new MigratrixError("invalid_argument", "string literal contains a NUL byte at index 6"),
    );
  });
});

test("splits a generated 10k-statement file", () => {
  const sql = generatedScript(10_000, (i) => `INSERT INTO t VALUES (${i}, 'a;b', $$x;y$$); -- row ${i}`);
  const result = postgresDialect.split(sql);
  expect({ count: result.statements.length, problems: result.problems, last: result.statements.at(-1) }).toEqual({
    count: 10_000,
    problems: [],
    last: st(10_000, "INSERT INTO t VALUES (9999, 'a;b', $$x;y$$)", [10_000, 1, sql.lastIndexOf("INSERT")]),
  });
});

goldenSplitCases(join(import.meta.dir, "golden"), postgresDialect);

test("onStatement sees each statement as it is complete, in order, also before a split problem", () => {
  const sql = `${FN}\n${ATOMIC}\nSELECT 'never closed;`;
  const seen: string[] = [];
  const split = postgresDialect.split(sql, {
    firstLine: 3,
    onStatement: (s) => {
      // Called before the split returns: nothing after this statement has been read yet.
      seen.push(`${s.index}@${s.start.line}:${s.text.slice(0, 12)}`);
    },
  });
  expect(split.problems.map((p) => p.code)).toEqual(["unclosed_quote"]);
  expect(seen).toEqual(split.statements.map((s) => `${s.index}@${s.start.line}:${s.text.slice(0, 12)}`));
  expect(seen.length).toBe(5);
});
