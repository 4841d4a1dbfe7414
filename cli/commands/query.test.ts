// mx query / mask / ask against a real control plane (PGlite, in-process bus) and a real in-process
// agent serving a SQLite database: table, CSV and JSON output, masking policies, AI without a key.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { type Agent, createAgent } from "../../agent/index.ts";
import { MIN_VAULT_ITERATIONS, openVault } from "../../agent/vault.ts";
import { type Bus, createMemoryBus } from "../../bus/index.ts";
import { createLogger } from "../../common/log.ts";
import { seal } from "../../common/sealedbox.ts";
import {
  bootstrap,
  type ControlApp,
  createControlApp,
  openStore,
  type Store,
  silentLogger,
} from "../../control/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { ConnectionService } from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";
import { csvField } from "./query.ts";

const dir = mkdtempSync(join(tmpdir(), "mx-query-"));
let store: Store;
let bus: Bus;
let control: ControlApp;
let agent: Agent;
let server = "";
let adminToken = "";

beforeAll(async () => {
  store = await openStore({});
  bus = createMemoryBus();
  const boot = await bootstrap(store.db, {
    environments: [
      { name: "dev", position: 1 },
      { name: "prod", position: 2, requiredApprovals: 1, protected: true },
    ],
  });
  adminToken = boot.adminToken ?? "";
  const prefix = `QRY${Date.now()}`;
  control = await createControlApp({ store, bus, streamPrefix: prefix, log: silentLogger });
  server = (await control.start(0)).url;
  const vault = await openVault({
    path: join(dir, "vault.json"),
    passphrase: "query",
    iterations: MIN_VAULT_ITERATIONS,
    agentId: "agent-query",
  });
  agent = createAgent({
    bus,
    workspaceId: boot.workspaceId,
    token: boot.agentToken ?? "",
    vault,
    streamPrefix: prefix,
    log: createLogger({ level: "error" }),
  });
  await agent.start();
  const db = new Database(join(dir, "app.db"), { create: true });
  db.run("create table people (id integer primary key, name text, email text)");
  db.run("insert into people values (1, 'Ada, Countess', 'ada@example.com'), (2, 'Bob', null)");
  db.close();
  const connections = createClient(
    ConnectionService,
    createConnectTransport({
      baseUrl: server,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${adminToken}`);
          return next(req);
        },
      ],
    }),
  );
  const me = (await connections.listAgents({})).agents.find((a) => a.id === "agent-query");
  const sealedUrl = seal(
    new TextEncoder().encode(`sqlite://${join(dir, "app.db")}`),
    me?.publicKey ?? new Uint8Array(),
  );
  await connections.addConnection({
    name: "app",
    environment: "prod",
    engine: Engine.SQLITE,
    agentId: "agent-query",
    sealedUrl,
  });
}, 30_000);

afterAll(async () => {
  await agent?.stop();
  await control.stop();
  await bus.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function mx(...args: string[]) {
  const io = captureIo({ env: { NO_COLOR: "1" } });
  const code = await runCli([...args, "--server", server, "--token", adminToken], io);
  return { code, out: io.out(), err: io.err() };
}

test("csvField quotes what needs quoting", () => {
  expect([csvField("a"), csvField("a,b"), csvField('say "hi"'), csvField(null)]).toEqual([
    "a",
    '"a,b"',
    '"say ""hi"""',
    "",
  ]);
});

test("mx query: table, csv and json; --limit truncates", async () => {
  const table = await mx("query", "prod/app", "select id, name from people order by id");
  expect({ code: table.code, out: table.out }).toEqual({ code: 0, out: "id  name\n1   Ada, Countess\n2   Bob\n" });
  expect(table.err).toMatch(/^2 rows in [\d.]+ m?s\n$/);
  const csv = await mx("query", "prod/app", "select id, name, email from people order by id", "--format", "csv");
  expect(csv.out).toBe('id,name,email\n1,"Ada, Countess",ada@example.com\n2,Bob,\n');
  const json = await mx("query", "prod/app", "select id from people order by id", "--limit", "1", "--json");
  const doc = JSON.parse(json.out) as Record<string, unknown>;
  expect({ ...doc, durationMs: 0 } as Record<string, unknown>).toEqual({
    columns: [{ name: "id", masked: "", source: "" }],
    rows: [["1"]],
    rowCount: 1,
    truncated: true,
    durationMs: 0,
    rowsAffected: 0,
    kind: "read",
  });
});

test("mx query refuses a write on a protected environment", async () => {
  const r = await mx("query", "prod/app", "delete from people");
  expect(r.code).not.toBe(0);
  expect(r.err).toContain("read-only for the explorer");
});

test("mx mask add / list / remove, and the query masked by the agent", async () => {
  const added = await mx("mask", "add", "*.email", "partial", "--keep", "4", "--env", "prod", "--json");
  const { id } = JSON.parse(added.out) as { id: string };
  const list = await mx("mask", "list", "--env", "prod");
  expect(
    list.out
      .split("\n")[1]
      ?.split(/\s{2,}/)
      .slice(0, 4),
  ).toEqual([id, "*.email", "partial (last 4)", "-"]);
  const q = await mx("query", "prod/app", "select email from people order by id", "--format", "csv");
  expect(q.out).toBe("email\n***.com\n\n");
  const removed = await mx("mask", "remove", id, "--env", "prod");
  expect(removed).toEqual({ code: 0, out: `policy ${id} removed from prod\n`, err: "" });
  expect((await mx("mask", "list", "--env", "prod")).out).toBe("no masking policies\n");
});

test("mx ask without ANTHROPIC_API_KEY says what to set", async () => {
  const saved = process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_API_KEY;
  try {
    const r = await mx("ask", "prod", "how many people?");
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("set ANTHROPIC_API_KEY");
  } finally {
    if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
  }
});

test("mx query history: the caller's queries on the environment, newest first, SHA-256 not text", async () => {
  const sql = "select name from people where id = 2";
  await mx("query", "prod/app", sql);
  await mx("query", "prod/app", "select 1; delete from people");
  const r = await mx("query", "history", "--env", "prod", "--limit", "2", "--json");
  const { entries } = JSON.parse(r.out) as { entries: Record<string, unknown>[] };
  expect(entries.map((e): Record<string, unknown> => ({ ...e, at: undefined, durationMs: undefined }))).toEqual([
    {
      actor: expect.stringMatching(/^user:/),
      connection: "prod/app",
      sqlSha256: new Bun.CryptoHasher("sha256").update("select 1; delete from people").digest("hex"),
      kind: "write",
      rows: "0",
      refused: true,
      code: "permission_denied",
      at: undefined,
      durationMs: undefined,
    },
    {
      actor: expect.stringMatching(/^user:/),
      connection: "prod/app",
      sqlSha256: new Bun.CryptoHasher("sha256").update(sql).digest("hex"),
      kind: "read",
      rows: "1",
      refused: false,
      code: "",
      at: undefined,
      durationMs: undefined,
    },
  ]);
  expect(r.out).not.toContain("people");
});

test("mx query --env: several statements, a table each", async () => {
  const r = await mx("query", "--env", "prod", "select 1 as a; select 2 as b, 3 as c");
  expect({ code: r.code, out: r.out }).toEqual({
    code: 0,
    out: "-- statement 1\na\n1\n-- statement 2\nb  c\n2  3\n",
  });
  const json = await mx("query", "--env", "prod", "select 1 as a; select 2 as b", "--json");
  const doc = JSON.parse(json.out) as { statements: { rows: string[][]; kind: string }[] };
  expect(doc.statements.map((s) => ({ rows: s.rows, kind: s.kind }))).toEqual([
    { rows: [["1"]], kind: "read" },
    { rows: [["2"]], kind: "read" },
  ]);
});

test("mx table browse pages by primary key; mx table edit is refused on PROD without a write grant", async () => {
  const first = await mx("table", "browse", "people", "--env", "prod", "--limit", "1");
  expect({ code: first.code, out: first.out, err: first.err }).toEqual({
    code: 0,
    out: "id  name           email\n1   Ada, Countess  ada@example.com\n",
    err: `1 rows; next page: --after '["1"]'\n`,
  });
  const next = await mx("table", "browse", "people", "--env", "prod", "--after", '["1"]', "--json");
  expect(JSON.parse(next.out)).toEqual({
    columns: [
      { name: "id", masked: "" },
      { name: "name", masked: "" },
      { name: "email", masked: "" },
    ],
    rows: [["2", "Bob", null]],
    keyColumns: ["id"],
    nextAfter: [],
  });
  const edit = await mx(
    "table",
    "edit",
    "people",
    "--env",
    "prod",
    "--op",
    "update",
    "--key",
    '{"id": 2}',
    "--old",
    '{"name": "Bob"}',
    "--set",
    '{"name": "Robert"}',
  );
  expect({ code: edit.code === 0, err: edit.err.includes("read-only for the explorer") }).toEqual({
    code: false,
    err: true,
  });
  expect((await mx("table", "grants", "--env", "prod")).out).toBe("no write grants\n");
  const db = new Database(join(dir, "app.db"), { readonly: true });
  expect(db.query("select name from people where id = 2").get()).toEqual({ name: "Bob" });
  db.close();
});

test("mx ai --env is mx ask: without ANTHROPIC_API_KEY it says what to set", async () => {
  const saved = process.env.ANTHROPIC_API_KEY;
  delete process.env.ANTHROPIC_API_KEY;
  try {
    const r = await mx("ai", "--env", "prod", "how many people?");
    expect({ code: r.code === 0, says: r.err.includes("set ANTHROPIC_API_KEY") }).toEqual({ code: false, says: true });
  } finally {
    if (saved !== undefined) process.env.ANTHROPIC_API_KEY = saved;
  }
});

test("mx connection add --read-only registers the read credential of an existing connection", async () => {
  const url = `sqlite://${join(dir, "app.db")}`;
  const missing = await mx("connection", "add", "nope", "--env", "prod", "--read-only", "--url", url);
  expect({ ok: missing.code === 0, says: missing.err.includes("add the connection first") }).toEqual({
    ok: false,
    says: true,
  });
  const r = await mx("connection", "add", "app", "--env", "prod", "--read-only", "--url", url);
  expect({ code: r.code, first: r.out.split("\n")[0] }).toEqual({
    code: 0,
    first: "added the read-only credential of connection prod/app (sqlite) served by agent agent-query",
  });
  const list = JSON.parse((await mx("connection", "list", "--env", "prod", "--json")).out) as {
    connections: { name: string; readCredential?: boolean }[];
  };
  expect(list.connections.map((c) => ({ name: c.name, readCredential: c.readCredential }))).toEqual([
    { name: "app", readCredential: true },
  ]);
  // Reads go on working through it.
  expect((await mx("query", "prod/app", "select count(*) as n from people", "--format", "csv")).out).toBe("n\n2\n");
});
