// mx diff with a MySQL 8 TARGET (a snapshot .json of engine "mysql": no MySQL 8 server runs here, and
// a mysql:// URL to MariaDB would be read as MariaDB): the diff, the plan's summary and the guarded
// sync script with its down script.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ColumnSnapshot, SchemaSnapshot } from "../../engines/index.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

let dir = "";
const column = (name: string, type: string, ordinal: number, extra: Partial<ColumnSnapshot> = {}): ColumnSnapshot => ({
  name,
  type,
  nullable: true,
  default: null,
  ordinal,
  ...extra,
});
const snapshot = (columns: ColumnSnapshot[], indexes: SchemaSnapshot["tables"][number]["indexes"]): SchemaSnapshot => ({
  version: 1,
  engine: "mysql",
  serverVersion: "MySQL 8.0.36",
  schemas: [{ name: "app" }],
  tables: [
    {
      schema: "app",
      name: "users",
      columns,
      primaryKey: { columns: ["id"] },
      indexes: [{ name: "PRIMARY", columns: ["id"], unique: true, primary: true }, ...indexes],
      constraints: [],
    },
  ],
  objects: [],
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "mx-diff-mysql8-"));
  const id = column("id", "int", 1, { nullable: false });
  const source = snapshot(
    [
      id,
      column("email", "varchar(100)", 2, { nullable: false }),
      column("nick", "varchar(20)", 3, { default: "it's" }),
    ],
    [{ name: "users_nick", columns: ["nick"], unique: false }],
  );
  const target = snapshot([id, column("email", "varchar(50)", 2)], []);
  writeFileSync(join(dir, "source.json"), JSON.stringify(source));
  writeFileSync(join(dir, "target.json"), JSON.stringify(target));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function mx(...args: string[]) {
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

test("text: the differences and the plan's summary; exit 1", async () => {
  expect(await mx("diff", "source.json", "target.json")).toEqual({
    code: 1,
    out: `~ table app.users
    ~ column email
        users.email: NULL → NOT NULL
        users.email: varchar(50) → varchar(100)
    + column nick varchar(20) DEFAULT it's
    + index users_nick
3 differences (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)

sync script: 4 statements (--format sql prints it with its down script)
risk: High
`,
    err: "",
  });
});

const guard = (cond: string, stmt: string) =>
  `SET @mx := IF(${cond}, '${stmt.replaceAll("'", "''")}', 'DO 0');\nPREPARE mx_stmt FROM @mx;\nEXECUTE mx_stmt;\nDEALLOCATE PREPARE mx_stmt;\n`;
const count = (view: string, terms: string) =>
  `(SELECT COUNT(*) FROM information_schema.${view} WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND ${terms})`;
const hasColumn = (c: string) => `${count("COLUMNS", `COLUMN_NAME = '${c}'`)} > 0`;
const hasIndex = `${count("STATISTICS", "INDEX_NAME = 'users_nick'")} > 0`;

test("sql: the guarded MySQL 8 script and its down script", async () => {
  expect(await mx("diff", "source.json", "target.json", "--format", "sql", "--lock-timeout", "2s")).toEqual({
    code: 1,
    out: [
      "-- Migratrix sync script: turns the target into the source.\n-- risk: High\n-- UP\n",
      "SET SESSION lock_wait_timeout = 2;\n",
      guard(hasColumn("email"), "ALTER TABLE `users` MODIFY COLUMN `email` varchar(100) NOT NULL"),
      guard(`NOT (${hasColumn("nick")})`, "ALTER TABLE `users` ADD COLUMN `nick` varchar(20) DEFAULT 'it''s'"),
      guard(`NOT (${hasIndex})`, "ALTER TABLE `users` ADD KEY `users_nick` (`nick`), ALGORITHM=INPLACE, LOCK=NONE"),
      "-- DOWN\nSET SESSION lock_wait_timeout = 2;\n",
      guard(hasIndex, "DROP INDEX `users_nick` ON `users`"),
      guard(hasColumn("nick"), "ALTER TABLE `users` DROP COLUMN `nick`"),
      guard(hasColumn("email"), "ALTER TABLE `users` MODIFY COLUMN `email` varchar(50)"),
    ].join(""),
    err: "",
  });
});
