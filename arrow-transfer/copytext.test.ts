// COPY text encoding/decoding and the row checksum, without a server.
import { expect, test } from "bun:test";
import { makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, Utf8 } from "apache-arrow";
import { mapColumnType } from "../engines/schema/typemap.ts";
import { arrowSchema, type Cell, makeBatch, RowChecksum } from "./batch.ts";
import { copyTextBytes, copyTextPieces, decodeCopyField, escapeCopy, LineSplitter, unescapeCopy } from "./copytext.ts";

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

/** The batch as it arrives from elsewhere (Arrow IPC): buffers only, no JS values kept with it. */
function overTheWire(b: RecordBatch): RecordBatch {
  const [back] = tableFromIPC(tableToIPC(new Table([b]), "stream")).batches;
  if (!back) throw new Error("no batch came back");
  return back;
}

const text = (pieces: Iterable<Uint8Array>) => Buffer.concat([...pieces]).toString("utf8");

test("COPY text written from Arrow buffers equals the text written from the same batch's cells, for every Arrow type", () => {
  const schema = cols(["bigint", "text", "bytea", "boolean", "double precision", "real", "smallint", "integer"]);
  const big = [
    0n,
    -1n,
    9223372036854775807n,
    -9223372036854775808n,
    9007199254740993n,
    -9007199254740992n,
    4294967296n,
    null,
  ];
  const n = big.length;
  const data: Cell[][] = [
    big,
    ["a\tb\\c", "ünï ✓ 😀", "", "line\nbreak\r", null, "\\N", "x".repeat(300), "plain"],
    [
      new Uint8Array([0, 9, 10, 92, 255]),
      new Uint8Array([]),
      null,
      new Uint8Array(100).fill(171),
      null,
      null,
      null,
      null,
    ],
    [true, false, null, true, true, false, false, true],
    [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1e300, -1.7976931348623157e308, null],
    [1.100000023841858, 0, null, -3.4028234663852886e38, 1e-7, 2, 3, 4],
    [-32768, 32767, 0, null, -1, 10, 100, 1000],
    [-2147483648, 2147483647, 0, -10, null, 7, 99999, 123456789],
  ];
  const cached = makeBatch(schema, data, n);
  const wire = overTheWire(cached);
  for (const piece of [8, 64, 1 << 20]) {
    // A float32 over the wire is the 32-bit value (1e-7 → 1.0000000116860974e-7): same batch, same text.
    expect(text(copyTextBytes(wire, piece))).toBe([...copyTextPieces(wire)].join(""));
    expect(text(copyTextBytes(cached, piece))).toBe([...copyTextPieces(cached)].join(""));
  }
  // Pieces end at row ends.
  const pieces = [...copyTextBytes(wire, 64)];
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.every((p) => p[p.length - 1] === 10)).toBe(true);
});

test("a text column that is not valid UTF-8 is written from decoded values (U+FFFD), as before", () => {
  const type = new Utf8();
  const col = makeData({
    type,
    length: 2,
    nullCount: 0,
    valueOffsets: new Int32Array([0, 2, 4]),
    data: new Uint8Array([0x61, 0xff, 0x62, 0x09]),
  });
  const schema = new Schema(cols(["text"]).fields);
  const batch = new RecordBatch(
    schema,
    makeData({ type: new Struct(schema.fields), length: 2, nullCount: 0, children: [col] }),
  );
  expect(text(copyTextBytes(batch))).toBe("a\ufffd\nb\\t\n");
});
