// The risk reports' line index answers every offset as the splitter's locator does (statements and
// findings are placed by one or the other), on texts with every kind of line end and code point.
import { describe, expect, test } from "bun:test";
import { createLocator } from "../sql/locator.ts";
import { byteToCharMapper, createTextIndex } from "./text.ts";

function agree(src: string, firstLine = 1): void {
  const index = createTextIndex(src, firstLine);
  const locate = createLocator(src);
  for (let offset = 0; offset <= src.length; offset++) {
    const want = locate(offset);
    expect({ offset, ...index.position(offset) }).toEqual({
      offset,
      line: want.line + firstLine - 1,
      column: want.column,
    });
  }
}

describe("createTextIndex", () => {
  test.each([
    ["empty", ""],
    ["one line", "SELECT 1;"],
    ["LF", "SELECT 1;\nSELECT 2;\n\nSELECT 3;"],
    ["CRLF", "SELECT 1;\r\nSELECT 2;\r\n\r\n"],
    ["lone CR", "SELECT 1;\rSELECT 2;\r\rx"],
    ["mixed", "a\r\nb\rc\nd\n\r\n\r"],
    ["byte-order mark", "\ufeffSELECT 1;\n\ufeffx"],
    ["surrogate pairs", "SELECT '😀😀';\n'𝄞' x"],
    ["lone surrogates", "a\udc00b\nc\ud800d\n\ud800\nx\udc00"],
    ["ends in a newline", "x\n"],
  ])("%s", (_name, src) => {
    agree(src);
    agree(src, 7);
  });

  test("random texts", () => {
    const alphabet = ["a", " ", ";", "\n", "\r", "\r\n", "\ufeff", "😀", "\ud800", "\udc00", "é", "-"];
    let seed = 12345;
    const next = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let n = 0; n < 300; n++) {
      let src = "";
      const length = next() % 40;
      for (let i = 0; i < length; i++) src += alphabet[next() % alphabet.length];
      agree(src, 1 + (n % 3));
    }
  });

  test("an offset outside the text is clamped to it", () => {
    const index = createTextIndex("ab\ncd");
    expect(index.position(-5)).toEqual({ line: 1, column: 1 });
    expect(index.position(99)).toEqual({ line: 2, column: 3 });
  });
});

describe("byteToCharMapper", () => {
  test("the identity on ASCII, code units of UTF-8 bytes otherwise", () => {
    expect([0, 3, 10].map(byteToCharMapper("SELECT 1;"))).toEqual([0, 3, 10]);
    const map = byteToCharMapper("é😀x");
    // é: bytes 0–1, 😀: bytes 2–5 (two code units, 1–2), x: byte 6.
    expect([0, 1, 2, 5, 6, 7].map(map)).toEqual([0, 0, 1, 1, 3, 4]);
  });
});
