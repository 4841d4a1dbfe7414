// Read-only PROD, each layer alone (real PostgreSQL and SQLite, control plane, NATS, agent): a
// Viewer tries every write and escape from the issue; refused and audited with all layers on, then
// with the classifier off (layers 2 and 3), then with the classifier AND the agent's session guard
// off (the read-only role alone; SQLite: the file opened read-only). Data unchanged every time.
// Also: the read credential is required (never a fallback to the owner), checked when registered.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import postgres from "postgres";
import type { ExplorerControlHooks } from "../control/explorer/index.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { Agent } from "./agent.ts";
import type { ExplorerHooks } from "./explorer.ts";
import {
  codeOf,
  type ExplorerClient,
  expectReadCredentialChecked,
  explorerClient,
  personWith,
  runQuery,
  runStatements,
  startExplorerE2E,
} from "./explorer-support.ts";
import type { E2E } from "./int-support.ts";

const ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const controlHooks: ExplorerControlHooks = {};
const agentHooks: ExplorerHooks = {};
let dir: string;
let e2e: E2E;
let agent: Agent;
let viewer: ExplorerClient;
let admin: ExplorerClient;
let role: string;
let writer: string;
let dbName: string;
let litePath: string;

const roleUrl = (name: string) => `postgres://${name}:pw@127.0.0.1:5432/${dbName}`;

