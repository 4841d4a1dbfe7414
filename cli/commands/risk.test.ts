// mx risk in-process: offline (no server, no token), exit codes, text with a caret, the JSON shape.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

let dir = "";
// No MIGRATRIX_TOKEN and a server address nothing listens on: risk must need neither.
const env = { MIGRATRIX_SERVER: "http://127.0.0.1:1" };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mx-risk-"));
  writeFileSync(join(dir, "m.sql"), "SET lock_timeout = '5s';\nSET statement_timeout = '1min';\nDELETE FROM users;\n");
  writeFileSync(join(dir, "safe.sql"), "SET lock_timeout = '5s';\nSELECT 'DROP TABLE users';\n");
  writeFileSync(join(dir, "schema.sql"), "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
  writeFileSync(join(dir, "typo.sql"), "UPDATE users SET emial = 'x' WHERE id = 1;\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mx(...argv: string[]) {
  const io = captureIo({ cwd: dir, env });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

test("text output points at the finding with a caret and exits 1 at the default --fail-on Critical", async () => {
  const r = await mx("risk", "m.sql", "--engine", "postgresql");
  expect(r).toEqual({
    code: 1,
    err: "",
    out: [
      "m.sql:3:13 Critical delete-without-where",
      "  DELETE FROM users;",
      "              ^",
      "  DELETE on users has no WHERE: it deletes every row",
      "  hint: add a WHERE clause selecting the rows; if every row is meant, say so in a reviewed data migration (or TRUNCATE)",
      "",
      "Critical: 3 statements, 1 finding (postgresql)",
      "",
    ].join("\n"),
  });
});

test("JSON output has exactly the documented shape; a level under --fail-on exits 0", async () => {
  const r = await mx("risk", "safe.sql", "--engine", "pg", "--format", "json", "--fail-on", "low");
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toEqual({
    engine: "postgresql",
    level: "None",
    statements: [
      { index: 0, line: 1, column: 1, sql: "SET lock_timeout = '5s'", level: "None", findings: [] },
      { index: 1, line: 2, column: 1, sql: "SELECT 'DROP TABLE users'", level: "None", findings: [] },
    ],
  });
});

test("--schema FILE.sql makes unknown columns findings; --fail-on High then fails", async () => {
  const without = await mx("risk", "typo.sql", "--engine", "postgresql", "--fail-on", "High", "--json");
  expect(without.code).toBe(0);
  const r = await mx(
    "risk",
    "typo.sql",
    "--engine",
    "postgresql",
    "--schema",
    "schema.sql",
    "--fail-on",
    "High",
    "--json",
  );
  expect(r.code).toBe(1);
  const report = JSON.parse(r.out);
  expect(report.statements[0].findings.filter((f: { check: string }) => f.check === "unknown-column")).toEqual([
    {
      check: "unknown-column",
      level: "High",
      message: "column emial is not in table users",
      line: 1,
      column: 18,
      hint: "check the name; users has id, email",
    },
  ]);
});

test("usage errors exit 2", async () => {
  expect((await mx("risk", "m.sql", "--engine", "postgresql", "--fail-on", "severe")).code).toBe(2);
  expect((await mx("risk", "m.sql", "--engine", "nosuchdb")).code).toBe(2);
  expect((await mx("risk", "m.sql", "--engine", "postgresql", "--format", "xml")).code).toBe(2);
  expect((await mx("risk", "m.sql", "--engine", "postgresql", "--include", "no-such-check")).code).toBe(2);
  expect((await mx("risk", "m.sql")).code).toBe(2);
});

test("a missing file is an error naming it, exit 1", async () => {
  const r = await mx("risk", "nope.sql", "--engine", "postgresql");
  expect(r).toEqual({
    code: 1,
    out: "",
    err: `error: cannot read ${join(dir, "nope.sql")}: no such file (invalid_argument)\n`,
  });
});

test("--engine mariadb and mysql: MySQL rules, and a MySQL DDL file as --schema", async () => {
  writeFileSync(
    join(dir, "my.sql"),
    "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users ADD COLUMN age INT NOT NULL;\n",
  );
  writeFileSync(
    join(dir, "my-schema.sql"),
    "CREATE TABLE users (id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL);\n",
  );
  writeFileSync(join(dir, "my-typo.sql"), "UPDATE users SET emial = 'x' WHERE id = 1;\n");
  const r = await mx("risk", "my.sql", "--engine", "mariadb", "--exclude", "missing-statement-timeout");
  expect(r).toEqual({
    code: 0,
    err: "",
    out: [
      "my.sql:2:30 Medium not-null-without-default",
      "  ALTER TABLE users ADD COLUMN age INT NOT NULL;",
      "                               ^",
      "  ADD COLUMN age NOT NULL without DEFAULT does not fail on MariaDB: every existing row of users silently gets 0, a value nobody chose",
      "  hint: give it the DEFAULT you mean, or add it nullable, backfill in batches, then MODIFY it NOT NULL",
      "",
      "Medium: 2 statements, 1 finding (mariadb)",
      "",
    ].join("\n"),
  });
  const typo = await mx(
    "risk",
    "my-typo.sql",
    "--engine",
    "mysql",
    "--schema",
    "my-schema.sql",
    "--json",
    "--fail-on",
    "High",
  );
  expect(typo.code).toBe(1);
  expect(
    JSON.parse(typo.out).statements[0].findings.filter((f: { check: string }) => f.check === "unknown-column"),
  ).toEqual([
    {
      check: "unknown-column",
      level: "High",
      message: "column emial is not in table users",
      line: 1,
      column: 18,
      hint: "check the name; users has id, email",
    },
  ]);
});

test("--engine sqlite: SQLite's own parser and rules; a SQLite DDL file as --schema", async () => {
  writeFileSync(join(dir, "lite.sql"), "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL;\n");
  writeFileSync(
    join(dir, "lite-schema.sql"),
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL) STRICT;\n",
  );
  const r = await mx(
    "risk",
    "lite.sql",
    "--engine",
    "sqlite",
    "--schema",
    "lite-schema.sql",
    "--json",
    "--fail-on",
    "High",
  );
  expect(r.code).toBe(1);
  expect(JSON.parse(r.out).statements[0].findings).toEqual([
    {
      check: "not-null-without-default",
      level: "High",
      message:
        'ADD COLUMN age NOT NULL without DEFAULT fails on users as soon as it has a row ("Cannot add a NOT NULL column with default value NULL")',
      line: 1,
      column: 30,
      hint: "give it a constant DEFAULT, or add it nullable and backfill",
    },
  ]);
});
