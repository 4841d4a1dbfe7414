import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import {
  generatedScript,
  goldenSplitCases,
  ownSegmentCases,
  pr,
  type SplitCase,
  splitCases,
  st,
} from "../sql/testkit.ts";
import { mariadbDialect, mysqlDialect } from "./dialect.ts";

const TRIGGER_IF = "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW IF NEW.a IS NULL THEN SET NEW.a = 1; END IF";
const EVENT = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; DELETE FROM u; END";
const GENERATED = "CREATE TABLE t (event int, b int AS (CASE WHEN event > 0 THEN 1 END))";
const FUNCTION_IF = "CREATE FUNCTION f(a INT) RETURNS INT DETERMINISTIC RETURN IF(a > 0, 1, 0)";

/** Cases that split the same on MySQL and MariaDB. */
const common: SplitCase[] = [
  { name: "empty input", sql: "", want: { statements: [], problems: [] } },
  {
    name: "# and -- comments; --1 is an expression; -- needs whitespace after it",
    sql: "# c\nSELECT 1; -- c;\nSELECT 1--1;\nSELECT 2 --\tx\n;",
    want: {
      statements: [st(1, "SELECT 1", [2, 1, 4]), st(2, "SELECT 1--1", [3, 1, 20]), st(3, "SELECT 2", [4, 1, 33])],
      problems: [],
    },
  },
  {
    name: "strings with backslash escapes and doubling, backtick identifiers",
    sql: "SELECT 'it\\'s;', 'a''b;', \"x\\\";y\", `we``ird;`; SELECT 2",
    want: {
      statements: [
        st(1, "SELECT 'it\\'s;', 'a''b;', \"x\\\";y\", `we``ird;`", [1, 1, 0]),
        st(2, "SELECT 2", [1, 48, 47]),
      ],
      problems: [],
    },
  },
  {
    name: "DELIMITER $$ around a procedure; END$$ ends at the delimiter",
    sql: "DELIMITER $$\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND$$\nDELIMITER ;\nSELECT 2;",
    want: {
      statements: [st(1, "CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\nEND", [2, 1, 13]), st(2, "SELECT 2", [7, 1, 70])],
      problems: [],
    },
  },
  {
    name: "DELIMITER // with CRLF line ends",
    sql: "DELIMITER //\r\nSELECT 1//\r\nDELIMITER ;\r\nSELECT 2;",
    want: { statements: [st(1, "SELECT 1", [2, 1, 14]), st(2, "SELECT 2", [4, 1, 39])], problems: [] },
  },
  {
    name: "BEGIN; is a transaction statement, not a block",
    sql: "BEGIN;\nINSERT INTO t VALUES (1);\nCOMMIT;",
    want: {
      statements: [
        st(1, "BEGIN", [1, 1, 0]),
        st(2, "INSERT INTO t VALUES (1)", [2, 1, 7]),
        st(3, "COMMIT", [3, 1, 33]),
      ],
      problems: [],
    },
  },
  {
    name: "trigger with a single-statement body",
    sql: "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1;\nSELECT 1;",
    want: {
      statements: [
        st(1, "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1", [1, 1, 0]),
        st(2, "SELECT 1", [2, 1, 64]),
      ],
      problems: [],
    },
  },
  {
    name: "trigger whose body is an IF … END IF without DELIMITER",
    sql: `${TRIGGER_IF};\nSELECT 1;`,
    want: { statements: [st(1, TRIGGER_IF, [1, 1, 0]), st(2, "SELECT 1", [2, 1, 94])], problems: [] },
  },
  {
    name: "event with a BEGIN … END body without DELIMITER",
    sql: `${EVENT};\nSELECT 1;`,
    want: { statements: [st(1, EVENT, [1, 1, 0]), st(2, "SELECT 1", [2, 1, 83])], problems: [] },
  },
  {
    name: "compound statements at the top level (BEGIN NOT ATOMIC, IF)",
    sql: "BEGIN NOT ATOMIC\n  IF 1 THEN SELECT 1; END IF;\nEND;\nIF (SELECT 1) THEN SELECT 1; END IF;\nSELECT 2;",
    want: {
      statements: [
        st(1, "BEGIN NOT ATOMIC\n  IF 1 THEN SELECT 1; END IF;\nEND", [1, 1, 0]),
        st(2, "IF (SELECT 1) THEN SELECT 1; END IF", [4, 1, 52]),
        st(3, "SELECT 2", [5, 1, 89]),
      ],
      problems: [],
    },
  },
  {
    name: "ALTER EVENT … DO BEGIN … END body",
    sql: "ALTER EVENT e DO BEGIN DELETE FROM t; END;\nSELECT 1",
    want: {
      statements: [st(1, "ALTER EVENT e DO BEGIN DELETE FROM t; END", [1, 1, 0]), st(2, "SELECT 1", [2, 1, 43])],
      problems: [],
    },
  },
  {
    name: "EVENT as a column and CASE … END in a table are not blocks",
    sql: `${GENERATED};\nSELECT 1;`,
    want: { statements: [st(1, GENERATED, [1, 1, 0]), st(2, "SELECT 1", [2, 1, 71])], problems: [] },
  },
  {
    name: "IF(…) in a function's RETURN is a call, not a block",
    sql: `${FUNCTION_IF};\nSELECT 1;`,
    want: { statements: [st(1, FUNCTION_IF, [1, 1, 0]), st(2, "SELECT 1", [2, 1, 75])], problems: [] },
  },
  {
    name: "under a custom delimiter the final text counts, ';' included",
    sql: "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1;",
    want: { statements: [st(1, "CREATE PROCEDURE p() BEGIN SELECT 1;", [2, 1, 13])], problems: [] },
  },
];

