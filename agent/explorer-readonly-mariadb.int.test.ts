// Read-only PROD on MariaDB, each layer alone (real server, control plane, NATS, agent): a Viewer's
// writes and escapes refused with all layers on, with the classifier off (START TRANSACTION READ
// ONLY and the SELECT-only user), and with the classifier and session guard off (the SELECT-only
// user alone), data unchanged; the read credential checked when registered. Also safe CRUD on DEV.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rm } from "node:fs/promises";
import mysql from "mysql2/promise";
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

const controlHooks: ExplorerControlHooks = {};
const agentHooks: ExplorerHooks = {};
let dir: string;
let e2e: E2E;
let agent: Agent;
let viewer: ExplorerClient;
let editor: ExplorerClient;
let root: mysql.Connection;
let user: string;
let writer: string;
let dbName: string;

const userUrl = (name: string) => `mariadb://${name}:pw@127.0.0.1:3306/${dbName}`;
const text = (v: string) => ({ value: { case: "text" as const, value: v } });

beforeAll(async () => {
  ({ dir, e2e, agent } = await startExplorerE2E({
    tag: "EXPROMARIA",
    kind: "mariadb",
    targets: ["prod", "dev"],
    controlHooks,
    agentHooks,
  }));
  dbName = new URL(e2e.targetUrl).pathname.slice(1);
  user = `mx_ro_${e2e.suffix}`;
  writer = `mx_rw_${e2e.suffix}`;
  root = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: dbName });
  await root.query("create table orders (id int primary key, total decimal(8,2) not null, note varchar(40))");
  await root.query("insert into orders values (1, 5.50, 'a'), (2, 7.25, 'b'), (3, 1.00, 'c')");
  await root.query(`create user '${user}'@'%' identified by 'pw'`);
  await root.query(`grant select on ${dbName}.* to '${user}'@'%'`);
  await root.query(`create user '${writer}'@'%' identified by 'pw'`);
  await root.query(`grant select, insert on ${dbName}.* to '${writer}'@'%'`);
  viewer = explorerClient(
    e2e.url,
    await personWith(e2e, "viewer@example.com", { environment: "prod", role: "viewer" }),
  );
  editor = explorerClient(e2e.url, await personWith(e2e, "editor@example.com", { environment: "dev", role: "editor" }));
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  for (const u of [user, writer]) await root?.query(`drop user if exists '${u}'@'%'`).catch(() => undefined);
  await root?.end();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const data = async () => {
  const [rows] = await root.query("select id, total, note from orders order by id");
  const [tables] = await root.query(`select table_name from information_schema.tables where table_schema = ?`, [
    dbName,
  ]);
  return { rows, tables };
};

test("the read credential: required on PROD, a user that may write refused, a SELECT-only user kept", async () => {
  expect(await codeOf(runQuery(viewer, "prod/app", "select 1"))).toBe("failed_precondition");
  await expectReadCredentialChecked(e2e, agent.agentId, {
    engine: Engine.MARIADB,
    viewer,
    writerUrl: userUrl(writer),
    readerUrl: userUrl(user),
    reader: user,
    whoSql: "select substring_index(current_user(), '@', 1) as who",
  });
});

const ESCAPES = [
  "delete from orders",
  "update orders set total = 0",
  "insert into orders values (99, 1, 'x')",
  "replace into orders values (1, 0, 'x')",
  "select * from orders into outfile '/tmp/mx-explorer-outfile'",
  "create table stolen as select * from orders",
  "commit; delete from orders",
  "SET SESSION TRANSACTION READ WRITE; delete from orders",
  "rollback; start transaction read write; delete from orders; commit",
];

async function attemptAll(phase: string) {
  const before = await data();
  const codes: [string, string][] = [];
  for (const sql of ESCAPES) codes.push([sql, await codeOf(runStatements(viewer, "prod/app", sql))]);
  expect({ phase, passed: codes.filter(([, c]) => c === "ok") }).toEqual({ phase, passed: [] });
  expect(await data()).toEqual(before);
  return codes.map(([, c]) => c);
}

describe("a Viewer on PROD, each layer alone", () => {
  test("all layers on: the classifier refuses", async () => {
    expect(await attemptAll("all layers")).toEqual(ESCAPES.map(() => "permission_denied"));
  });

  test("classifier off: the read-only transaction and the SELECT-only user stop them", async () => {
    controlHooks.classifierOff = true;
    try {
      await attemptAll("classifier off");
    } finally {
      controlHooks.classifierOff = false;
    }
  });

  test("classifier and session guard off: the SELECT-only user alone stops them", async () => {
    controlHooks.classifierOff = true;
    agentHooks.sessionGuardOff = true;
    try {
      // The guard is off: a statement that leaves the transaction now runs (and changes nothing).
      expect((await runStatements(viewer, "prod/app", "commit; select count(*) as n from orders"))[1]?.rows).toEqual([
        ["3"],
      ]);
      await attemptAll("user only");
    } finally {
      controlHooks.classifierOff = false;
      agentHooks.sessionGuardOff = false;
    }
  });
});

describe("safe CRUD on DEV (MariaDB)", () => {
  test("browse pages by primary key; an edit with stale old values changes nothing; a good one does", async () => {
    const p1 = await editor.browseTable({ connection: "dev/app", table: "orders", limit: 2 });
    expect({
      rows: p1.rows.map((r) => r.cells.map((c) => (c.value.case === "text" ? c.value.value : null))),
      key: p1.keyColumns,
      next: p1.nextAfter,
    }).toEqual({
      rows: [
        ["1", "5.50", "a"],
        ["2", "7.25", "b"],
      ],
      key: ["id"],
      next: ["2"],
    });
    const p2 = await editor.browseTable({ connection: "dev/app", table: "orders", limit: 2, after: p1.nextAfter });
    expect({ n: p2.rows.length, next: p2.nextAfter }).toEqual({ n: 1, next: [] });
    const before = await data();
    const edit = (old: string) =>
      editor.editRow({
        connection: "dev/app",
        table: "orders",
        op: "update",
        key: [{ column: "id", value: text("2") }],
        expected: [{ column: "note", value: text(old) }],
        values: [{ column: "note", value: text("changed") }],
      });
    expect(await codeOf(edit("stale"))).toBe("aborted");
    expect(await data()).toEqual(before);
    const ok = await edit("b");
    expect({ n: Number(ok.rowsAffected), digests: [ok.beforeSha256.length, ok.afterSha256.length] }).toEqual({
      n: 1,
      digests: [64, 64],
    });
    const [rows] = await root.query("select note from orders where id = 2");
    expect(rows as unknown).toEqual([{ note: "changed" }]);
  });
});
