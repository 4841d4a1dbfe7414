import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { parseMigrationFileName } from "./filename.ts";

function outcome(fileName: string): unknown {
  try {
    return parseMigrationFileName(fileName);
  } catch (err) {
    if (!(err instanceof MigratrixError)) throw err;
    return { code: err.code, message: err.message };
  }
}

const LOOK = "the name must look like 20260101120000_add_users.sql, V1__init.sql or 001_init.up.sql";
const SAFE = "the name may hold only ASCII letters, digits, '_', '-' and '.' and must start with a letter or digit";
const bad = (fileName: string, why: string) => ({
  code: "invalid_argument",
  message: `migration file ${JSON.stringify(fileName)}: ${why}`,
});

describe("parseMigrationFileName", () => {
  test("accepted names", () => {
    const names = [
      "20260101120000_add_users.sql",
      "V1__init.sql",
      "V1_2__add_orders_table.SQL",
      "V2.1__fix.sql",
      "001_init.up.sql",
      "migrations/2026/20260101_x-y.sql",
      "C:\\m\\003_a__b.sql",
      "20260102000000_add_orders.migration",
    ];
    expect(names.map(outcome)).toEqual([
      { id: "20260101120000_add_users", name: "add users" },
      { id: "V1__init", name: "init" },
      { id: "V1_2__add_orders_table", name: "add orders table" },
      { id: "V2.1__fix", name: "fix" },
      { id: "001_init", name: "init" },
      { id: "20260101_x-y", name: "x-y" },
      { id: "003_a__b", name: "a b" },
      { id: "20260102000000_add_orders", name: "add orders" },
    ]);
  });

  test("refused names say why and name the file", () => {
    const names = [
      "init.sql",
      "20260101.sql",
      "20260101_.sql",
      "20260101_-.sql",
      "001_init.down.sql",
      "001 init.sql",
      "001_ünï.sql",
      "001_x'; DROP TABLE t.sql",
      "001_init.txt",
      "",
      "dir/",
      `001_${"a".repeat(200)}.sql`,
    ];
    expect(names.map(outcome)).toEqual([
      bad("init.sql", LOOK),
      bad("20260101.sql", LOOK),
      bad("20260101_.sql", LOOK),
      bad("20260101_-.sql", "the name has no description after its version"),
      bad("001_init.down.sql", "a .down.sql file is the down half of a pair; name the .up.sql file"),
      bad("001 init.sql", SAFE),
      bad("001_ünï.sql", SAFE),
      bad("001_x'; DROP TABLE t.sql", SAFE),
      bad("001_init.txt", 'the name must end in ".sql" or ".migration"'),
      bad("", 'the name must end in ".sql" or ".migration"'),
      bad("dir/", 'the name must end in ".sql" or ".migration"'),
      bad(`001_${"a".repeat(200)}.sql`, "the name is longer than 200 characters"),
    ]);
  });
});
