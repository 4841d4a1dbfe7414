import { expect, test } from "bun:test";
import { parseCreateIndex, parseCreateTable, splitTopLevel } from "./inspect-sql.ts";

test.each<[string, string, string[]]>([
  ["plain", "a, b,c", ["a", "b", "c"]],
  ["nested parentheses", "a DECIMAL(10, 2), CHECK (x IN (1, 2))", ["a DECIMAL(10, 2)", "CHECK (x IN (1, 2))"]],
  [
    "commas in quotes",
    `a TEXT DEFAULT 'x, y', "b,c" INT, [d,e] INT, \`f,g\` INT`,
    ["a TEXT DEFAULT 'x, y'", '"b,c" INT', "[d,e] INT", "`f,g` INT"],
  ],
  ["doubled quotes", `a TEXT DEFAULT 'it''s, here', b`, ["a TEXT DEFAULT 'it''s, here'", "b"]],
])("splitTopLevel: %s", (_name, text, parts) => {
  expect(splitTopLevel(text)).toEqual(parts);
});

test.each<[string, string, ReturnType<typeof parseCreateTable>]>([
  [
    "column parts, named and unnamed checks, options",
    `CREATE TABLE "t" (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      "Name" TEXT COLLATE NoCase CONSTRAINT name_len CHECK (length("Name") < 10) DEFAULT 'a,b',
      v INT GENERATED ALWAYS AS (id * 2) VIRTUAL, -- a comment, with a comma
      s INT AS (id + 1) STORED,
      CONSTRAINT pos CHECK (id > 0),
      CHECK (s <> 0),
      CONSTRAINT fk_v FOREIGN KEY (v, "Name") REFERENCES u (a, b)
    ) WITHOUT ROWID, STRICT`,
    {
      columns: [
        { name: "id", autoIncrement: true, checks: [] },
        { name: "Name", collation: "NoCase", checks: [{ name: "name_len", expression: 'length("Name") < 10' }] },
        { name: "v", generated: { expression: "id * 2", stored: false }, checks: [] },
        { name: "s", generated: { expression: "id + 1", stored: true }, checks: [] },
      ],
      checks: [{ name: "pos", expression: "id > 0" }, { expression: "s <> 0" }],
      foreignKeyNames: new Map([["v,Name", "fk_v"]]),
      withoutRowid: true,
      strict: true,
    },
  ],
  [
    "a column named like a keyword is still a column when quoted",
    `CREATE TABLE t ("check" INT, [primary] TEXT)`,
    {
      columns: [
        { name: "check", checks: [] },
        { name: "primary", checks: [] },
      ],
      checks: [],
      foreignKeyNames: new Map(),
      withoutRowid: false,
      strict: false,
    },
  ],
])("parseCreateTable: %s", (_name, sql, parsed) => {
  expect(parseCreateTable(sql)).toEqual(parsed);
});

test.each<[string, string, ReturnType<typeof parseCreateIndex>]>([
  ["plain keys", "CREATE INDEX i ON t (a, b)", { keys: ["a", "b"] }],
  [
    "expressions, order, collation and a predicate",
    "CREATE UNIQUE INDEX i ON t (lower(a) DESC, b COLLATE NOCASE ASC) WHERE a IS NOT NULL AND b > 0",
    { keys: ["lower(a)", "b"], where: "a IS NOT NULL AND b > 0" },
  ],
])("parseCreateIndex: %s", (_name, sql, parsed) => {
  expect(parseCreateIndex(sql)).toEqual(parsed);
});
