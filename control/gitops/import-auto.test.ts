// mx import --env completing a stage: the next stage, when auto and without approvals to wait for,
// starts by itself after the import commits (as after a run); a manual next stage waits. The agent
// is simulated at the protocol level (it answers import_history and receives the apply job).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { createMemoryBus } from "../../bus/index.ts";
import { subjects } from "../../bus/subjects.ts";
import type { Subscription } from "../../bus/types.ts";
import { AgentReplySchema, AgentRequestSchema } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { GitOpsService } from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { listAudit } from "../audit/index.ts";
import { flowClient } from "../flows/testing.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, jobInbox, simulatedAgent, startHarness } from "../test-harness.ts";

let store: Store;
let h: Harness;
let rpc: Subscription;
let inbox: Awaited<ReturnType<typeof jobInbox>>;

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus(), agentRequestTimeoutMs: 2000 });
  await simulatedAgent(h, "a1").announce([
    { name: "main", environment: "dev" },
    { name: "main", environment: "qa" },
  ]);
  inbox = await jobInbox(h, "a1");
  // The tool's history lists every migration sent: all are marked applied now.
  rpc = await h.bus.serve(subjects.agentRpc(h.workspaceId, "a1"), async (req, reply) => {
    const msg = fromBinary(AgentRequestSchema, req.data);
    const ids = msg.kind.case === "importHistory" ? msg.kind.value.entries.map((e) => e.migrationId) : [];
    const kind =
      msg.kind.case === "importHistory"
        ? { case: "importHistory" as const, value: { historyTable: "public.flyway_schema_history", marked: ids } }
        : { case: "error" as const, value: { error: { code: "unimplemented", message: msg.kind.case ?? "" } } };
    await reply.send(toBinary(AgentReplySchema, create(AgentReplySchema, { kind })));
    await reply.end();
  });
}, 60_000);

afterAll(async () => {
  await rpc.stop();
  await inbox.stop();
  await h.close();
  await h.bus.close();
  await store.close();
});

function gitops() {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${h.adminToken}`);
    return next(req);
  };
  return createClient(
    GitOpsService,
    createConnectTransport({
      baseUrl: "http://localhost",
      interceptors: [auth],
      fetch: ((input: string | URL | Request, init?: RequestInit) =>
        h.control.fetch(
          input instanceof Request ? new Request(input, init) : new Request(String(input), init),
        )) as typeof globalThis.fetch,
    }),
  );
}

const stage = (environment: string, policy: StagePolicy) => ({ environment, connections: ["main"], policy });

test("an import that completes dev starts the auto qa stage by itself; a manual next stage waits", async () => {
  const flows = flowClient(h, h.adminToken);
  await flows.createFlow({ name: "auto", stages: [stage("dev", StagePolicy.MANUAL), stage("qa", StagePolicy.AUTO)] });
  await flows.createFlow({
    name: "manual",
    stages: [stage("dev", StagePolicy.MANUAL), stage("qa", StagePolicy.MANUAL)],
  });
  const res = await gitops().importMigrations({
    format: "flyway",
    engine: Engine.POSTGRESQL,
    files: [{ fileName: "20260801000000_a.sql", content: "create table a (id int);", key: "1", source: "V1__a.sql" }],
    environment: "dev",
    source: "db",
  });
  expect(res.connections.map((c) => [c.connection, c.marked])).toEqual([["dev/main", ["20260801000000_a"]]]);

  // The qa stage of the auto flow was promoted: its apply job reached the agent.
  const { job } = await inbox.next();
  expect({ connection: job.connection, kind: job.kind.case, requestedBy: job.requestedBy }).toEqual({
    connection: "qa/main",
    kind: "apply",
    requestedBy: "flow:auto",
  });
  const states = async (flow: string) =>
    (await flows.getFlow({ name: flow, migrationId: "20260801000000_a" })).stages.map((s) => [s.environment, s.state]);
  expect([await states("auto"), await states("manual")]).toEqual([
    [
      ["dev", RunState.COMPLETED],
      ["qa", RunState.IN_PROGRESS],
    ],
    [
      ["dev", RunState.COMPLETED],
      ["qa", RunState.PENDING],
    ],
  ]);
  // The import opened both qa stages; the flow itself (not the importer) started the auto one.
  const qa = (await listAudit(store.db, h.workspaceId, { limit: 200 })).filter(
    (r) => r.action.startsWith("stage.") && r.environment === "qa",
  );
  const importer = qa[0]?.actor ?? "";
  expect(importer).toStartWith("user:");
  expect(qa.map((r) => [r.action, r.actor])).toEqual([
    ["stage.pending", importer],
    ["stage.pending", importer],
    ["stage.in_progress", "control:flow"],
  ]);
}, 30_000);
