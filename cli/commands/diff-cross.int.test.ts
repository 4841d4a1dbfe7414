// mx diff across engines in local mode on the real servers: a MariaDB URL against a PostgreSQL URL
// (text with the notes, --verify on a PostgreSQL scratch database), the sql format applied to the
// target leaving no differences, and a MariaDB snapshot file against a SQLite file.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runScript } from "../../engines/diff/scratch.ts";
import { getEngine } from "../../engines/index.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

const tag = `${process.pid}_${Date.now().toString(36)}`;
const my = getEngine("mariadb");
const pg = getEngine("postgresql");
const sl = getEngine("sqlite");
const mdb = `mx_clixd_m_${tag}`;
const pdb = `mx_clixd_p_${tag}`;
const M = `mariadb://root@127.0.0.1:3306/${mdb}`;
const P = `postgres://postgres@127.0.0.1:5432/${pdb}`;
let dir = "";
let S = "";

const MARIADB_DDL = `CREATE TABLE users (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(100) NOT NULL,
  active tinyint(1) NOT NULL DEFAULT 1, size enum('s','m') DEFAULT 's',
  changed timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, UNIQUE KEY users_email (email));
CREATE TABLE orders (id int NOT NULL PRIMARY KEY, user_id int, qty int, CONSTRAINT qty_pos CHECK (qty > 0),
  CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id))`;
const POSTGRES_DDL =
  "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL, active boolean NOT NULL DEFAULT true, legacy text)";

beforeAll(async () => {
  const ma = await my.driver.connect("mariadb://root@127.0.0.1:3306/test");
  await ma.exec(`CREATE DATABASE ${mdb}`);
  await ma.close();
  const pa = await pg.driver.connect("postgres://postgres@127.0.0.1:5432/test");
  await pa.exec(`CREATE DATABASE ${pdb}`);
  await pa.close();
  for (const [engine, url, ddl] of [
    [my, M, MARIADB_DDL],
    [pg, P, POSTGRES_DDL],
  ] as const) {
    const s = await engine.driver.connect(url);
    await runScript(engine, s, ddl);
    await s.close();
  }
  dir = mkdtempSync(join(tmpdir(), "mx-diff-cross-"));
  S = `sqlite://${join(dir, "app.db")}`;
  const s = await sl.driver.connect(S);
  await runScript(sl, s, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
  await s.close();
});

afterAll(async () => {
  const ma = await my.driver.connect("mariadb://root@127.0.0.1:3306/test");
  await ma.exec(`DROP DATABASE IF EXISTS ${mdb}`);
  await ma.close();
  const pa = await pg.driver.connect("postgres://postgres@127.0.0.1:5432/test");
  await pa.exec(`DROP DATABASE IF EXISTS ${pdb} WITH (FORCE)`);
  await pa.close();
  rmSync(dir, { recursive: true, force: true });
});

async function mx(...args: string[]) {
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

const NOTES = [
  `! column ${mdb}.users.size: not representable in PostgreSQL; enum enum('s','m') becomes text with a CHECK of its labels`,
  `! column ${mdb}.users.changed: not representable in PostgreSQL; ON UPDATE current_timestamp() needs a trigger there; left out`,
];

test("MariaDB URL against a PostgreSQL URL: the difference in PostgreSQL's terms, the notes, verified; exit 1", async () => {
  expect(await mx("diff", M, P, "--verify")).toEqual({
    code: 1,
    out: `+ table public.orders
~ table public.users
    ~ users.email: text → character varying(100)
    + column size text DEFAULT 's'
    + column changed timestamp with time zone NOT NULL DEFAULT CURRENT_TIMESTAMP
    - column legacy
    + constraint users_email
    + constraint users_size_check
7 differences (noise filters on: generated-names, whitespace, column-order, collation, auto-increment, mariadb compared in postgresql's terms)
${NOTES.join("\n")}

sync script: 14 statements (--format sql prints it with its down script)
risk: Medium
withheld (needs --allow-drop): column public.users.legacy
verified: on a scratch copy of the target, the script leaves no differences
`,
    err: "",
  });
});

test("--verify of a PostgreSQL target given only as a snapshot needs a PostgreSQL scratch server, not the source's", async () => {
  expect((await mx("snapshot", P, "--objects", "--out", "p.json")).code).toBe(0);
  const res = await mx("diff", M, "p.json", "--verify");
  expect({ code: res.code, err: res.err.split("\n")[0] }).toEqual({
    code: 2,
    err: "error: --verify needs a postgresql server for the scratch database: give --scratch URL",
  });
  const ok = await mx("diff", M, "p.json", "--verify", "--scratch", "postgres://postgres@127.0.0.1:5432/test");
  expect(ok.out).toContain("verified: on a scratch copy of the target");
});

test("--format sql is PostgreSQL with the notes as comments; applied to the target, nothing differs", async () => {
  const res = await mx("diff", M, P, "--format", "sql", "--allow-drop");
  expect(res.code).toBe(1);
  const lines = res.out.split("\n");
  expect(lines.filter((l) => l.startsWith("-- column "))).toEqual(NOTES.map((n) => `-- ${n.slice(2)}`));
  const up = res.out.slice(res.out.indexOf("-- UP\n") + 6, res.out.indexOf("-- DOWN\n"));
  expect(up).toContain('CREATE TABLE IF NOT EXISTS "public"."orders"');
  const s = await pg.driver.connect(P);
  await runScript(pg, s, up);
  await s.close();
  expect(await mx("diff", M, P)).toEqual({ code: 0, out: ["No differences.", ...NOTES, ""].join("\n"), err: "" });
});

test("a MariaDB snapshot file against a SQLite file: a verified SQLite script; --verify without a server of the target's engine needs none for SQLite", async () => {
  expect((await mx("snapshot", M, "--objects", "--out", "m.json")).code).toBe(0);
  const res = await mx("diff", "m.json", S, "--verify", "--format", "json");
  const doc = JSON.parse(res.out) as {
    differences: { sourceEngine: string; targetEngine: string; notes: { object: string }[] };
    sync: { sql: string };
    verify: { verified: boolean };
  };
  expect({
    code: res.code,
    engines: [doc.differences.sourceEngine, doc.differences.targetEngine],
    notes: doc.differences.notes.map((n) => n.object),
    verified: doc.verify.verified,
    rebuilt: doc.sync.sql.includes('CREATE TABLE "_mx_sync_users"'),
  }).toEqual({
    code: 1,
    engines: ["mariadb", "sqlite"],
    notes: [`column ${mdb}.users.size`, `column ${mdb}.users.changed`],
    verified: true,
    rebuilt: true,
  });
});
