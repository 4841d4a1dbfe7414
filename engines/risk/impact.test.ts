// --app-dir: findings that drop, rename or change a table or column list the application lines using it.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assess } from "./assess.ts";

let app = "";
beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), "mx-app-"));
  mkdirSync(join(app, "src"));
  mkdirSync(join(app, "node_modules"));
  writeFileSync(
    join(app, "src", "user.ts"),
    'const q = "SELECT email FROM users";\nconst nickname = 1;\nuser.Email = x;\n',
  );
  writeFileSync(join(app, "src", "orders.py"), "total = order.total\n");
  writeFileSync(join(app, "node_modules", "dep.js"), "email\n");
  writeFileSync(join(app, "README.md"), "email\n");
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

test("drop and rename findings list whole-word uses in source files, skipping dependencies", async () => {
  const report = await assess(
    "SET lock_timeout = '1s';\nALTER TABLE users DROP COLUMN email;\nALTER TABLE users RENAME COLUMN nick TO nickname;\nALTER TABLE users ADD COLUMN age bigint;",
    { engine: "postgresql", appDir: app },
  );
  const impacts = report.statements.flatMap((s) =>
    s.findings.filter((f) => f.impact !== undefined).map((f) => ({ check: f.check, impact: f.impact })),
  );
  expect(impacts).toEqual([
    {
      check: "drop-column",
      impact: [
        { file: "src/user.ts", line: 1, text: 'const q = "SELECT email FROM users";' },
        { file: "src/user.ts", line: 3, text: "user.Email = x;" },
      ],
    },
    { check: "rename-column", impact: [] },
  ]);
});

test("without appDir no finding carries impact; a missing folder is an error", async () => {
  const plain = await assess("ALTER TABLE users DROP COLUMN email", { engine: "postgresql" });
  expect(plain.statements[0]?.findings.some((f) => "impact" in f)).toBe(false);
  await expect(
    assess("ALTER TABLE users DROP COLUMN email", { engine: "postgresql", appDir: join(app, "nope") }),
  ).rejects.toThrow("--app-dir");
});
