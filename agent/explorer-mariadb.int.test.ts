// Explorer end to end on MariaDB (real server, agent, control plane, NATS): columns traced through
// mysql2's orgTable/orgName and masked by the agent; writes on PROD refused by the control plane
// and, with it bypassed, by START TRANSACTION READ ONLY.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { rm } from "node:fs/promises";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { subjects } from "../bus/subjects.ts";
import { tables } from "../control/store/index.ts";
import { AgentReplySchema, AgentRequestSchema } from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { Agent } from "./agent.ts";
import {
  codeOf,
  type ExplorerClient,
  explorerClient,
  personWith,
  runQuery,
  startExplorerE2E,
} from "./explorer-support.ts";
import type { E2E } from "./int-support.ts";

let dir: string;
let e2e: E2E;
let agent: Agent;
let admin: ExplorerClient;
let viewer: ExplorerClient;
let readUser: string;

beforeAll(async () => {
  ({ dir, e2e, agent } = await startExplorerE2E({ tag: "EXPMARIA", kind: "mariadb", targets: ["prod"] }));
  readUser = `mx_ro_${e2e.suffix}`;
  await e2e.withTarget(async (s) => {
    await s.exec(
      "create table users (id int primary key, name varchar(50) not null, email varchar(100), ssn varchar(20))",
    );
    await s.exec("create table orders (id int primary key, user_id int not null, total decimal(8,2))");
    await s.exec(
      "insert into users values (1, 'Ada', 'ada@example.com', '123-45-6789'), (2, 'Bob', 'bob@example.com', '987-65-4321')",
    );
    await s.exec("insert into orders values (10, 1, 5.50), (11, 2, 7.25)");
    await s.exec("create view contacts as select id, email as contact from users");
    await s.exec(`create user '${readUser}'@'%' identified by 'pw'`);
    await s.exec(`grant select on ${db()}.* to '${readUser}'@'%'`);
  });
  // PROD reads run on a SELECT-only user (the read credential), never root.
  await e2e.addConnection(agent.agentId, {
    name: "app",
    environment: "prod",
    engine: Engine.MARIADB,
    url: `mariadb://${readUser}:pw@127.0.0.1:3306/${db()}`,
    readOnly: true,
  });
  admin = explorerClient(e2e.url, e2e.adminToken);
  viewer = explorerClient(
    e2e.url,
    await personWith(e2e, "viewer@example.com", { environment: "prod", role: "viewer" }),
  );
  await admin.addMaskPolicy({ environment: "prod", pattern: "*.email", kind: "hash" });
  await admin.addMaskPolicy({ environment: "prod", pattern: "users.ssn", kind: "partial", keepLast: 4 });
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.withTarget((s) => s.exec(`drop user if exists '${readUser}'@'%'`)).catch(() => undefined);
  await e2e?.close();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

const db = () => new URL(e2e.targetUrl).pathname.slice(1);

test("a viewer reads; masked columns are traced through aliases, * and joins", async () => {
  const r = await runQuery(viewer, "prod/app", "select id, email as e, ssn from users order by id");
  // The workspace key exists once a hash policy has been used.
  const [row] = await e2e.store.db.select().from(tables.explorerKeys);
  const hmac = (v: string) =>
    createHmac("sha256", Buffer.from(row?.maskKey ?? "", "base64"))
      .update(v)
      .digest("hex")
      .slice(0, 16);
  expect(r.columns).toEqual([
    { name: "id", source: `${db()}.users.id`, masked: "" },
    { name: "e", source: `${db()}.users.email`, masked: "hash" },
    { name: "ssn", source: `${db()}.users.ssn`, masked: "partial" },
  ]);
  expect(r.rows).toEqual([
    ["1", hmac("ada@example.com"), "***6789"],
    ["2", hmac("bob@example.com"), "***4321"],
  ]);
  expect((await runQuery(viewer, "prod/app", "select * from users where id = 2")).rows).toEqual([
    ["2", "Bob", hmac("bob@example.com"), "***4321"],
  ]);
  expect(
    (
      await runQuery(
        viewer,
        "prod/app",
        "select u.email, o.total from users u join orders o on o.user_id = u.id order by o.id",
      )
    ).rows,
  ).toEqual([
    [hmac("ada@example.com"), "5.50"],
    [hmac("bob@example.com"), "7.25"],
  ]);
});

test.each([
  "select lower(email) from users",
  "select concat(name, email) as x from users",
  "select id from users where email like 'a%'",
  "select contact from contacts",
])("%s is refused by the agent", async (sql) => {
  expect(await codeOf(runQuery(viewer, "prod/app", sql))).toBe("permission_denied");
});

test("writes on PROD: refused by the control plane, and by the agent's read-only transaction when bypassed", async () => {
  for (const sql of [
    "delete from orders",
    "SET SESSION TRANSACTION READ WRITE",
    "replace into orders values (1, 1, 1)",
  ]) {
    expect(await codeOf(runQuery(admin, "prod/app", sql))).toBe("permission_denied");
  }
  const req = create(AgentRequestSchema, {
    correlationId: "bypass",
    workspaceId: e2e.workspaceId,
    kind: { case: "query", value: { connection: "prod/app", sql: "delete from orders", readOnly: true, maxRows: 10 } },
  });
  const frames = [];
  for await (const f of e2e.bus.request(
    subjects.agentRpc(e2e.workspaceId, agent.agentId),
    toBinary(AgentRequestSchema, req),
    {
      timeoutMs: 10_000,
    },
  )) {
    frames.push(fromBinary(AgentReplySchema, f));
  }
  const err = frames.find((f) => f.kind.case === "error");
  expect(err?.kind.case === "error" ? err.kind.value.error?.nativeCode : "no error").toBe("1792");
  expect(await e2e.withTarget((s) => s.query("select count(*) as n from orders"))).toEqual([{ n: 2 }]);
});
