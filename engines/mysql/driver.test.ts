import { expect, test } from "bun:test";
import { type ErrorCode, MigratrixError } from "../../common/errors.ts";
import { mysqlServerVersion, parseMysqlUrl } from "./driver.ts";
import { lockName } from "./migrate.ts";

test.each([
  [
    "mysql URL",
    "mysql://app:p%40ss@db:3307/shop",
    "mysql" as const,
    { host: "db", port: 3307, user: "app", password: "p@ss", database: "shop", display: "db:3307/shop" },
  ],
  [
    "mariadb URL, defaults, no database",
    "mariadb://127.0.0.1",
    "mariadb" as const,
    { host: "127.0.0.1", port: 3306, user: "root", password: "", database: "", display: "127.0.0.1:3306/" },
  ],
])("parseMysqlUrl: %s", (_name, url, flavor, want) => {
  expect(parseMysqlUrl(url, flavor)).toEqual(want);
});

test.each<[string, string, ErrorCode, string]>([
  ["wrong scheme", "postgres://u:pw@h/db", "invalid_argument", 'URL scheme "postgres:" is not MySQL\'s'],
  [
    "unknown parameter",
    "mysql://u:pw@h/db?password=pw",
    "invalid_argument",
    'MySQL URL parameter "password" is not supported',
  ],
  ["garbage", "mysql://u:pw@[h/db", "invalid_argument", "not a valid MySQL URL"],
])("parseMysqlUrl rejects %s without the secret", (_name, url, code, message) => {
  let err: unknown;
  try {
    parseMysqlUrl(url, "mysql");
  } catch (e) {
    err = e;
  }
  const m = err as MigratrixError;
  expect({
    isError: m instanceof MigratrixError,
    code: m.code,
    starts: m.message.startsWith(message),
    leaks: m.message.includes("pw"),
  }).toEqual({
    isError: true,
    code,
    starts: true,
    leaks: false,
  });
});

test("mysqlServerVersion names the flavour and the version number", () => {
  expect([mysqlServerVersion("10.11.19-MariaDB-0+deb12u1"), mysqlServerVersion("8.0.36")]).toEqual([
    "MariaDB 10.11.19",
    "MySQL 8.0.36",
  ]);
});

test("lockName keeps short names and hashes names GET_LOCK would refuse", () => {
  const long = lockName(`migratrix:${"d".repeat(64)}`);
  expect({
    short: lockName("migratrix:shop"),
    longLength: long.length,
    stable: long === lockName(`migratrix:${"d".repeat(64)}`),
  }).toEqual({
    short: "migratrix:shop",
    longLength: 64,
    stable: true,
  });
});
