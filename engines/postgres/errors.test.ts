import { expect, test } from "bun:test";
import type { ErrorCode, ErrorDetail } from "../../common/errors.ts";
import { lineColumnAt, postgresError } from "./errors.ts";

test.each([
  ["first character", "SELECT 1", 1, { line: 1, column: 1 }],
  ["second line", "SELECT\n  nope", 10, { line: 2, column: 3 }],
  ["CRLF is one line break", "SELECT\r\n  nope", 11, { line: 2, column: 3 }],
  ["an astral character counts once", "SELECT '😀', nope", 13, { line: 1, column: 13 }],
])("lineColumnAt: %s", (_name, sql, position, want) => {
  expect(lineColumnAt(sql, position)).toEqual(want);
});

/** The shape postgres.js gives a server error (fields of the ErrorResponse message). */
function serverError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { severity: "ERROR", code, ...extra });
}

type Want = { code: ErrorCode; message: string; detail: ErrorDetail };

test.each<[string, Error, string | undefined, Want]>([
  [
    "syntax error with position",
    serverError("42601", 'syntax error at or near "FROMM"', { position: "10" }),
    "SELECT 1\nFROMM t",
    {
      code: "invalid_argument",
      message: 'syntax error at or near "FROMM"',
      detail: { nativeCode: "42601", line: 2, column: 1 },
    },
  ],
  [
    "unique violation keeps the row values out",
    serverError("23505", 'duplicate key value violates unique constraint "u"', {
      detail: "Key (email)=(a@b.c) already exists.",
    }),
    undefined,
    {
      code: "already_exists",
      message: 'duplicate key value violates unique constraint "u"',
      detail: { nativeCode: "23505" },
    },
  ],
  [
    "hint is kept",
    serverError("42883", "function nope() does not exist", { hint: "No function matches." }),
    undefined,
    {
      code: "not_found",
      message: "function nope() does not exist (hint: No function matches.)",
      detail: { nativeCode: "42883" },
    },
  ],
  [
    "class fallback",
    serverError("22P02", "invalid input syntax for type integer"),
    undefined,
    { code: "invalid_argument", message: "invalid input syntax for type integer", detail: { nativeCode: "22P02" } },
  ],
  [
    "not in a transaction block",
    serverError("25001", "CREATE INDEX CONCURRENTLY cannot run inside a transaction block"),
    undefined,
    {
      code: "failed_precondition",
      message: "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
      detail: { nativeCode: "25001" },
    },
  ],
  [
    "client-side connection error",
    Object.assign(new Error("write CONNECTION_CLOSED 127.0.0.1:5432"), { code: "CONNECTION_CLOSED" }),
    undefined,
    {
      code: "unavailable",
      message: "write CONNECTION_CLOSED 127.0.0.1:5432",
      detail: { nativeCode: "CONNECTION_CLOSED" },
    },
  ],
  [
    "a URL in a message loses its password",
    new Error("cannot use postgres://u:hunter2@h/db"),
    undefined,
    { code: "unknown", message: "cannot use postgres://u:***@h/db", detail: {} },
  ],
])("postgresError: %s", (_name, err, sql, want) => {
  const m = postgresError(err, { sql });
  expect({ code: m.code, message: m.message, detail: m.detail }).toEqual(want);
});
