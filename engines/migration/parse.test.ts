import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { postgresDialect } from "../postgres/dialect.ts";
import { st } from "../sql/testkit.ts";
import { migrationChecksum } from "./checksum.ts";
import { type MigrationFile, parseMigrationFile } from "./parse.ts";

const FILE = "20260101120000_add_users.sql";

function parsed(content: string, fields: Omit<MigrationFile, "id" | "name" | "checksum">): MigrationFile {
  return { id: "20260101120000_add_users", name: "add users", checksum: migrationChecksum(content), ...fields };
}

function failure(content: string): unknown {
  try {
    parseMigrationFile(content, { fileName: FILE });
    return "parsed";
  } catch (err) {
    if (!(err instanceof MigratrixError)) throw err;
    return { code: err.code, message: err.message, detail: err.detail };
  }
}

const FULL = `-- Adds users.
-- migratrix:no-transaction

-- UP
CREATE TABLE users (id int);
CREATE INDEX CONCURRENTLY users_id ON users (id);
-- DOWN
DROP TABLE users;
`;

describe("parseMigrationFile", () => {
  const cases: Array<[string, string, Omit<MigrationFile, "id" | "name" | "checksum">]> = [
    [
      "header, directive, up and down",
      FULL,
      {
        up: "CREATE TABLE users (id int);\nCREATE INDEX CONCURRENTLY users_id ON users (id);\n",
        down: "DROP TABLE users;\n",
        noTransaction: true,
        upStartLine: 5,
        downStartLine: 8,
      },
    ],
    [
      "no markers: all up",
      "CREATE TABLE a (id int);\n",
      { up: "CREATE TABLE a (id int);\n", down: null, noTransaction: false, upStartLine: 1, downStartLine: null },
    ],
    [
      "markers in any case, no space after --, CRLF kept in the sections",
      "-- up\r\nSELECT 1;\r\n--down\r\nSELECT 2;\r\n",
      { up: "SELECT 1;\r\n", down: "SELECT 2;\r\n", noTransaction: false, upStartLine: 2, downStartLine: 4 },
    ],
    [
      "-- DOWN without -- UP: the text before it is up",
      "SELECT 1;\n-- DOWN\nSELECT 2;",
      { up: "SELECT 1;\n", down: "SELECT 2;", noTransaction: false, upStartLine: 1, downStartLine: 3 },
    ],
    [
      "a marker with trailing text is an ordinary comment",
      "-- UP migration\nSELECT 1;\n  -- Down the road\n",
      {
        up: "-- UP migration\nSELECT 1;\n  -- Down the road\n",
        down: null,
        noTransaction: false,
        upStartLine: 1,
        downStartLine: null,
      },
    ],
    [
      "indented markers; a block comment header",
      "/*\n * License; text\n */\n  -- UP  \nSELECT 1;\n\t-- DOWN",
      { up: "SELECT 1;\n", down: "", noTransaction: false, upStartLine: 5, downStartLine: 7 },
    ],
    [
      "directive inside the up section",
      "-- UP\nSELECT 1;\n--MIGRATRIX:No-Transaction\nSELECT 2;",
      {
        up: "SELECT 1;\n--MIGRATRIX:No-Transaction\nSELECT 2;",
        down: null,
        noTransaction: true,
        upStartLine: 2,
        downStartLine: null,
      },
    ],
    [
      "a byte-order mark is dropped from the sections",
      "\uFEFF-- UP\nSELECT 1;\n",
      { up: "SELECT 1;\n", down: null, noTransaction: false, upStartLine: 2, downStartLine: null },
    ],
  ];
  for (const [name, content, want] of cases) {
    test(name, () => {
      expect(parseMigrationFile(content, { fileName: FILE })).toEqual(parsed(content, want));
    });
  }

  test("the checksum covers the whole file, BOM and line ends aside", () => {
    const lf = parseMigrationFile(FULL, { fileName: FILE }).checksum;
    const crlf = parseMigrationFile(`\uFEFF${FULL.replaceAll("\n", "  \r\n")}`, { fileName: FILE }).checksum;
    const editedDown = parseMigrationFile(FULL.replace("DROP TABLE users", "DROP TABLE userz"), { fileName: FILE });
    expect([lf === crlf, lf === editedDown.checksum]).toEqual([true, false]);
  });

  test("section start lines make split positions name file lines", () => {
    const file = parseMigrationFile(`${FULL}SELECT 'oops;\n`, { fileName: FILE });
    expect([
      postgresDialect.split(file.up, { firstLine: file.upStartLine }),
      postgresDialect.split(file.down ?? "", { firstLine: file.downStartLine ?? 1 }),
    ]).toEqual([
      {
        statements: [
          st(1, "CREATE TABLE users (id int)", [5, 1, 0]),
          st(2, "CREATE INDEX CONCURRENTLY users_id ON users (id)", [6, 1, 29], true),
        ],
        problems: [],
      },
      {
        statements: [st(1, "DROP TABLE users", [8, 1, 0])],
        problems: [{ code: "unclosed_quote", message: "unclosed string literal opened at 9:8", line: 9, column: 8 }],
      },
    ]);
  });
});

describe("parseMigrationFile refuses", () => {
  const err = (line: number, column: number, why: string) => ({
    code: "invalid_argument",
    message: `${FILE}:${line}:${column}: ${why}`,
    detail: { file: FILE, line, column },
  });
  const cases: Array<[string, string, unknown]> = [
    [
      "SQL before -- UP",
      "-- fine\n  SELECT 0;\n-- UP\nSELECT 1;",
      err(2, 3, "only comments and blank lines may come before the -- UP marker on line 3"),
    ],
    [
      "an unclosed comment before -- UP",
      "/* x\n-- UP\nSELECT 1;",
      err(1, 1, "only comments and blank lines may come before the -- UP marker on line 2"),
    ],
    ["a second -- UP", "-- UP\nSELECT 1;\n-- up\n", err(3, 1, "second -- UP marker (the first is on line 1)")],
    ["a second -- DOWN", "-- DOWN\n-- DOWN\n", err(2, 1, "second -- DOWN marker (the first is on line 1)")],
    ["-- UP after -- DOWN", "-- DOWN\nx\n-- UP\n", err(3, 1, "-- UP marker after the -- DOWN marker on line 1")],
    [
      "the directive in the down section",
      "-- UP\nSELECT 1;\n-- DOWN\n-- migratrix:no-transaction\n",
      err(4, 1, "-- migratrix:no-transaction belongs in the header or the up section, not the down section"),
    ],
    [
      "an unknown directive",
      "-- migratrix:no-transactions\nSELECT 1;",
      err(1, 1, 'unknown directive "migratrix:no-transactions" (known: migratrix:no-transaction)'),
    ],
  ];
  for (const [name, content, want] of cases) {
    test(name, () => {
      expect(failure(content)).toEqual(want);
    });
  }

  test("a bad file name", () => {
    expect(() => parseMigrationFile("SELECT 1;", { fileName: "notes.sql" })).toThrow(MigratrixError);
  });
});
