// Test set-up for the bots: a real control plane (PGlite store, in-process bus) listening on a
// port-0 HTTP server, a DEV → PROD flow (PROD needs 2 approvals), people with roles, bot tokens,
// and an agent simulated at the protocol level that executes the jobs.
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { createMemoryBus } from "../../bus/index.ts";
import { execute, addPerson as flowsAddPerson, type Person } from "../../control/flows/testing.ts";
import type { GitOpsOptions } from "../../control/gitops/index.ts";
import { openStore, type Store } from "../../control/store/index.ts";
import { type Harness, jobInbox, simulatedAgent, startHarness } from "../../control/test-harness.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { FlowService, StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { IdentityService, TokenKind } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { NotificationService } from "../../proto/gen/migratrix/control/v1/notification_pb.ts";
import type { ChatUser } from "../core/api.ts";
import { chatUserHeader } from "../core/api.ts";

export const FLOW = "chat";

export interface TestControl {
  h: Harness;
  store: Store;
  url: string;
  slackBotToken: string;
  discordBotToken: string;
  addPerson(email: string, grants: Record<string, "admin" | "approver" | "editor" | "viewer">): Promise<Person>;
  /** Links a chat account to the person directly through the API (set-up; tests of linking use the bots). */
  link(person: Person, who: ChatUser, botToken: string): Promise<void>;
  /** A link code for the person, as `mx link` prints it. */
  linkCode(person: Person): Promise<string>;
  newMigration(name: string, content?: string): Promise<string>;
  /** Who the control plane says asked for the stage's open rollback. */
  rollbackRequestedBy(migration: string, flow: string, env: string): Promise<string>;
  /** Creates another flow as the admin. */
  createFlow(req: {
    name: string;
    stages: { environment: string; connections?: string[]; rollbackApprovals?: number }[];
  }): Promise<void>;
  /** NotificationService as the workspace admin (routes). */
  notifications: Client<typeof NotificationService>;
  /** FlowService as the workspace admin. */
  admin: Client<typeof FlowService>;
  /** Executes the next job the agent receives; failAt fails that statement. */
  runNextJob(opts?: { failAt?: number }): Promise<string>;
  stage(migration: string, env: string): Promise<{ state: number; approvals: string; votes: string[] }>;
  auditActions(
    filter: (a: { action: string; actor: string; detail: string }) => boolean,
  ): Promise<{ action: string; actor: string; detail: string }[]>;
  close(): Promise<void>;
}

const withToken =
  (token: string, chatUser?: string): Interceptor =>
  (next) =>
  (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    if (chatUser) req.header.set("mx-chat-user", chatUser);
    return next(req);
  };

export const SQL = [
  "-- UP",
  "create table t1 (id int);",
  "insert into t1 values (1);",
  "alter table t1 drop column id;",
  "-- DOWN",
  "drop table t1;",
  "",
].join("\n");

export async function startControl(opts: { gitops?: GitOpsOptions } = {}): Promise<TestControl> {
  const store = await openStore({});
  const h = await startHarness({
    store,
    bus: createMemoryBus(),
    passwordCost: { memoryCost: 1024, timeCost: 1 },
    leaseTtlMs: 30_000,
    ...(opts.gitops ? { gitops: opts.gitops } : {}),
    // Run watches and the notification feed re-read the store this often.
    watchPollMs: 20,
    reaperIntervalMs: 60_000,
  });
  const { url } = await h.control.start(0);
  const agent = simulatedAgent(h, "a1");
  await agent.announce([
    { name: "main", environment: "dev" },
    { name: "main", environment: "prod" },
  ]);
  const inbox = await jobInbox(h, "a1");
  const identity = (token: string, chatUser?: string) =>
    createClient(IdentityService, createConnectTransport({ baseUrl: url, interceptors: [withToken(token, chatUser)] }));
  const admin = createClient(
    FlowService,
    createConnectTransport({ baseUrl: url, interceptors: [withToken(h.adminToken)] }),
  );
  await admin.createFlow({
    name: FLOW,
    stages: [
      { environment: "dev", connections: ["main"], policy: StagePolicy.MANUAL },
      { environment: "prod", policy: StagePolicy.MANUAL },
    ],
  });
  const slackBotToken = (await identity(h.adminToken).createToken({ name: "slack-bot", kind: TokenKind.BOT })).secret;
  const discordBotToken = (await identity(h.adminToken).createToken({ name: "discord-bot", kind: TokenKind.BOT }))
    .secret;
  const linkCode = async (p: Person) => (await identity(p.token).createChatLinkCode({})).code;
  return {
    h,
    store,
    url,
    slackBotToken,
    discordBotToken,
    addPerson: (email, grants) => flowsAddPerson(h, email, grants),
    notifications: createClient(
      NotificationService,
      createConnectTransport({ baseUrl: url, interceptors: [withToken(h.adminToken)] }),
    ),
    admin,
    linkCode,
    async link(person, who, botToken) {
      await identity(botToken, chatUserHeader(who)).linkChatIdentity({ code: await linkCode(person) });
    },
    async rollbackRequestedBy(migration, flow, env) {
      const res = await admin.getFlow({ name: flow, migrationId: migration });
      return res.stages.find((x) => x.environment === env)?.rollbackRequestedBy ?? "";
    },
    async createFlow(req) {
      await admin.createFlow({
        name: req.name,
        stages: req.stages.map((st) => ({ ...st, policy: StagePolicy.MANUAL })),
      });
    },
    async newMigration(name, content = SQL) {
      const res = await h.api.migrations.createMigration({
        fileName: `${name}.sql`,
        content,
        engine: Engine.POSTGRESQL,
      });
      return res.migration?.id ?? "";
    },
    async runNextJob(opts = {}) {
      return execute(h, agent, (await inbox.next()).job, opts);
    },
    async stage(migration, env) {
      const res = await admin.getFlow({ name: FLOW, migrationId: migration });
      const s = res.stages.find((x) => x.environment === env);
      return {
        state: s?.state ?? 0,
        approvals: `${s?.approvals ?? 0}/${s?.requiredApprovals ?? 0}`,
        votes: (s?.votes ?? []).map((v) => `${v.email}:${v.approve ? "approve" : "reject"} via ${v.via}`),
      };
    },
    async auditActions(filter) {
      const res = await h.api.audit.listAudit({ limit: 1000 });
      return res.records.map((r) => ({ action: r.action, actor: r.actor, detail: r.detailJson })).filter(filter);
    },
    async close() {
      await inbox.stop();
      await h.close();
      await h.bus.close();
      await store.close();
    },
  };
}
