// diff, ai and gitops from Slack, end to end: the real bolt App as the linked chat user against a
// real control plane; the agent's introspection answered on the bus, the Messages API and the
// GitHub API by local stand-ins. RBAC applies as to the person (a viewer of prod gets no diff).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { subjects } from "../bus/subjects.ts";
import type { Subscription } from "../bus/types.ts";
import { silentLogger } from "../common/log.ts";
import { startGitHubStandIn } from "../control/gitops/testing.ts";
import type { SchemaSnapshot } from "../engines/index.ts";
import { AgentReplySchema, AgentRequestSchema } from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { GitOpsService, GitProvider } from "../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { DIFF_MAX_LINES } from "./core/insight.ts";
import { type SlackBot, startSlackBot } from "./slack/app.ts";
import { startControl, type TestControl } from "./testing/control.ts";
import { postSigned, type SlackApiStandIn, type SlackCall, slashForm, startSlackApi } from "./testing/slack-api.ts";

const SECRET = "insight-secret";
const TOKEN = "ghp_insight0123456789";
let c: TestControl;
let slackApi: SlackApiStandIn;
let slack: SlackBot;
let rpc: Subscription;
let anthropic: ReturnType<typeof Bun.serve>;
const saved = { key: process.env.ANTHROPIC_API_KEY, url: process.env.ANTHROPIC_BASE_URL };
const ALICE = { team: "T1", user: "U_ALICE" };
const VIC = { team: "T1", user: "U_VIC" };

function snapshot(tables: string[]): SchemaSnapshot {
  return {
    version: 1,
    engine: "postgresql",
    serverVersion: "PostgreSQL 15.8",
    schemas: [{ name: "public" }],
    tables: tables.map((name) => ({
      schema: "public",
      name,
      columns: [{ name: "id", type: "integer", nullable: false, default: null, ordinal: 1 }],
      primaryKey: { name: `${name}_pkey`, columns: ["id"] },
      indexes: [{ name: `${name}_pkey`, columns: ["id"], unique: true, primary: true }],
    })),
    objects: [],
  } as SchemaSnapshot;
}

const LIVE: Record<string, SchemaSnapshot> = {
  // dev has 30 tables prod lacks: a diff longer than a phone screen.
  "dev/main": snapshot(["users", ...Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, "0")}`)]),
  "prod/main": snapshot(["users"]),
};

beforeAll(async () => {
  c = await startControl({ gitops: { secretKey: "42".repeat(32) } });
  slackApi = startSlackApi();
  rpc = await c.h.bus.serve(subjects.agentRpc(c.h.workspaceId, "a1"), async (req, reply) => {
    const k = fromBinary(AgentRequestSchema, req.data).kind;
    const snap = k.case === "introspect" ? LIVE[k.value.connection] : undefined;
    const kind = snap
      ? { case: "introspect" as const, value: { snapshotJson: JSON.stringify(snap) } }
      : { case: "error" as const, value: { error: { code: "not_found", message: "no such connection" } } };
    await reply.send(toBinary(AgentReplySchema, create(AgentReplySchema, { kind })));
    await reply.end();
  });
  anthropic = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () =>
      Response.json({
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude-test",
        content: [
          {
            type: "text",
            text: "```sql\ndelete from users\n```\nDeletes every user: there is no WHERE clause.",
          },
        ],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 1, output_tokens: 1 },
      }),
  });
  process.env.ANTHROPIC_API_KEY = "sk-insight-test";
  process.env.ANTHROPIC_BASE_URL = `http://127.0.0.1:${anthropic.port}`;
  const alice = await c.addPerson("alice@example.com", { dev: "editor", prod: "editor" });
  const vic = await c.addPerson("vic@example.com", { dev: "viewer", prod: "viewer" });
  await c.link(alice, { platform: "slack", tenant: ALICE.team, user: ALICE.user }, c.slackBotToken);
  await c.link(vic, { platform: "slack", tenant: VIC.team, user: VIC.user }, c.slackBotToken);
  slack = await startSlackBot({
    api: { baseUrl: c.url, token: c.slackBotToken },
    signingSecret: SECRET,
    botToken: "xoxb-insight",
    slackApiUrl: slackApi.url,
    port: 0,
    log: silentLogger,
  });
}, 60_000);

