// COPY text bytes parsed straight into Arrow (copytext-rows.ts) give the cells the line-by-line
// decoder gives (decodeCopyField over LineSplitter), however the stream is cut; bad lines fail.
import { expect, test } from "bun:test";
import type { RecordBatch } from "apache-arrow";
import { mapColumnType } from "../engines/schema/typemap.ts";
import { arrowSchema, type Cell, columnValues, makeBatch } from "./batch.ts";
import { copyTextBytes, copyTextPieces, decodeCopyField, LineSplitter } from "./copytext.ts";
import { copyTextRows } from "./copytext-rows.ts";

const TYPES = [
  "bigint",
  "text",
  "bytea",
  "boolean",
  "double precision",
  "real",
  "smallint",
  "integer",
  "numeric",
  "jsonb",
];
const mappings = TYPES.map((type, i) =>
  mapColumnType("postgresql", "postgresql", { table: "t", column: `c${i}`, type }),
);
const schema = arrowSchema(mappings);
const kinds = mappings.map((m) => m.kind);

const LINES = [
  '1\tplain\t\\\\x00ff0a\tt\t1.5\t1.1\t-32768\t-2147483648\t123456789012345678901234567890.5\t{"a": 1}',
  "-9223372036854775808\ttab\\there\\nnew \\\\ back\t\\\\x\tf\tNaN\tInfinity\t32767\t2147483647\t-0.5\t[]",
  "9223372036854775807\tünï ✓ 😀\t\\N\t\\N\t-Infinity\t-1e-07\t\\N\t0\t\\N\t\\N",
  '9007199254740993\t\\N\t\\\\x5c\tt\t1e+300\t0\t7\t\\N\t0\t{"k": "v\\\\\\\\w"}',
  '\\N\t\t\\\\x\tf\t-0\t3.4028235e+38\t0\t-1\t1\t"s"',
  "4294967296\t\\\\N is text\t\\\\x0102\tt\t0.1\t2\t1\t1\t2\t3",
];

/** The line decoder's cells (what readCopyText made before), column by column. */
function expected(lines: string[]): Cell[][] {
  const rows = lines.map((l) => l.split("\t").map((f, i) => decodeCopyField(kinds[i] ?? "text", f)));
  return kinds.map((_k, i) => rows.map((r) => r[i] ?? null));
}

function parse(text: string, cuts: number[], rows = 1000): Cell[][] {
  const bytes = new TextEncoder().encode(text);
  const p = copyTextRows(schema, kinds, { rows, bytes: 1 << 24 }, "t");
  const batches: RecordBatch[] = [];
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    batches.push(...p.push(bytes.subarray(at, c)));
    at = c;
  }
  expect(p.leftover()).toBe(0);
  const rest = p.rest();
  if (rest) batches.push(rest);
  return kinds.map((_k, i) => batches.flatMap((b) => columnValues(b, i)));
}

test("every kind parses to the line decoder's cells, whole or cut anywhere, in batches of any size", () => {
  const text = `${LINES.join("\n")}\n`;
  const want = expected(LINES);
  const size = new TextEncoder().encode(text).length;
  expect(parse(text, [])).toEqual(want);
  for (let cut = 1; cut < size; cut += 7) expect(parse(text, [cut, Math.min(size, cut + 3)], 2)).toEqual(want);
  expect(
    parse(
      text,
      Array.from({ length: size - 1 }, (_, i) => i + 1),
      1,
    ),
  ).toEqual(want);
});

test("parsed batches are written as the same COPY text as the decoded cells were", () => {
  const p = copyTextRows(schema, kinds, { rows: 4, bytes: 1 << 24 }, "t");
  const batches = p.push(new TextEncoder().encode(`${LINES.join("\n")}\n`));
  const rest = p.rest();
  if (rest) batches.push(rest);
  expect(batches.map((b) => b.numRows)).toEqual([4, 2]);
  const written = Buffer.concat(batches.flatMap((b) => [...copyTextBytes(b)])).toString("utf8");
  const cells = expected(LINES);
  expect(written).toBe([...copyTextPieces(makeBatch(schema, cells, LINES.length))].join(""));
});

test("a line with too few or too many fields fails with data_loss, naming the table and the counts", () => {
  const p = copyTextRows(schema, kinds, { rows: 10, bytes: 1 << 20 }, "t");
  expect(() => p.push(new TextEncoder().encode("1\tx\n"))).toThrow("COPY from t gave 2 fields, expected 10");
  const q = copyTextRows(schema, kinds, { rows: 10, bytes: 1 << 20 }, "t");
  expect(() => q.push(new TextEncoder().encode(`${LINES[0]}\textra\tmore\n`))).toThrow(
    "COPY from t gave 12 fields, expected 10",
  );
  const split = new LineSplitter();
  expect(split.push(new TextEncoder().encode("no newline"))).toEqual([]);
});