const problems: SplitCase[] = [
  {
    name: "unclosed BEGIN without DELIMITER",
    sql: "SELECT 1;\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n",
    want: {
      statements: [st(1, "SELECT 1", [1, 1, 0])],
      problems: [pr("unclosed_block", "unclosed BEGIN … END block opened at 3:1", 3, 1)],
    },
  },
  {
    name: "DELIMITER without an argument",
    sql: "SELECT 1;\nDELIMITER\nSELECT 2;",
    want: {
      statements: [st(1, "SELECT 1", [1, 1, 0])],
      problems: [pr("bad_delimiter", "DELIMITER at 2:1 needs an argument", 2, 1)],
    },
  },
  {
    name: "DELIMITER with a backslash",
    sql: "delimiter \\\\\nSELECT 2;",
    want: { statements: [], problems: [pr("bad_delimiter", "DELIMITER at 1:1 must not contain a backslash", 1, 1)] },
  },
  {
    name: "unclosed string with an escaped quote",
    sql: "SELECT 'a\\';",
    want: { statements: [], problems: [pr("unclosed_quote", "unclosed string literal opened at 1:8", 1, 8)] },
  },
  {
    name: "unclosed double-quoted string",
    sql: 'SELECT 1;\nSELECT "a',
    want: {
      statements: [st(1, "SELECT 1", [1, 1, 0])],
      problems: [pr("unclosed_quote", "unclosed string literal opened at 2:8", 2, 8)],
    },
  },
  {
    name: "unclosed backtick identifier",
    sql: "SELECT `a;",
    want: { statements: [], problems: [pr("unclosed_identifier", "unclosed quoted identifier opened at 1:8", 1, 8)] },
  },
  {
    name: "unclosed comment (comments do not nest)",
    sql: "/* a /* b */ SELECT 1; /* c",
    want: {
      statements: [st(1, "SELECT 1", [1, 14, 13])],
      problems: [pr("unclosed_comment", "unclosed block comment opened at 1:24", 1, 24)],
    },
  },
  {
    name: "unclosed executable comment",
    sql: "/*!40101 SET NAMES utf8;",
    want: { statements: [], problems: [pr("unclosed_comment", "unclosed executable comment opened at 1:1", 1, 1)] },
  },
];

for (const [label, dialect] of [
  ["mysqlDialect", mysqlDialect],
  ["mariadbDialect", mariadbDialect],
] as const) {
  describe(`${label}.split`, () => splitCases(dialect, common));
  describe(`${label}.split problems`, () => splitCases(dialect, problems));
  describe(`${label} ownSegment`, () => {
    ownSegmentCases(dialect, [
      ["CREATE INDEX i ON t (a)", false],
      ["OPTIMIZE TABLE t", false],
      ["DROP DATABASE d", false],
    ]);
  });
}

describe("executable comments", () => {
  const sql = "/*!40101 SET NAMES utf8mb4 */;\n/*M!100100 SET @x = 1 */;\n/* plain */;";
  test("MySQL keeps /*! */ and skips /*M! */ as a comment", () => {
    expect(mysqlDialect.split(sql)).toEqual({
      statements: [st(1, "/*!40101 SET NAMES utf8mb4 */", [1, 1, 0])],
      problems: [],
    });
  });
  test("MariaDB keeps both", () => {
    expect(mariadbDialect.split(sql)).toEqual({
      statements: [st(1, "/*!40101 SET NAMES utf8mb4 */", [1, 1, 0]), st(2, "/*M!100100 SET @x = 1 */", [2, 1, 31])],
      problems: [],
    });
  });
});

describe("mysql quoting", () => {
  test("quoteIdent doubles backticks", () => {
    expect(["users", "we`ird", 'dq"'].map(mysqlDialect.quoteIdent)).toEqual(["`users`", "`we``ird`", '`dq"`']);
  });
  test("quoteIdent rejects NUL bytes", () => {
    expect(() => mariadbDialect.quoteIdent("a\0")).toThrow(
      new MigratrixError("invalid_argument", 'identifier "a\\u0000" contains a NUL byte at index 1'),
    );
  });
  test("quoteLiteral escapes backslashes, quotes and control characters", () => {
    expect(["plain", "it's", "C:\\dir", "a\nb\r\0\x1a"].map(mysqlDialect.quoteLiteral)).toEqual([
      "'plain'",
      "'it''s'",
      "'C:\\\\dir'",
      "'a\\nb\\r\\0\\Z'",
    ]);
  });
});

test("splits a generated 10k-statement file", () => {
  const sql = generatedScript(10_000, (i) => `INSERT INTO t VALUES (${i}, 'a;b', "c\\";"); # row ${i}`);
  const result = mysqlDialect.split(sql);
  expect({ count: result.statements.length, problems: result.problems, last: result.statements.at(-1) }).toEqual({
    count: 10_000,
    problems: [],
    last: st(10_000, `INSERT INTO t VALUES (9999, 'a;b', "c\\";")`, [10_000, 1, sql.lastIndexOf("INSERT")]),
  });
});

describe("mysql golden", () => goldenSplitCases(join(import.meta.dir, "golden"), mysqlDialect));