afterAll(async () => {
  await slack?.stop();
  await rpc?.stop();
  anthropic?.stop(true);
  await slackApi?.stop();
  await c?.close();
  for (const [k, v] of [
    ["ANTHROPIC_API_KEY", saved.key],
    ["ANTHROPIC_BASE_URL", saved.url],
  ] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

/** Sends /migratrix TEXT as `who` and returns the texts of the reply's blocks. */
async function ask(text: string, who: { team: string; user: string }): Promise<string[]> {
  const before = slackApi.calls.length;
  const res = await postSigned(slack.url, SECRET, slashForm(text, who));
  expect(res.status).toBe(200);
  await slack.settled();
  const reply = slackApi.calls.slice(before).find((x: SlackCall) => x.method.startsWith("chat.post"));
  const blocks = (reply?.args.blocks ?? []) as { text?: { text: string }; fields?: { text: string }[] }[];
  return blocks.flatMap((b) => (b.text ? [b.text.text] : (b.fields ?? []).map((f) => f.text)));
}

test("diff dev prod: the difference cut to a phone screen, with the count of what was left out", async () => {
  const texts = await ask("diff dev prod", ALICE);
  expect(texts[0]).toBe("dev/main vs prod/main: 30 differences");
  const body = texts[1] ?? "";
  const code = /```([\s\S]*)```/.exec(body)?.[1] ?? "";
  expect(code.split("\n").length).toBe(DIFF_MAX_LINES);
  expect(body).toMatch(/\n… \d+ more lines omitted; `mx diff dev\/main prod\/main` shows all$/);
  expect(await ask("diff prod/main prod", ALICE)).toEqual([
    "prod/main and prod/main: no differences",
    "The schemas match (noise filters on).",
  ]);
}, 20_000);

test("diff as a viewer of prod: refused by the control plane, as for the person", async () => {
  const texts = await ask("diff dev prod", VIC);
  expect(texts[0]).toBe("Not allowed");
  expect(texts[1]).toContain("schema.read needs admin or approver or editor on environment prod (protected)");
}, 20_000);

test("ai: SQL, coloured risk and explanation; never executed", async () => {
  const texts = await ask("ai --env dev remove all users", ALICE);
  expect(texts.slice(0, 3)).toEqual([
    "AI SQL for dev (not executed)",
    "Deletes every user: there is no WHERE clause.\nRisk 🔴 Critical — review before running it anywhere.",
    "*Engine*\npostgresql",
  ]);
  expect(texts.some((t) => t.startsWith("*Risk* 🔴 Critical"))).toBe(true);
  expect(texts).toContain("```delete from users```");
  const audited = await c.auditActions((a) => a.action === "explorer.ask");
  expect(audited.map((a) => [a.actor.startsWith("user:"), JSON.parse(a.detail).executed])).toEqual([[true, false]]);
}, 20_000);

test("gitops pr opens a pull request with the file; gitops log shows it", async () => {
  const github = startGitHubStandIn({ token: TOKEN, repo: "acme/db", baseSha: "a".repeat(40) });
  try {
    const admin = createClient(
      GitOpsService,
      createConnectTransport({
        baseUrl: c.url,
        interceptors: [
          (next) => (req) => {
            req.header.set("authorization", `Bearer ${c.h.adminToken}`);
            return next(req);
          },
        ],
      }),
    );
    await admin.linkRepository({
      name: "app",
      provider: GitProvider.GITHUB,
      cloneUrl: "https://github.com/acme/db.git",
      repository: "acme/db",
      directory: "db/migrations",
      engine: Engine.POSTGRESQL,
      apiBaseUrl: github.url,
      providerToken: TOKEN,
      webhookSecret: "insight-webhook-secret",
    });
    const texts = await ask("gitops pr app 20260501000000_add_notes.sql ```create table notes (id int);```", ALICE);
    expect(texts.slice(0, 2)).toEqual(["Pull request #1 opened", "https://github.com/acme/db/pull/1"]);
    expect(
      github.files.get(
        `${[...github.refs.keys()].find((b) => b !== "main")}:db/migrations/20260501000000_add_notes.sql`,
      ),
    ).toBe("create table notes (id int);\n");
    const log = await ask("gitops log app", ALICE);
    expect(log[0]).toBe("GitOps log: app");
    expect(log[1]).toMatch(/\*pull_request\* app/);
  } finally {
    await github.stop();
  }
}, 20_000);
