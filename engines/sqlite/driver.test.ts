import { expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { parseSqliteUrl, type SqliteTarget } from "./driver.ts";

test.each<[string, string, SqliteTarget]>([
  ["absolute path", "sqlite:///var/data/app.db", { path: "/var/data/app.db", mode: "rwc" }],
  ["relative path", "sqlite://./data/app.db", { path: "./data/app.db", mode: "rwc" }],
  ["bare relative path", "sqlite:app.db", { path: "app.db", mode: "rwc" }],
  ["memory", "sqlite::memory:", { path: ":memory:", mode: "rwc" }],
  ["read-only", "sqlite:///var/data/app.db?mode=ro", { path: "/var/data/app.db", mode: "ro" }],
  ["percent-encoded", "sqlite:///tmp/my%20app.db", { path: "/tmp/my app.db", mode: "rwc" }],
])("parseSqliteUrl: %s", (_name, url, want) => {
  expect(parseSqliteUrl(url)).toEqual(want);
});

test.each([
  ["wrong scheme", "file:///tmp/a.db", 'URL scheme "file:" is not SQLite\'s'],
  ["no file", "sqlite://", "SQLite URL names no file"],
  ["bad mode", "sqlite:///a.db?mode=rwx", 'SQLite URL mode "rwx" is not supported'],
  ["bad encoding", "sqlite:///a%zz.db", "not a valid SQLite URL: bad percent-encoding"],
])("parseSqliteUrl rejects %s", (_name, url, start) => {
  let err: unknown;
  try {
    parseSqliteUrl(url);
  } catch (e) {
    err = e;
  }
  const m = err as MigratrixError;
  expect({ isError: m instanceof MigratrixError, code: m.code, starts: m.message.startsWith(start) }).toEqual({
    isError: true,
    code: "invalid_argument",
    starts: true,
  });
});
