import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import type { ErrorCode, ErrorDetail } from "../../common/errors.ts";
import { sqliteError } from "./errors.ts";

// Real errors from an in-memory database: the mapper sees exactly what bun:sqlite throws.
function errorOf(sql: string): unknown {
  const db = new Database(":memory:");
  db.run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)");
  db.run("INSERT INTO t VALUES (1, 'a')");
  try {
    db.run(sql);
    return null;
  } finally {
    db.close();
  }
}

function caught(sql: string): unknown {
  try {
    return errorOf(sql);
  } catch (e) {
    return e;
  }
}

type Want = { code: ErrorCode; message: string; detail: ErrorDetail };

test.each<[string, string, Want]>([
  [
    // "é FROMM" reads as a column with an alias, so the error is at "t"; é is two bytes, one column.
    "syntax error with its offset on the second line",
    "SELECT 1,\n  é FROMM t",
    {
      code: "invalid_argument",
      message: 'near "t": syntax error',
      detail: { nativeCode: "SQLITE_ERROR", line: 2, column: 11 },
    },
  ],
  [
    "missing table",
    "INSERT INTO nope VALUES (1)",
    { code: "not_found", message: "no such table: nope", detail: { nativeCode: "SQLITE_ERROR" } },
  ],
  [
    "table exists",
    "CREATE TABLE t (x)",
    {
      code: "already_exists",
      message: "table t already exists",
      detail: { nativeCode: "SQLITE_ERROR", line: 1, column: 14 },
    },
  ],
  [
    "unique violation",
    "INSERT INTO t VALUES (2, 'a')",
    {
      code: "already_exists",
      message: "UNIQUE constraint failed: t.v",
      detail: { nativeCode: "SQLITE_CONSTRAINT_UNIQUE" },
    },
  ],
  [
    "not null violation",
    "CREATE TABLE n (x NOT NULL); INSERT INTO n VALUES (NULL)",
    {
      code: "failed_precondition",
      message: "NOT NULL constraint failed: n.x",
      detail: { nativeCode: "SQLITE_CONSTRAINT_NOTNULL" },
    },
  ],
])("sqliteError: %s", (_name, sql, want) => {
  const m = sqliteError(caught(sql), { sql });
  expect({ code: m.code, message: m.message, detail: m.detail }).toEqual(want);
});
