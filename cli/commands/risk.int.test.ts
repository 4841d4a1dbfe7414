// mx risk --schema URL: local mode introspects a real PostgreSQL database for the unknown-table and
// unknown-column checks.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

const db = `mx_risk_${process.pid}_${Date.now()}`;
const admin = new SQL("postgres://postgres@127.0.0.1:5432/postgres");
const url = `postgres://postgres@127.0.0.1:5432/${db}`;
let dir = "";

beforeAll(async () => {
  await admin.unsafe(`CREATE DATABASE ${db}`);
  const conn = new SQL(url);
  await conn.unsafe("CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL)");
  await conn.close();
  dir = mkdtempSync(join(tmpdir(), "mx-risk-int-"));
  writeFileSync(
    join(dir, "m.sql"),
    "UPDATE customers SET emial = 'x' WHERE id = 1;\nSELECT id FROM custmers WHERE id = 2;\n",
  );
});

afterAll(async () => {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a database URL as --schema turns typos into unknown-column and unknown-table findings", async () => {
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(
    ["risk", "m.sql", "--engine", "postgresql", "--schema", url, "--json", "--fail-on", "High"],
    io,
  );
  expect({ code, err: io.err() }).toEqual({ code: 1, err: "" });
  const report = JSON.parse(io.out());
  const found = report.statements.flatMap((s: { findings: { check: string; line: number; column: number }[] }) =>
    s.findings
      .filter((f) => f.check.startsWith("unknown-"))
      .map((f) => ({ check: f.check, line: f.line, column: f.column })),
  );
  expect(found).toEqual([
    { check: "unknown-column", line: 1, column: 22 },
    { check: "unknown-table", line: 2, column: 16 },
  ]);
});

test("a MariaDB URL as --schema: typos become findings, and a reorder of an introspected ENUM is a copy", async () => {
  const mysql = (await import("mysql2/promise")).default;
  const { mariadbDialect } = await import("../../engines/index.ts");
  const name = `mx_risk_cli_${process.pid}_${Date.now()}`;
  const quoted = mariadbDialect.quoteIdent(name);
  const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
  try {
    await conn.query(`CREATE DATABASE ${quoted}`);
    await conn.query(
      `CREATE TABLE ${quoted}.customers (id BIGINT PRIMARY KEY, email VARCHAR(100) NOT NULL, status ENUM('a','b') NULL)`,
    );
    writeFileSync(
      join(dir, "my.sql"),
      "UPDATE customers SET emial = 'x' WHERE id = 1;\nALTER TABLE customers MODIFY status ENUM('b','a');\n",
    );
    const io = captureIo({ cwd: dir, env: {} });
    const code = await runCli(
      ["risk", "my.sql", "--engine", "mariadb", "--schema", `mariadb://root@127.0.0.1:3306/${name}`, "--json"],
      io,
    );
    expect({ code, err: io.err() }).toEqual({ code: 0, err: "" });
    const found = JSON.parse(io.out()).statements.flatMap(
      (s: { findings: { check: string; level: string; line: number; column: number }[] }) =>
        s.findings
          .filter((f) => f.check === "unknown-column" || f.check === "enum-change")
          .map((f) => `${f.line}:${f.column} ${f.check} ${f.level}`),
    );
    expect(found).toEqual(["1:22 unknown-column High", "2:37 enum-change High"]);
  } finally {
    await conn.query(`DROP DATABASE IF EXISTS ${quoted}`);
    await conn.end();
  }
});
