// --app-dir on the token-level engines: drop, rename and change findings list the application's uses.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assess } from "../assess.ts";

let app = "";
beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), "mx-app-tokens-"));
  mkdirSync(join(app, "src"));
  writeFileSync(join(app, "src", "user.ts"), 'const q = "SELECT email FROM users";\nconst nickname = 1;\n');
  writeFileSync(join(app, "src", "report.py"), "rows = db.query('SELECT score FROM users')\n");
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

const impacts = async (sql: string, engine: "mariadb" | "mysql" | "sqlite") =>
  (await assess(sql, { engine, appDir: app })).statements.flatMap((s) =>
    s.findings.filter((f) => f.impact !== undefined).map((f) => ({ check: f.check, impact: f.impact })),
  );

test("MySQL/MariaDB: DROP COLUMN, CHANGE (rename) and a type change list the lines using the column", async () => {
  const sql =
    "ALTER TABLE users DROP COLUMN email;\nALTER TABLE users CHANGE nick nickname VARCHAR(20);\nALTER TABLE users MODIFY score BIGINT";
  expect(await impacts(sql, "mariadb")).toEqual([
    { check: "drop-column", impact: [{ file: "src/user.ts", line: 1, text: 'const q = "SELECT email FROM users";' }] },
    { check: "rename-column", impact: [] },
    { check: "alter-column-type", impact: [] },
    {
      check: "alter-column-type",
      impact: [{ file: "src/report.py", line: 1, text: "rows = db.query('SELECT score FROM users')" }],
    },
  ]);
});

test("SQLite: DROP TABLE lists every line naming the table", async () => {
  expect(await impacts("DROP TABLE users", "sqlite")).toEqual([
    {
      check: "drop-table",
      impact: [
        { file: "src/report.py", line: 1, text: "rows = db.query('SELECT score FROM users')" },
        { file: "src/user.ts", line: 1, text: 'const q = "SELECT email FROM users";' },
      ],
    },
  ]);
});
