// mx apply / backup list / revert / backup purge in local mode against the real MariaDB and SQLite:
// the down script is generated at apply, its backups taken, and revert restores from the stored script.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEngine, type Session } from "../../engines/index.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

const dir = realpathSync(mkdtempSync(join(tmpdir(), "mx-local-rb-")));
const file = "20260104000000_trim_users.sql";
const mariaDb = `mx_cli_rb_${process.pid}_${Date.now() % 100000}`;

async function mx(...argv: string[]) {
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const ENGINES = [
  { id: "mariadb" as const, url: `mariadb://root@127.0.0.1:3306/${mariaDb}`, table: `${mariaDb}.users` },
  { id: "sqlite" as const, url: `sqlite://${join(dir, "local.db")}`, table: "main.users" },
];

let admin: Session | undefined;
const sessions = new Map<string, Session>();

beforeAll(async () => {
  const maria = getEngine("mariadb");
  admin = await maria.driver.connect("mysql://root@127.0.0.1:3306/test");
  await admin.exec(`CREATE DATABASE ${maria.dialect.quoteIdent(mariaDb)}`);
  writeFileSync(join(dir, file), "DELETE FROM users WHERE id = 3;\nALTER TABLE users DROP COLUMN note;\n");
  for (const e of ENGINES) {
    const s = await getEngine(e.id).driver.connect(e.url);
    await s.exec("CREATE TABLE users (id int PRIMARY KEY, name varchar(20) NOT NULL, note varchar(20))");
    await s.exec("INSERT INTO users VALUES (1, 'a', 'x'), (2, 'b', NULL), (3, 'c', 'z')");
    sessions.set(e.id, s);
  }
});

afterAll(async () => {
  for (const s of sessions.values()) await s.close();
  const maria = getEngine("mariadb");
  await admin?.query("DELETE FROM migratrix_backup.migratrix_down_scripts WHERE database_name = ?", [mariaDb]);
  await admin?.exec(`DROP DATABASE IF EXISTS ${maria.dialect.quoteIdent(mariaDb)}`);
  await admin?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(ENGINES)("$id local mode", (e) => {
  const users = async () =>
    (await (sessions.get(e.id) as Session).query("SELECT * FROM users ORDER BY id")).map((r) => ({ ...r }));

  test("apply backs up, backup list shows it, revert restores from the stored down script, purge empties the area", async () => {
    const applied = await mx("apply", file, "--url", e.url);
    expect([applied.code, applied.out.split("\n")[0], applied.out.split("\n").at(-2)]).toEqual([
      0,
      "generated down script: exact, 2 backup(s) to take",
      "apply 20260104000000_trim_users: completed (2/2 statements)",
    ]);
    expect(await users()).toEqual([
      { id: 1, name: "a" },
      { id: 2, name: "b" },
    ]);
    const listed = await mx("backup", "list", "--url", e.url, "--json");
    const backups = (
      JSON.parse(listed.out) as { backups: Array<{ upIndex: number; reason: string; rows: number; source: string }> }
    ).backups;
    expect(backups.map((b) => [b.upIndex, b.reason, b.rows, b.source])).toEqual([
      [1, "DELETE", 1, e.table],
      [2, "DROP COLUMN", 2, e.table],
    ]);
    const reverted = await mx("revert", file, "--url", e.url);
    expect([reverted.code, reverted.out.split("\n")[0], reverted.out.split("\n").at(-2)]).toEqual([
      0,
      "using the down script generated when 20260104000000_trim_users was applied (exact)",
      expect.stringMatching(
        /^revert 20260104000000_trim_users: completed \(\d+\/\d+ statements\)$/,
      ) as unknown as string,
    ]);
    expect(await users()).toEqual([
      { id: 1, name: "a", note: "x" },
      { id: 2, name: "b", note: null },
      { id: 3, name: "c", note: "z" },
    ]);
    const purged = await mx("backup", "purge", "--url", e.url, "--all");
    expect([purged.code, purged.out.startsWith("purged 2 backup(s): ")]).toEqual([0, true]);
    expect(JSON.parse((await mx("backup", "list", "--url", e.url, "--json")).out)).toEqual({ backups: [] });
  });
});
