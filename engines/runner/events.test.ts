import { expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import type { Statement } from "../types.ts";
import { dbErrorInfo, excerpt, filePosition, statementInfo } from "./events.ts";

const stmt: Statement = {
  index: 4,
  text: "CREATE TABLE t (\n  id int\n)",
  start: { line: 12, column: 5, offset: 200 },
  endOffset: 227,
  ownSegment: false,
};

test.each([
  ["no inner position: the statement's start", undefined, { line: 12, column: 5 }],
  ["first line of the statement: columns shift by the start column", { line: 1, column: 3 }, { line: 12, column: 7 }],
  ["a later line: the column stands", { line: 2, column: 3 }, { line: 13, column: 3 }],
])("filePosition: %s", (_name, inner, want) => {
  expect(filePosition(stmt, inner)).toEqual(want);
});

test("statementInfo shows a one-line excerpt at the statement's file position", () => {
  expect(statementInfo(stmt)).toEqual({
    index: 4,
    position: { line: 12, column: 5 },
    excerpt: "CREATE TABLE t ( id int )",
    ownSegment: false,
  });
});

test("excerpt shortens long statements to 120 characters", () => {
  const long = `SELECT ${"x, ".repeat(100)}y`;
  expect(excerpt(long)).toEqual(`${long.slice(0, 119)}…`);
});

test("dbErrorInfo carries code, native code and position", () => {
  const e = new MigratrixError("invalid_argument", "syntax error", { nativeCode: "42601", line: 3, column: 9 });
  expect([dbErrorInfo(e), dbErrorInfo(new MigratrixError("aborted", "stopped"))]).toEqual([
    { code: "invalid_argument", nativeCode: "42601", message: "syntax error", position: { line: 3, column: 9 } },
    { code: "aborted", message: "stopped" },
  ]);
});
