// The text report of mx datadiff, from a result (no database): one line per row to change,
// changed columns before → after, the totals and how the work went.
import { expect, test } from "bun:test";
import type { DataDiffResult } from "../../engines/index.ts";
import { createOutput } from "../output.ts";
import { captureIo } from "../testing.ts";
import { renderDataDiffText } from "./datadiff.ts";

const base: DataDiffResult = {
  sourceTable: "public.orders",
  targetTable: "orders",
  key: ["region", "id"],
  columns: ["total", "note"],
  counts: { inserted: 1, updated: 1, deleted: 1 },
  rows: [
    { kind: "delete", key: ["eu", "1"] },
    {
      kind: "update",
      key: ["eu", "2"],
      changes: [
        { column: "total", before: "10", after: "12.5" },
        { column: "note", before: "", after: null },
      ],
    },
    { kind: "insert", key: ["us", "3"], row: { region: "us", id: "3", total: "1", note: 'say "hi"' } },
  ],
  script: "",
  stats: { passes: 2, leafRanges: 3, rowsFetched: { source: 40, target: 41 }, hashMode: "canonical" },
};

test.each<{ name: string; result: DataDiffResult; lines: string[] }>([
  {
    name: "differences",
    result: base,
    lines: [
      "key region, id; columns total, note",
      '- delete  region="eu", id="1"',
      '~ update  region="eu", id="2"',
      '      total: "10" → "12.5"',
      '      note: "" → NULL',
      '+ insert  region="us", id="3"  total="1", note="say \\"hi\\""',
      "3 difference(s) in orders: 1 to insert, 1 to update, 1 to delete",
      "12 ms: 2 checksum pass(es), 3 range(s) fetched (40 + 41 rows), canonical hash",
    ],
  },
  {
    name: "equal tables, key only",
    result: { ...base, columns: [], rows: [], counts: { inserted: 0, updated: 0, deleted: 0 } },
    lines: [
      "key region, id; columns (key only)",
      "public.orders and orders hold the same rows",
      "12 ms: 2 checksum pass(es), 3 range(s) fetched (40 + 41 rows), canonical hash",
    ],
  },
])("$name", (c) => {
  const io = captureIo();
  renderDataDiffText(createOutput({ stdout: io.stdout, stderr: io.stderr, env: {}, json: false }), c.result, 12.4);
  expect(io.out()).toBe(`${c.lines.join("\n")}\n`);
});
