// Pure parts of the explorer's agent side: statement keywords the read-only guard looks at, the
// credential a request runs on, table names, row digests.
import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import { credentialUrl, firstKeyword } from "./explorer.ts";
import { parseTableName, rowDigest } from "./explorer-rows.ts";

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "ok";
  } catch (e) {
    return e instanceof MigratrixError ? e.code : "other";
  }
};

test.each([
  ["select 1", "SELECT"],
  ["  -- c\n/* x */ commit", "COMMIT"],
  ["# mysql comment\nSET SESSION TRANSACTION READ WRITE", "SET"],
  ["PRAGMA query_only = 0", "PRAGMA"],
  ["(select 1)", ""],
])("firstKeyword(%p) = %p", (sql, want) => {
  expect(firstKeyword(sql)).toBe(want);
});

describe("credentialUrl", () => {
  const pg = { name: "app", environment: "prod", engine: "postgresql" as const, url: "postgres://owner@h/db" };
  test("the read credential when asked for, the owner's URL otherwise", () => {
    expect([
      credentialUrl({ ...pg, readUrl: "postgres://reader@h/db" }, true),
      credentialUrl({ ...pg, readUrl: "postgres://reader@h/db" }, false),
    ]).toEqual(["postgres://reader@h/db", "postgres://owner@h/db"]);
  });
  test("never the owner instead of a missing read credential (SQLite: the file, opened read-only)", () => {
    expect(codeOf(() => credentialUrl(pg, true))).toBe("failed_precondition");
    expect(credentialUrl({ ...pg, engine: "sqlite", url: "sqlite:///x.db" }, true)).toBe("sqlite:///x.db");
  });
});

test.each([
  ["users", { name: "users" }],
  ["crm.users", { schema: "crm", name: "users" }],
  ["Odd Name", { name: "Odd Name" }],
])("parseTableName(%p)", (text, want) => {
  expect(parseTableName(text)).toEqual(want);
});

test.each(["a.b.c", "", "a.", "bad\u0000name"])("parseTableName(%p) is refused", (text) => {
  expect(codeOf(() => parseTableName(text))).toBe("invalid_argument");
});

test("rowDigest: column order does not matter, values do; no row is empty", () => {
  expect([
    rowDigest({ a: "1", b: null }) === rowDigest({ b: null, a: "1" }),
    rowDigest({ a: "1", b: null }) === rowDigest({ a: "1", b: "" }),
    rowDigest(undefined),
  ]).toEqual([true, false, ""]);
});
