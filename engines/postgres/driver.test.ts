import { expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { parsePostgresUrl } from "./driver.ts";

test.each([
  [
    "full URL",
    "postgres://app:pw@db.internal:6432/shop",
    { host: "db.internal", port: 6432, database: "shop", user: "app", display: "db.internal:6432/shop" },
  ],
  [
    "postgresql scheme, defaults",
    "postgresql://127.0.0.1",
    { host: "127.0.0.1", port: 5432, database: "postgres", user: "postgres", display: "127.0.0.1:5432/postgres" },
  ],
  [
    "percent-encoded names",
    "postgres://my%20user@h/my%20db",
    { host: "h", port: 5432, database: "my db", user: "my user", display: "h:5432/my db" },
  ],
])("parsePostgresUrl: %s", (_name, url, want) => {
  expect(parsePostgresUrl(url)).toEqual(want);
});

test.each([
  ["not a URL", "localhost:5432/db?password=pw", 'URL scheme "localhost:" is not PostgreSQL\'s'],
  ["garbage", "postgres://u:pw@[::1/db", "not a valid PostgreSQL URL"],
  ["no host", "postgres:///db", "PostgreSQL URL names no host"],
])("parsePostgresUrl rejects %s without echoing the URL", (_name, url, start) => {
  let err: unknown;
  try {
    parsePostgresUrl(url);
  } catch (e) {
    err = e;
  }
  const m = err as MigratrixError;
  expect({
    isError: m instanceof MigratrixError,
    code: m.code,
    starts: m.message.startsWith(start),
    leaks: m.message.includes("pw"),
  }).toEqual({
    isError: true,
    code: "invalid_argument",
    starts: true,
    leaks: false,
  });
});
