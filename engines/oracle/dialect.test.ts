import { describe, expect, test } from "bun:test";
import { oracleDialect } from "./dialect.ts";

const texts = (sql: string) => oracleDialect.split(sql).statements.map((s) => s.text);

describe("Oracle splitting", () => {
  test("PL/SQL units keep their ';' and end at a / line", () => {
    const sql =
      "CREATE OR REPLACE PROCEDURE p AS\nBEGIN\n  DELETE FROM t;\n  COMMIT;\nEND;\n/\n" +
      "BEGIN\n  EXECUTE IMMEDIATE 'DROP TABLE x';\nEND;\n/\nCREATE TABLE a (id NUMBER);\nSELECT 1 FROM dual\n/\n";
    expect(texts(sql)).toEqual([
      "CREATE OR REPLACE PROCEDURE p AS\nBEGIN\n  DELETE FROM t;\n  COMMIT;\nEND;",
      "BEGIN\n  EXECUTE IMMEDIATE 'DROP TABLE x';\nEND;",
      "CREATE TABLE a (id NUMBER)",
      "SELECT 1 FROM dual",
    ]);
  });
  test("q'[…]' literals, \"x\" identifiers and comments hold ';' and '/'", () => {
    expect(
      texts("SELECT q'[it's; ok]', nq'{a;}' FROM dual; SELECT \"a;b\" FROM t -- ;\n;\n/* ;\n/\n*/ SELECT 3 FROM dual"),
    ).toEqual(["SELECT q'[it's; ok]', nq'{a;}' FROM dual", 'SELECT "a;b" FROM t', "SELECT 3 FROM dual"]);
  });
  test("an unclosed literal is a problem at its place", () => {
    expect(oracleDialect.split("SELECT 1 FROM dual;\nSELECT q'[x FROM dual").problems).toEqual([
      { code: "unclosed_quote", message: "unclosed q'…' literal opened at 2:8", line: 2, column: 8 },
    ]);
  });
});
