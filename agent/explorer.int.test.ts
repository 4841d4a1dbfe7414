// Explorer end to end (real PostgreSQL, agent, control plane, NATS JetStream): reads by role,
// writes refused on PROD by the control plane AND, with the control plane bypassed, by the agent's
// read-only transaction; masks applied by the agent (full, partial, hash stable) through aliases,
// SELECT *, joins; expressions, filters and renaming views over masked columns refused; every query
// audited by the SHA-256 of its SQL, never its text.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash, createHmac } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import postgres from "postgres";
import { subjects } from "../bus/subjects.ts";
import { seal } from "../common/sealedbox.ts";
import { listAudit } from "../control/audit/index.ts";
import { tables } from "../control/store/index.ts";
import { AgentReplySchema, AgentRequestSchema } from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import type { Agent } from "./agent.ts";
import {
  addPostgresReader,
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
let viewerProd: ExplorerClient;
let editorDev: ExplorerClient;
let viewerDev: ExplorerClient;
let nobody: ExplorerClient;
let key: Buffer;
let readRole: string;

const hmac = (v: string) => createHmac("sha256", key).update(v).digest("hex").slice(0, 16);

beforeAll(async () => {
  ({ dir, e2e, agent } = await startExplorerE2E({ tag: "EXPLORER", kind: "postgresql", targets: ["dev", "prod"] }));
  readRole = `mx_explorer_ro_${e2e.suffix}`;
  await e2e.withTarget(async (s) => {
    await s.exec("create table users (id int primary key, name text not null, email text, ssn text, phone text)");
    await s.exec("create table orders (id int primary key, user_id int not null references users (id), total numeric)");
    await s.exec(
      "insert into users values (1, 'Ada', 'ada@example.com', '123-45-6789', '555-0100'), (2, 'Bob', 'bob@example.com', '987-65-4321', null), (3, 'Ada2', 'ada@example.com', '111-22-3333', '555-0199')",
    );
    await s.exec("insert into orders values (10, 1, 5.50), (11, 2, 7.25)");
    await s.exec("create view contacts as select id, email as contact from users");
    await s.exec("create sequence ex_seq");
    await s.exec(
      "create function contact_of(int) returns text language sql stable as 'select email from users where id = $1'",
    );
    await s.exec(
      "create function sneaky() returns int language sql volatile as 'insert into orders values (13, 1, 0) returning 1'",
    );
    await s.exec("comment on column users.name is 'MARKER-COMMENT-7731'");
  });
  // PROD reads run on a SELECT-only role (the read credential), never the owner.
  await addPostgresReader(e2e, agent.agentId, readRole);
  // A SQLite database on PROD as well: prod/lite.
  const lite = new Database(join(dir, "lite.db"), { create: true });
  lite.run("create table users (id integer primary key, name text, email text)");
  lite.run("insert into users values (1, 'Ada', 'ada@example.com'), (2, 'Bob', 'bob@example.com')");
  lite.close();
  const me = (await e2e.connections.listAgents({})).agents.find((a) => a.id === agent.agentId);
  const box = seal(new TextEncoder().encode(`sqlite://${join(dir, "lite.db")}`), me?.publicKey ?? new Uint8Array());
  await e2e.connections.addConnection({
    name: "lite",
    environment: "prod",
    engine: Engine.SQLITE,
    agentId: agent.agentId,
    sealedUrl: box,
  });
  const tokens = await Promise.all([
    personWith(e2e, "viewer-prod@example.com", { environment: "prod", role: "viewer" }),
    personWith(e2e, "editor-dev@example.com", { environment: "dev", role: "editor" }),
    personWith(e2e, "viewer-dev@example.com", { environment: "dev", role: "viewer" }),
    personWith(e2e, "nobody@example.com"),
  ]);
  admin = explorerClient(e2e.url, e2e.adminToken);
  [viewerProd, editorDev, viewerDev, nobody] = tokens.map((t) => explorerClient(e2e.url, t)) as [
    ExplorerClient,
    ExplorerClient,
    ExplorerClient,
    ExplorerClient,
  ];
  await admin.addMaskPolicy({ environment: "prod", pattern: "*.email", kind: "hash", exemptRoles: ["admin"] });
  await admin.addMaskPolicy({ environment: "prod", pattern: "users.ssn", kind: "partial", keepLast: 4 });
  await admin.addMaskPolicy({ environment: "prod", pattern: "*.phone", kind: "full" });
  const [k] = await e2e.store.db.select().from(tables.explorerKeys);
  // The key exists once a hash policy is used; a first masked query creates it.
  if (!k) await runQuery(viewerProd, "prod/app", "select id from users where id = 0");
  const [row] = await e2e.store.db.select().from(tables.explorerKeys);
  key = Buffer.from(row?.maskKey ?? "", "base64");
}, 90_000);

afterAll(async () => {
  await agent?.stop();
  await e2e?.close();
  const pg = postgres("postgres://postgres@127.0.0.1:5432/postgres", { max: 1, onnotice: () => {} });
  await pg.unsafe(`drop role if exists ${readRole}`).catch(() => undefined);
  await pg.end();
  await rm(dir, { recursive: true, force: true });
}, 30_000);

/** Sends a read-only query straight to the agent on the bus, as a compromised control plane could. */
async function bypass(connection: string, sql: string) {
  const req = create(AgentRequestSchema, {
    correlationId: "bypass",
    workspaceId: e2e.workspaceId,
    kind: { case: "query", value: { connection, sql, readOnly: true, maxRows: 10 } },
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
  return err?.kind.case === "error"
    ? { code: err.kind.value.error?.code, native: err.kind.value.error?.nativeCode }
    : "ok";
}

describe("reads and roles", () => {
  test("a viewer on PROD reads non-masked data", async () => {
    expect(await runQuery(viewerProd, "prod/app", "select id, name from users order by id")).toEqual({
      columns: [
        { name: "id", source: "public.users.id", masked: "" },
        { name: "name", source: "public.users.name", masked: "" },
      ],
      rows: [
        ["1", "Ada"],
        ["2", "Bob"],
        ["3", "Ada2"],
      ],
      rowCount: 3,
      truncated: false,
      rowsAffected: 0,
      kind: "read",
    });
  });

  test("the row limit truncates and says so", async () => {
    const r = await runQuery(viewerProd, "prod/app", "select id from users order by id", { limit: 2 });
    expect({ rows: r.rows, rowCount: r.rowCount, truncated: r.truncated }).toEqual({
      rows: [["1"], ["2"]],
      rowCount: 2,
      truncated: true,
    });
  });

  test("parameters are bound, not spliced", async () => {
    const r = await runQuery(viewerProd, "prod/app", "select name from users where id = $1", { params: ["2"] });
    expect(r.rows).toEqual([["Bob"]]);
  });

  test.each([
    ["no role at all", () => nobody, "prod/app", "select 1", "permission_denied"],
    [
      "a viewer on DEV writing",
      () => viewerDev,
      "dev/app",
      "insert into orders values (99, 1, 1)",
      "permission_denied",
    ],
    ["a viewer on DEV reading PROD", () => viewerDev, "prod/app", "select 1", "permission_denied"],
    [
      "two statements with a write on PROD",
      () => admin,
      "prod/app",
      "select 1; delete from orders",
      "permission_denied",
    ],
  ])("%s is refused", async (_what, who, conn, sql, code) => {
    expect(await codeOf(runQuery(who(), conn, sql))).toBe(code);
  });

  test("large results stream in several frames, bounded by the limit", async () => {
    let frames = 0;
    let rows = 0;
    let last = "";
    const started = performance.now();
    for await (const msg of viewerProd.query({
      connection: "prod/app",
      sql: "select g, repeat('x', 40) as pad from generate_series(1, 50000) g",
      limit: 40_000,
    })) {
      frames++;
      rows += msg.rows.length;
      const cell = msg.rows.at(-1)?.cells[0]?.value;
      if (cell?.case === "text") last = cell.value;
      if (msg.done)
        expect({ rowCount: Number(msg.rowCount), truncated: msg.truncated }).toEqual({
          rowCount: 40_000,
          truncated: true,
        });
    }
    const ms = performance.now() - started;
    // Printed for the record (rows/s through control plane, NATS and agent), not asserted.
    console.log(
      `explorer stream: 40000 rows in ${ms.toFixed(0)} ms (${Math.round(40_000 / (ms / 1000))} rows/s), ${frames} frames`,
    );
    expect({ rows, last, several: frames > 10 }).toEqual({ rows: 40_000, last: "40000", several: true });
  });

  test("history: one's own queries; everyone's only for the environment's admins", async () => {
    expect(await codeOf(viewerProd.listQueryHistory({ environment: "prod", allUsers: true }))).toBe(
      "permission_denied",
    );
    await runQuery(admin, "prod/app", "select 1 as one");
    const mine = await viewerProd.listQueryHistory({ environment: "prod", limit: 1000 });
    const all = await admin.listQueryHistory({ environment: "prod", allUsers: true, limit: 1000 });
    expect({
      onlyMine: new Set(mine.entries.map((e) => e.actor)).size,
      moreInAll: all.entries.length > mine.entries.length,
    }).toEqual({ onlyMine: 1, moreInAll: true });
  });

  test("the statement timeout stops a long query in the database", async () => {
    const started = performance.now();
    expect(await codeOf(runQuery(viewerProd, "prod/app", "select pg_sleep(5)", { timeoutMs: 100 }))).toBe("canceled");
    expect(performance.now() - started).toBeLessThan(4_000);
  });

  test("an editor writes on DEV (committed), a read after sees it", async () => {
    const w = await runQuery(editorDev, "dev/app", "insert into orders values (12, 3, 1.00)");
    expect({ kind: w.kind, rowsAffected: w.rowsAffected }).toEqual({ kind: "write", rowsAffected: 1 });
    expect((await runQuery(editorDev, "dev/app", "select id from orders where id = 12")).rows).toEqual([["12"]]);
    await e2e.withTarget((s) => s.exec("delete from orders where id = 12"));
  });
});

describe("read-only PROD", () => {
  const writes = [
    "delete from orders",
    "update users set name = 'x'",
    "with d as (delete from orders returning *) select * from d",
    "select * into stolen from users",
    "select nextval('ex_seq')",
    "set default_transaction_read_only = off",
    "select pg_read_file('/etc/passwd')",
    "select * from users for update",
    "copy users to program 'true'",
  ];
  test.each(writes)("the control plane refuses %s, even for an admin", async (sql) => {
    expect(await codeOf(runQuery(admin, "prod/app", sql))).toBe("permission_denied");
  });

  test("with the control plane bypassed, the agent's read-only transaction refuses writes", async () => {
    const send = (sql: string) => bypass("prod/app", sql);
    expect(await send("delete from orders")).toEqual({ code: "failed_precondition", native: "25006" });
    expect(await send("with d as (delete from orders returning *) select * from d")).toEqual({
      code: "failed_precondition",
      native: "25006",
    });
    expect(await send("select nextval('ex_seq')")).toEqual({ code: "failed_precondition", native: "25006" });
    // Several statements run one by one in the same read-only transaction.
    expect(await send("select 1; delete from orders")).toEqual({ code: "failed_precondition", native: "25006" });
    // Statements that would leave the read-only transaction are refused before anything runs.
    expect(await send("commit; delete from orders")).toEqual({ code: "permission_denied", native: "" });
    expect(await e2e.withTarget((s) => s.query("select count(*)::int as n from orders"))).toEqual([{ n: 2 }]);
  });

  test("a user's function may write: its call is classified a write, refused to Viewers before anything is sent", async () => {
    const count = async () => e2e.withTarget((s) => s.query("select count(*)::int as n from orders"));
    expect(await codeOf(runQuery(viewerDev, "dev/app", "select sneaky()"))).toBe("permission_denied");
    expect(await codeOf(runQuery(viewerProd, "prod/app", "select sneaky()"))).toBe("permission_denied");
    expect(await count()).toEqual([{ n: 2 }]);
    // An Editor may write on DEV: the call runs as the write it is (on DEV, with no mask policies).
    expect(await codeOf(runQuery(editorDev, "dev/app", "select sneaky()"))).toBe("ok");
    expect(await count()).toEqual([{ n: 3 }]);
    await e2e.withTarget((s) => s.exec("delete from orders where id = 13"));
  });

  test("an admin may write on PROD only once explorer writes are allowed there", async () => {
    await admin.setExplorerSettings({ environment: "prod", writesAllowed: true });
    try {
      expect(await codeOf(runQuery(viewerProd, "prod/app", "update users set name = name where id = 1"))).toBe(
        "permission_denied",
      );
      const w = await runQuery(admin, "prod/app", "update users set name = name where id = 1");
      expect({ kind: w.kind, rowsAffected: w.rowsAffected }).toEqual({ kind: "write", rowsAffected: 1 });
    } finally {
      await admin.setExplorerSettings({ environment: "prod", writesAllowed: false });
    }
  });
});

describe("masking", () => {
  test("full, partial and hash (stable: equal values mask equally) through select, alias, * and joins", async () => {
    const ada = hmac("ada@example.com");
    const bob = hmac("bob@example.com");
    expect(await runQuery(viewerProd, "prod/app", "select id, email, ssn, phone from users order by id")).toEqual({
      columns: [
        { name: "id", source: "public.users.id", masked: "" },
        { name: "email", source: "public.users.email", masked: "hash" },
        { name: "ssn", source: "public.users.ssn", masked: "partial" },
        { name: "phone", source: "public.users.phone", masked: "full" },
      ],
      rows: [
        ["1", ada, "***6789", "***"],
        ["2", bob, "***4321", null],
        ["3", ada, "***3333", "***"],
      ],
      rowCount: 3,
      truncated: false,
      rowsAffected: 0,
      kind: "read",
    });
    expect((await runQuery(viewerProd, "prod/app", "select email as e from users order by id")).rows).toEqual([
      [ada],
      [bob],
      [ada],
    ]);
    const star = await runQuery(viewerProd, "prod/app", "select * from users where id = 2");
    expect(star.rows).toEqual([["2", "Bob", bob, "***4321", null]]);
    const join_ = await runQuery(
      viewerProd,
      "prod/app",
      "select u.email, o.total from users u join orders o on o.user_id = u.id order by o.id",
    );
    expect(join_.rows).toEqual([
      [ada, "5.50"],
      [bob, "7.25"],
    ]);
  });

  test.each([
    ["an expression over a masked column", "select lower(email) from users"],
    ["a filter on a masked column", "select id from users where email = 'ada@example.com'"],
    ["an ordering by a masked column", "select id from users order by ssn"],
    ["a view that renames a masked column", "select contact from contacts"],
    ["a whole-row value", "select u from users u"],
    ["a user-defined function that reads a masked column", "select contact_of(1)"],
    ["an expression next to a table holding masked columns", "select row_to_json(u) from users u"],
  ])("%s is refused by the agent", async (_what, sql) => {
    expect(await codeOf(runQuery(viewerProd, "prod/app", sql))).toBe("permission_denied");
  });

  test("an exempt role (admin) sees the hashed column unmasked, the others still masked", async () => {
    expect((await runQuery(admin, "prod/app", "select email, ssn from users where id = 1")).rows).toEqual([
      ["ada@example.com", "***6789"],
    ]);
  });

  test("DEV has no policies: the same query there is unmasked", async () => {
    expect((await runQuery(editorDev, "dev/app", "select email from users where id = 2")).rows).toEqual([
      ["bob@example.com"],
    ]);
  });
});

describe("audit", () => {
  test("every query is audited with the SHA-256 of its SQL, never the text", async () => {
    const sql = "select id, name from users where id = 3";
    await runQuery(viewerProd, "prod/app", sql);
    await codeOf(runQuery(viewerProd, "prod/app", "delete from users where id = 3"));
    const records = await listAudit(e2e.store.db, e2e.workspaceId, { limit: 1000, newest: true });
    const queries = records.filter((r) => r.action === "explorer.query");
    const digest = (s: string) => createHash("sha256").update(s).digest("hex");
    const ok = queries.find((r) => r.sqlSha256 === digest(sql));
    const refused = queries.find((r) => r.sqlSha256 === digest("delete from users where id = 3"));
    expect({
      ok: { actor: ok?.actor.startsWith("user:"), env: ok?.environment, target: ok?.target, rows: ok?.detail.rows },
      okRefused: ok?.detail.refused,
      refused: { refused: refused?.detail.refused, code: refused?.detail.code, kind: refused?.detail.kind },
    }).toEqual({
      ok: { actor: true, env: "prod", target: "prod/app", rows: 1 },
      okRefused: false,
      refused: { refused: true, code: "permission_denied", kind: "write" },
    });
    const all = JSON.stringify(records);
    for (const text of ["from users where id = 3", "ada@example.com", "123-45-6789"]) expect(all).not.toContain(text);
  });
});

describe("SQLite (bun:sqlite exposes no source table: masks match by column name)", () => {
  test("masked by name through select and *, an alias of a masked column refused", async () => {
    const bob = hmac("bob@example.com");
    expect(await runQuery(viewerProd, "prod/lite", "select * from users where id = 2")).toEqual({
      columns: [
        { name: "id", source: "", masked: "" },
        { name: "name", source: "", masked: "" },
        { name: "email", source: "", masked: "hash" },
      ],
      rows: [["2", "Bob", bob]],
      rowCount: 1,
      truncated: false,
      rowsAffected: 0,
      kind: "read",
    });
    expect(await codeOf(runQuery(viewerProd, "prod/lite", "select email as e from users"))).toBe("permission_denied");
    expect(await codeOf(runQuery(viewerProd, "prod/lite", "select upper(email) as email2 from users"))).toBe(
      "permission_denied",
    );
  });

  test("writes refused by the control plane, and by the agent's readonly open with the control plane bypassed", async () => {
    expect(await codeOf(runQuery(admin, "prod/lite", "delete from users"))).toBe("permission_denied");
    expect(await codeOf(runQuery(admin, "prod/lite", "PRAGMA query_only = 0"))).toBe("permission_denied");
    expect((await bypass("prod/lite", "delete from users")) === "ok").toBe(false);
    expect((await bypass("prod/lite", "update users set name = 'x'")) === "ok").toBe(false);
    const db = new Database(join(dir, "lite.db"), { readonly: true });
    expect(db.query("select count(*) as n from users where name in ('Ada', 'Bob')").get()).toEqual({ n: 2 });
    db.close();
  });
});

describe("AI SQL", () => {
  test("the real SDK against a local Messages API: schema in the prompt, no rows, comments only when opted in; SQL scored, never run", async () => {
    const seen: { path: string; apiKey: string | null; body: Record<string, unknown> }[] = [];
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        seen.push({
          path: new URL(req.url).pathname,
          // This SDK version sends the key as a bearer token; older ones as x-api-key.
          apiKey: req.headers.get("x-api-key") ?? req.headers.get("authorization")?.replace(/^Bearer /, "") ?? null,
          body: (await req.json()) as Record<string, unknown>,
        });
        return Response.json({
          id: "msg_test",
          type: "message",
          role: "assistant",
          model: "claude-test",
          content: [
            {
              type: "text",
              text: "```sql\ndelete from orders\n```\nDeletes every order.",
            },
          ],
          stop_reason: "end_turn",
          stop_sequence: null,
          usage: { input_tokens: 10, output_tokens: 10 },
        });
      },
    });
    const saved = {
      key: process.env.ANTHROPIC_API_KEY,
      url: process.env.ANTHROPIC_BASE_URL,
      model: process.env.MIGRATRIX_AI_MODEL,
    };
    try {
      delete process.env.ANTHROPIC_API_KEY;
      expect(await codeOf(viewerProd.askSql({ environment: "prod", question: "all orders?", connection: "app" }))).toBe(
        "failed_precondition",
      );
      process.env.ANTHROPIC_API_KEY = "sk-test-key";
      process.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${server.port}`;
      process.env.MIGRATRIX_AI_MODEL = "claude-test";
      const res = await viewerProd.askSql({ environment: "prod", question: "remove all orders", connection: "app" });
      expect({
        sql: res.sql,
        explanation: res.explanation,
        engine: res.engine,
        riskLevel: res.riskLevel,
        model: res.model,
        checks: (JSON.parse(res.riskJson) as { statements: { findings: { check: string }[] }[] }).statements.flatMap(
          (st) => st.findings.map((f) => f.check),
        ),
      }).toEqual({
        sql: "delete from orders",
        explanation: "Deletes every order.",
        engine: "postgresql",
        riskLevel: "critical",
        model: "claude-test",
        checks: ["missing-statement-timeout", "delete-without-where"],
      });
      expect(seen.map((x) => ({ path: x.path, apiKey: x.apiKey, model: x.body.model }))).toEqual([
        { path: "/v1/messages", apiKey: "sk-test-key", model: "claude-test" },
      ]);
      const prompt = JSON.stringify(seen[0]?.body);
      expect(prompt).toContain(
        "users(id integer primary key not null, name text not null, email text, ssn text, phone text)",
      );
      expect(prompt).toContain("remove all orders");
      for (const marker of ["ada@example.com", "123-45-6789", "555-0100", "MARKER-COMMENT-7731", "Ada"]) {
        expect(prompt).not.toContain(marker);
      }
      // Opted in: the comments go too (and the audit says so), still no row value.
      await viewerProd.askSql({
        environment: "prod",
        question: "who is who?",
        connection: "app",
        includeComments: true,
      });
      const opted = (seen[1]?.body.messages as { content: string }[] | undefined)?.[0]?.content ?? "";
      expect(opted).toContain('name text not null comment "MARKER-COMMENT-7731"');
      for (const marker of ["ada@example.com", "123-45-6789", "555-0100", "Ada"]) expect(opted).not.toContain(marker);
      // Never executed: the orders are all there.
      expect(await e2e.withTarget((s) => s.query("select count(*)::int as n from orders"))).toEqual([{ n: 2 }]);
    } finally {
      server.stop(true);
      for (const [k, v] of [
        ["ANTHROPIC_API_KEY", saved.key],
        ["ANTHROPIC_BASE_URL", saved.url],
        ["MIGRATRIX_AI_MODEL", saved.model],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
