import { describe, expect, test } from "bun:test";
import { clickHouseDialect } from "./dialect.ts";

const texts = (sql: string) => clickHouseDialect.split(sql).statements.map((s) => s.text);

describe("ClickHouse splitting", () => {
  test("';' ends statements outside strings, identifiers, comments and parentheses", () => {
    expect(texts("SELECT 'a\\';b', `c;d`, \"e;\" FROM t; -- ;\nSELECT [1, 2] /* ; */; SELECT (1;2)")).toEqual([
      "SELECT 'a\\';b', `c;d`, \"e;\" FROM t",
      "SELECT [1, 2]",
      "SELECT (1;2)",
    ]);
  });
  test("unclosed quote", () => {
    expect(clickHouseDialect.split("SELECT 1;\nSELECT 'x\\'").problems).toEqual([
      { code: "unclosed_quote", message: "unclosed string literal opened at 2:8", line: 2, column: 8 },
    ]);
  });
  test("quoting", () => {
    expect(clickHouseDialect.quoteIdent("a`b")).toBe("`a``b`");
    expect(clickHouseDialect.quoteLiteral("a'b\\c")).toBe("'a\\'b\\\\c'");
  });
});
