// mx risk on the dialect-only engines (SQL Server, Oracle, ClickHouse): text with a caret, the exact
// JSON shape, --fail-on, and --schema from a DDL file in the engine's dialect.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

let dir = "";
const env = { MIGRATRIX_SERVER: "http://127.0.0.1:1" };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mx-risk-dialects-"));
  writeFileSync(join(dir, "mssql.sql"), "SELECT N'GO; DELETE FROM dbo.t'\nGO\nDELETE FROM dbo.sessions\nGO\n");
  writeFileSync(
    join(dir, "ora.sql"),
    "BEGIN\n  NULL;\nEND;\n/\nALTER TABLE app_users ADD (status VARCHAR2(20) NOT NULL);\n",
  );
  writeFileSync(join(dir, "ch.sql"), "ALTER TABLE events UPDATE score = 0 WHERE id = 7;\n");
  writeFileSync(
    join(dir, "schema.sql"),
    "CREATE TABLE dbo.users (id bigint IDENTITY(1,1) PRIMARY KEY, email nvarchar(255) NOT NULL)\nGO\n",
  );
  writeFileSync(join(dir, "typo.sql"), "UPDATE dbo.users SET emial = N'x' WHERE id = 1;\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mx(...argv: string[]) {
  const io = captureIo({ cwd: dir, env });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

test("SQL Server: GO separates batches, a GO inside a string is text; the caret points at the table", async () => {
  expect(await mx("risk", "mssql.sql", "--engine", "mssql")).toEqual({
    code: 1,
    err: "",
    out: [
      "mssql.sql:3:13 Critical delete-without-where",
      "  DELETE FROM dbo.sessions",
      "              ^",
      "  DELETE on sessions has no WHERE: it deletes every row",
      "  hint: write the condition that selects the rows meant; if every row is meant, say so in a reviewed data migration",
      "",
      "Critical: 2 statements, 1 finding (sqlserver)",
      "",
    ].join("\n"),
  });
});

test("Oracle: the JSON report has exactly the documented shape; a PL/SQL block ends at its / line", async () => {
  const r = await mx("risk", "ora.sql", "--engine", "oracle", "--format", "json");
  expect(r.code).toBe(0);
  expect(JSON.parse(r.out)).toEqual({
    engine: "oracle",
    level: "High",
    statements: [
      {
        index: 0,
        line: 1,
        column: 1,
        sql: "BEGIN\n  NULL;\nEND;",
        level: "Low",
        findings: [
          {
            check: "raw-sql-unchecked",
            level: "Low",
            message: "a PL/SQL block is not analysed here: what it changes is unknown",
            line: 1,
            column: 1,
            hint: "review it by hand; prefer plain statements in migrations",
          },
        ],
      },
      {
        index: 1,
        line: 5,
        column: 1,
        sql: "ALTER TABLE app_users ADD (status VARCHAR2(20) NOT NULL)",
        level: "High",
        findings: [
          {
            check: "not-null-without-default",
            level: "High",
            message:
              "ADD status NOT NULL without DEFAULT fails on app_users as soon as it has a row (ORA-01758: table must be empty to add mandatory (NOT NULL) column)",
            line: 5,
            column: 28,
            hint: "give it a DEFAULT (Oracle 11g+ adds a NOT NULL column with a constant default without touching rows), or add it nullable, backfill, then MODIFY ... NOT NULL",
          },
        ],
      },
    ],
  });
});

test("ClickHouse: a mutation is High, so --fail-on High exits 1 and --fail-on Critical 0", async () => {
  const high = await mx("risk", "ch.sql", "--engine", "clickhouse", "--fail-on", "High", "--json");
  expect(high.code).toBe(1);
  expect(
    JSON.parse(high.out).statements[0].findings.map((f: { check: string; level: string }) => [f.check, f.level]),
  ).toEqual([["heavy-mutation", "High"]]);
  expect((await mx("risk", "ch.sql", "--engine", "clickhouse")).code).toBe(0);
});

test("SQL Server: --schema FILE.sql read in T-SQL makes an unknown column a finding", async () => {
  const without = await mx("risk", "typo.sql", "--engine", "sqlserver", "--json");
  expect(JSON.parse(without.out).level).toBe("None");
  const r = await mx(
    "risk",
    "typo.sql",
    "--engine",
    "sqlserver",
    "--schema",
    "schema.sql",
    "--fail-on",
    "High",
    "--json",
  );
  expect(r.code).toBe(1);
  expect(
    JSON.parse(r.out).statements[0].findings.map((f: { check: string; column: number }) => [f.check, f.column]),
  ).toEqual([["unknown-column", 22]]);
});
