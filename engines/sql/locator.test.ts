import { expect, test } from "bun:test";
import { createLocator } from "./locator.ts";

test("lines end at LF, CRLF and CR; columns count code points; earlier offsets still answer", () => {
  const src = "\uFEFFab\r\n😀x\ré\ny";
  const locate = createLocator(src);
  // Offsets: BOM 0, a 1, b 2, \r 3, \n 4, 😀 5-6, x 7, \r 8, é 9, \n 10, y 11; the last asks for an earlier one.
  const offsets = [1, 2, 5, 7, 9, 11, 7];
  expect(offsets.map((o) => [o, locate(o)])).toEqual([
    [1, { line: 1, column: 1 }],
    [2, { line: 1, column: 2 }],
    [5, { line: 2, column: 1 }],
    [7, { line: 2, column: 2 }],
    [9, { line: 3, column: 1 }],
    [11, { line: 4, column: 1 }],
    [7, { line: 2, column: 2 }],
  ]);
});
