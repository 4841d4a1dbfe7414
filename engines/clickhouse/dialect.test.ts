import { describe, expect, test } from "bun:test";
import { clickHouseDialect, clickHouseTsvBytes, clickHouseTsvField } from "./dialect.ts";

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
  test("TabSeparated fields: backslash, tab, LF and CR escaped, in text and in raw bytes", () => {
    expect(clickHouseTsvField("a\tb\nc\rd\\e 'ü'")).toBe("a\\tb\\nc\\rd\\\\e 'ü'");
    expect([...clickHouseTsvBytes(new Uint8Array([0x00, 0x5c, 0x09, 0x0a, 0x0d, 0xff]))]).toEqual([
      0x00, 0x5c, 0x5c, 0x5c, 0x74, 0x5c, 0x6e, 0x5c, 0x72, 0xff,
    ]);
  });
});
