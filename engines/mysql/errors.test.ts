import { expect, test } from "bun:test";
import type { ErrorCode, ErrorDetail } from "../../common/errors.ts";
import { mysqlError } from "./errors.ts";

/** The shape mysql2 gives a server error. */
function serverError(errno: number, sqlState: string, sqlMessage: string): Error {
  return Object.assign(new Error(sqlMessage), { code: "ER_X", errno, sqlState, sqlMessage });
}

type Want = { code: ErrorCode; message: string; detail: ErrorDetail };

test.each<[string, Error, Want]>([
  [
    "syntax error: the line within the statement",
    serverError(1064, "42000", "You have an error in your SQL syntax; check the manual ... near 'FROMM t' at line 2"),
    {
      code: "invalid_argument",
      message: "You have an error in your SQL syntax; check the manual ... near 'FROMM t' at line 2",
      detail: { nativeCode: "1064", sqlState: "42000", line: 2 },
    },
  ],
  [
    "table exists",
    serverError(1050, "42S01", "Table 't' already exists"),
    { code: "already_exists", message: "Table 't' already exists", detail: { nativeCode: "1050", sqlState: "42S01" } },
  ],
  [
    "deadlock",
    serverError(1213, "40001", "Deadlock found when trying to get lock"),
    {
      code: "aborted",
      message: "Deadlock found when trying to get lock",
      detail: { nativeCode: "1213", sqlState: "40001" },
    },
  ],
  [
    "unknown errno: SQLSTATE class",
    serverError(4025, "23000", "CONSTRAINT `c` failed"),
    {
      code: "failed_precondition",
      message: "CONSTRAINT `c` failed",
      detail: { nativeCode: "4025", sqlState: "23000" },
    },
  ],
  [
    "client error",
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3306"), { code: "ECONNREFUSED", errno: -111 }),
    { code: "unavailable", message: "connect ECONNREFUSED 127.0.0.1:3306", detail: { nativeCode: "ECONNREFUSED" } },
  ],
])("mysqlError: %s", (_name, err, want) => {
  const m = mysqlError(err);
  expect({ code: m.code, message: m.message, detail: m.detail }).toEqual(want);
});
