// mx diff and mx snapshot in local mode against the real PostgreSQL: URLs, snapshot files and DDL
// files as either side, the three formats, --verify, and the exit codes 0 / 1 / 2.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQL } from "bun";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

const tag = `${process.pid}_${Date.now()}`;
const dbA = `mx_clidiff_a_${tag}`;
const dbB = `mx_clidiff_b_${tag}`;
const server = "postgres://postgres@127.0.0.1:5432/postgres";
const admin = new SQL(server);
const A = `postgres://postgres@127.0.0.1:5432/${dbA}`;
const B = `postgres://postgres@127.0.0.1:5432/${dbB}`;
let dir = "";

const SOURCE_DDL = `CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, nick text);
CREATE INDEX users_nick_idx ON users (nick);
CREATE VIEW emails AS SELECT id, email FROM users;
`;
const TARGET_DDL =
  "CREATE TABLE users (id integer PRIMARY KEY, email varchar(100), old text);\nCREATE TABLE legacy (x integer);\n";

beforeAll(async () => {
  await admin.unsafe(`CREATE DATABASE ${dbA}`);
  await admin.unsafe(`CREATE DATABASE ${dbB}`);
  for (const [url, ddl] of [
    [A, SOURCE_DDL],
    [B, TARGET_DDL],
  ] as const) {
    const conn = new SQL(url);
    await conn.unsafe(ddl);
    await conn.close();
  }
  dir = mkdtempSync(join(tmpdir(), "mx-diff-int-"));
  writeFileSync(join(dir, "source.sql"), SOURCE_DDL);
});

afterAll(async () => {
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbA} WITH (FORCE)`);
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbB} WITH (FORCE)`);
  await admin.close();
  rmSync(dir, { recursive: true, force: true });
});

async function mx(...args: string[]) {
  const io = captureIo({ cwd: dir, env: {} });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

const EXPECTED_TEXT = `~ table public.users
    ~ column email
        users.email: NULL → NOT NULL
        users.email: character varying(100) → text
    + column nick text
    - column old
    + index users_nick_idx
- table public.legacy
+ view public.emails
6 differences (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)

sync script: 8 statements (--format sql prints it with its down script)
risk: Medium
withheld (needs --allow-drop): column public.users.old
withheld (needs --allow-drop): table public.legacy
verified: on a scratch copy of the target, the script leaves no differences
`;

test("text: grouped differences, the plan's summary and a verified script; exit 1", async () => {
  expect(await mx("diff", A, B, "--verify")).toEqual({ code: 1, out: EXPECTED_TEXT, err: "" });
});

test("identical schemas: exit 0", async () => {
  expect(await mx("diff", A, A)).toEqual({ code: 0, out: "No differences.\n", err: "" });
});

test("include/exclude globs on schema.name (B is still unsynced here)", async () => {
  const r = await mx("diff", A, B, "--include", "public.users", "--exclude", "public.users", "--format", "json");
  expect({ code: r.code, changes: JSON.parse(r.out).differences.changes }).toEqual({ code: 0, changes: [] });
  const only = await mx("diff", A, B, "--include", "public.legacy", "--format", "json");
  expect(JSON.parse(only.out).differences.changes).toEqual([
    { kind: "table", action: "dropped", schema: "public", name: "legacy", fields: [] },
  ]);
});

test("sql: a migration file with -- UP and -- DOWN; applied to B it leaves no differences", async () => {
  const r = await mx("diff", A, B, "--format", "sql", "--allow-drop", "--rename", "users.old=nick");
  expect({ code: r.code, err: r.err }).toEqual({ code: 1, err: "" });
  expect(r.out).toContain("-- UP\nSET lock_timeout = '5s';\n");
  expect(r.out).toContain(`RENAME COLUMN "old" TO "nick"`);
  expect(r.out).toContain('DROP TABLE IF EXISTS "public"."legacy";\n');
  const up = r.out.slice(r.out.indexOf("-- UP\n") + 6, r.out.indexOf("-- DOWN\n"));
  const conn = new SQL(B);
  for (const run of [1, 2]) {
    // Idempotent: the second run finds nothing to do and fails on nothing.
    await conn.unsafe(up.replace(/^CREATE INDEX CONCURRENTLY/m, "CREATE INDEX")).simple();
    expect({ run, ...(await mx("diff", A, B)) }).toEqual({ run, code: 0, out: "No differences.\n", err: "" });
  }
  await conn.close();
});

test("snapshot --out, then a snapshot file and a DDL file as the two sides", async () => {
  expect(await mx("snapshot", A, "--objects", "--out", "a.json")).toEqual({
    code: 0,
    out: "",
    err: "wrote 1 tables, 1 other objects to a.json\n",
  });
  expect(JSON.parse(readFileSync(join(dir, "a.json"), "utf8")).tables[0].name).toBe("users");
  const r = await mx("diff", "a.json", "source.sql", "--engine", "postgresql", "--scratch", server, "--format", "json");
  expect(r).toEqual({
    code: 0,
    out: `${JSON.stringify(
      {
        differences: {
          sourceEngine: "postgresql",
          targetEngine: "postgresql",
          filters: ["generated-names", "whitespace", "column-order", "collation", "auto-increment"],
          changes: [],
        },
        sync: { sql: "", down: "", withheld: [], unsupported: [], risk: null },
      },
      // Not a terminal: one line.
    )}\n`,
    err: "",
  });
});

test("errors exit 2 without secrets; usage errors name the fix", async () => {
  const r = await mx("diff", "postgres://postgres:hunter2@127.0.0.1:1/x", B);
  expect({ code: r.code, out: r.out, leaks: r.err.includes("hunter2"), said: r.err.startsWith("error: ") }).toEqual({
    code: 2,
    out: "",
    leaks: false,
    said: true,
  });
  expect(await mx("diff", A, B, "--format", "yaml")).toEqual({
    code: 2,
    out: "",
    err: "error: --format must be text, json or sql, got 'yaml'\nrun 'mx diff --help' for usage\n",
  });
  expect(await mx("diff", A, B, "--no-filter", "typos")).toEqual({
    code: 2,
    out: "",
    err: "error: --no-filter: unknown filter 'typos' (known: generated-names, whitespace, column-order, collation, auto-increment)\nrun 'mx diff --help' for usage\n",
  });
});

test("SQLite files: a verified rebuild script; applied, the two compare equal", async () => {
  const a = join(dir, "a.db");
  const b = join(dir, "b.db");
  const sa = new SQL(`sqlite://${a}`);
  await sa.unsafe("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nick TEXT)").simple();
  await sa.close();
  const sb = new SQL(`sqlite://${b}`);
  await sb
    .unsafe("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users VALUES (1, 'x')")
    .simple();
  const r = await mx("diff", `sqlite://${a}`, `sqlite://${b}`, "--verify", "--format", "json");
  const doc = JSON.parse(r.out);
  expect({
    code: r.code,
    verified: doc.verify.verified,
    kinds: doc.differences.changes.map((c: { kind: string }) => c.kind),
  }).toEqual({
    code: 1,
    verified: true,
    kinds: ["column", "column"],
  });
  await sb.unsafe(doc.sync.sql).simple();
  expect(await sb.unsafe("SELECT id, email, nick FROM users")).toEqual([{ id: 1, email: "x", nick: null }]);
  await sb.close();
  expect(await mx("diff", `sqlite://${a}`, `sqlite://${b}`)).toEqual({ code: 0, out: "No differences.\n", err: "" });
});