beforeAll(async () => {
  ({ dir, e2e, agent } = await startExplorerE2E({
    tag: "EXPLRO",
    kind: "postgresql",
    targets: ["prod"],
    controlHooks,
    agentHooks,
  }));
  dbName = new URL(e2e.targetUrl).pathname.slice(1);
  role = `mx_ro_${e2e.suffix}`;
  writer = `mx_rw_${e2e.suffix}`;
  await e2e.withTarget(async (s) => {
    await s.exec("create table orders (id int primary key, total numeric not null)");
    await s.exec("insert into orders values (1, 5.50), (2, 7.25)");
    await s.exec("create sequence ex_seq");
    await s.exec(
      "create function sneaky() returns int language sql volatile as 'insert into orders values (13, 0) returning 1'",
    );
    await s.exec(`create role ${role} login password 'pw'`);
    await s.exec(`grant select on all tables in schema public to ${role}`);
    await s.exec(`create role ${writer} login password 'pw'`);
    await s.exec(`grant select, insert on orders to ${writer}`);
  });
  litePath = join(dir, "lite.db");
  const lite = new Database(litePath, { create: true });
  lite.run("create table users (id integer primary key, name text)");
  lite.run("insert into users values (1, 'Ada'), (2, 'Bob')");
  lite.close();
  await e2e.addConnection(agent.agentId, {
    name: "lite",
    environment: "prod",
    engine: Engine.SQLITE,
    url: `sqlite://${litePath}`,
  });
  viewer = explorerClient(
    e2e.url,
    await personWith(e2e, "viewer-prod@example.com", { environment: "prod", role: "viewer" }),
  );
  admin = explorerClient(e2e.url, e2e.adminToken);
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  const sql = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  for (const r of [role, writer]) await sql.unsafe(`drop role if exists ${r}`).catch(() => undefined);
  await sql.end();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const pgData = () =>
  e2e.withTarget(async (s) => ({
    orders: await s.query("select id, total::text as total from orders order by id"),
    stolen: await s.query("select to_regclass('public.stolen') is not null as exists"),
    seq: await s.query("select last_value::int as v, is_called from ex_seq"),
  }));
const liteData = () => {
  const db = new Database(litePath, { readonly: true });
  try {
    return db.query("select id, name from users order by id").all();
  } finally {
    db.close();
  }
};
const digest = (sql: string) => createHash("sha256").update(sql).digest("hex");

describe("the read credential", () => {
  test("a protected environment without one refuses reads (never the owner instead)", async () => {
    expect(await codeOf(runQuery(viewer, "prod/app", "select 1"))).toBe("failed_precondition");
    let message = "";
    try {
      await runQuery(viewer, "prod/app", "select 1");
    } catch (e) {
      message = String(e);
    }
    expect(message).toContain("--read-only");
  });

  test("a superuser or a role that may write is refused as read credential; a SELECT-only role is kept", async () => {
    await expectReadCredentialChecked(e2e, agent.agentId, {
      engine: Engine.POSTGRESQL,
      viewer,
      writerUrl: roleUrl(writer),
      readerUrl: roleUrl(role),
      reader: role,
      whoSql: "select current_user as who",
    });
  });
});

const PG_ESCAPES = [
  "delete from orders",
  "update orders set total = 0",
  "insert into orders values (99, 1)",
  "with d as (delete from orders returning *) select * from d",
  "select * into stolen from orders",
  "select nextval('ex_seq')",
  "select setval('ex_seq', 42)",
  "copy orders to program 'true'",
  "select lo_export(lo_from_bytea(0, 'x'), '/tmp/mx-explorer-lo')",
  "select pg_read_file('/etc/hostname')",
  "select * from dblink('dbname=postgres', 'select 1') as t(a int)",
  "select sneaky()",
  "select * from orders for update",
  "commit; delete from orders",
  "set default_transaction_read_only = off; delete from orders",
  "set session characteristics as transaction read write; delete from orders",
  "rollback; start transaction read write; delete from orders; commit",
];

const LITE_ESCAPES = [
  "delete from users",
  "update users set name = 'x'",
  "insert into users values (9, 'x')",
  "PRAGMA query_only = 0; delete from users",
  "commit; delete from users",
  "create table t2 (x int)",
];

const refusedHistory = async () =>
  (await viewer.listQueryHistory({ environment: "prod", limit: 1000 })).entries.filter((h) => h.refused);

async function attemptAll(phase: string) {
  const before = { pg: await pgData(), lite: liteData() };
  const refusedBefore = (await refusedHistory()).length;
  const codes: Record<string, string> = {};
  for (const sql of PG_ESCAPES) codes[sql] = await codeOf(runStatements(viewer, "prod/app", sql));
  for (const sql of LITE_ESCAPES) codes[`lite: ${sql}`] = await codeOf(runStatements(viewer, "prod/lite", sql));
  // Every attempt refused, and nothing changed.
  expect({ phase, refused: Object.entries(codes).filter(([, c]) => c === "ok") }).toEqual({ phase, refused: [] });
  expect({ pg: await pgData(), lite: liteData() }).toEqual(before);
  // Every attempt of this phase audited as refused, by the SHA-256 of its SQL.
  const attempts = [...PG_ESCAPES, ...LITE_ESCAPES];
  const fresh = (await refusedHistory()).slice(0, (await refusedHistory()).length - refusedBefore);
  expect({ phase, audited: fresh.map((h) => h.sqlSha256).sort() }).toEqual({
    phase,
    audited: attempts.map(digest).sort(),
  });
  return codes;
}

describe("a Viewer on PROD: every write and escape refused, each layer alone", () => {
  test("all layers on: the classifier refuses before anything is sent", async () => {
    const codes = await attemptAll("all layers");
    // A user's function is not known to be read-only: the classifier counts its call as a write too.
    expect(Object.values(codes).filter((c) => c !== "permission_denied")).toEqual([]);
  }, 30_000);

  test("classifier off: the read-only session and the read-only role stop them", async () => {
    controlHooks.classifierOff = true;
    try {
      // The hook holds: the control plane now sends a write as a read, in a read-only transaction.
      expect(
        (await runQuery(viewer, "prod/app", "select current_setting('transaction_read_only') as ro")).rows,
      ).toEqual([["on"]]);
      await attemptAll("classifier off");
    } finally {
      controlHooks.classifierOff = false;
    }
  }, 30_000);

  test("classifier and session guard off: the read-only role (SQLite: read-only file) alone stops them", async () => {
    controlHooks.classifierOff = true;
    agentHooks.sessionGuardOff = true;
    try {
      // Both hooks hold: no read-only transaction, no query_only; only the credential is left.
      expect(
        (
          await runQuery(
            viewer,
            "prod/app",
            "select current_setting('transaction_read_only') as ro, current_user as who",
          )
        ).rows,
      ).toEqual([["off", role]]);
      expect((await runQuery(viewer, "prod/lite", "PRAGMA query_only")).rows).toEqual([["0"]]);
      await attemptAll("role only");
    } finally {
      controlHooks.classifierOff = false;
      agentHooks.sessionGuardOff = false;
    }
  }, 30_000);
});

describe("multi-statement queries", () => {
  test("each statement classified and answered on its own, in one read-only transaction", async () => {
    const res = await runStatements(
      viewer,
      "prod/app",
      "select id from orders order by id; select count(*) as n from orders",
    );
    expect(res.map((r) => ({ columns: r.columns.map((c) => c.name), rows: r.rows, kind: r.kind }))).toEqual([
      { columns: ["id"], rows: [["1"], ["2"]], kind: "read" },
      { columns: ["n"], rows: [["2"]], kind: "read" },
    ]);
  });

  test("one writing statement among reads refuses the whole query on PROD", async () => {
    expect(await codeOf(runStatements(admin, "prod/app", "select 1; delete from orders; select 2"))).toBe(
      "permission_denied",
    );
  });

  test("the row limit applies per statement", async () => {
    const res = await runStatements(
      viewer,
      "prod/app",
      "select g from generate_series(1, 10) g; select g from generate_series(1, 3) g",
      { limit: 5 },
    );
    expect(res.map((r) => ({ n: r.rows.length, truncated: r.truncated }))).toEqual([
      { n: 5, truncated: true },
      { n: 3, truncated: false },
    ]);
  });
});
