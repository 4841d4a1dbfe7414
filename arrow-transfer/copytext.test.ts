// COPY text encoding/decoding and the row checksum, without a server.
import { expect, test } from "bun:test";
import { mapColumnType } from "../engines/schema/typemap.ts";
import { arrowSchema, type Cell, makeBatch, RowChecksum } from "./batch.ts";
import { copyTextPieces, decodeCopyField, escapeCopy, LineSplitter, unescapeCopy } from "./copytext.ts";

const cols = (types: string[]) =>
  arrowSchema(types.map((type, i) => mapColumnType("postgresql", "postgresql", { table: "t", column: `c${i}`, type })));

test("escape and unescape are inverse for tabs, newlines, backslashes and unicode", () => {
  const values = ["plain", "tab\there", "new\nline\r", "back\\slash \\N", "ünïcødé ✓ 😀", ""];
  expect(values.map((v) => unescapeCopy(escapeCopy(v)))).toEqual(values);
  expect(unescapeCopy("\\x41\\101\\b")).toBe("AA\b");
});

test("fields decode to the carried kind", () => {
  const cases: [Parameters<typeof decodeCopyField>[0], string, Cell][] = [
    ["boolean", "t", true],
    ["int32", "-42", -42],
    ["int64", "9223372036854775807", 9223372036854775807n],
    ["float64", "-Infinity", Number.NEGATIVE_INFINITY],
    ["decimal", "123456789012345678901234567890.5", "123456789012345678901234567890.5"],
    ["binary", "\\\\x00ff", new Uint8Array([0, 255])],
    ["text", "a\\tb", "a\tb"],
    ["text", "\\N", null],
  ];
  expect(cases.map(([k, raw]) => decodeCopyField(k, raw))).toEqual(cases.map((c) => c[2]));
});

test("a batch renders as COPY text that parses back to the same cells; lines split across chunks", () => {
  const schema = cols(["bigint", "text", "bytea", "boolean", "double precision"]);
  const data: Cell[][] = [
    [1n, 2n, null],
    ["a\tb", null, "x\\y\nz"],
    [new Uint8Array([1, 2]), null, new Uint8Array([])],
    [true, false, null],
    [1.5, Number.NaN, null],
  ];
  const text = [...copyTextPieces(makeBatch(schema, data, 3), 8)].join("");
  expect(text).toBe("1\ta\\tb\t\\\\x0102\tt\t1.5\n2\t\\N\t\\N\tf\tNaN\n\\N\tx\\\\y\\nz\t\\\\x\t\\N\t\\N\n");
  const split = new LineSplitter();
  const bytes = new TextEncoder().encode(text);
  const lines = [...split.push(bytes.subarray(0, 7)), ...split.push(bytes.subarray(7))];
  const kinds = ["int64", "text", "binary", "boolean", "float64"] as const;
  const back = lines.map((l) => l.split("\t").map((f, i) => decodeCopyField(kinds[i] ?? "text", f)));
  expect(back).toEqual([0, 1, 2].map((r) => data.map((c) => c[r] ?? null)));
  expect(split.leftover()).toBe(0);
});

test("the row checksum ignores row order and batch boundaries, and sees every difference", () => {
  const schema = cols(["integer", "jsonb"]);
  const sum = (rows: [number, string][], per: number) => {
    const c = new RowChecksum();
    for (let i = 0; i < rows.length; i += per) {
      const part = rows.slice(i, i + per);
      c.addBatch(makeBatch(schema, [part.map((r) => r[0]), part.map((r) => r[1])], part.length));
    }
    return c.hex();
  };
  const rows: [number, string][] = [
    [1, '{"a": 1, "b": 2}'],
    [2, "[1, 2]"],
    [3, '{"x": null}'],
  ];
  const reordered: [number, string][] = [
    [3, '{"x":null}'],
    [1, '{"b":2,"a":1}'],
    [2, "[1,2]"],
  ];
  expect(sum(reordered, 2)).toBe(sum(rows, 3));
  expect(sum([...rows.slice(0, 2), [3, '{"x": 0}']], 3)).not.toBe(sum(rows, 3));
  expect(sum([...rows, rows[0] as [number, string]], 3)).not.toBe(sum(rows, 3));
});
