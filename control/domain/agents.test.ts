import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createMemoryBus } from "../../bus/index.ts";
import { subjects } from "../../bus/subjects.ts";
import type { Subscription } from "../../bus/types.ts";
import {
  AgentReplySchema,
  type AgentRequest,
  AgentRequestSchema,
} from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { listAudit } from "../audit/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, type SimulatedAgent, simulatedAgent, startHarness } from "../test-harness.ts";

let store: Store;
let h: Harness;
let a1: SimulatedAgent;
let rpc: Subscription;
const received: AgentRequest[] = [];

const sealed = {
  ephemeralPublicKey: new Uint8Array(32).fill(1),
  nonce: new Uint8Array(12).fill(2),
  ciphertext: new Uint8Array([3, 4, 5]),
};

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus(), agentRequestTimeoutMs: 2000 });
  a1 = simulatedAgent(h, "a1");
  await a1.announce([{ name: "main", environment: "dev" }]);
  // The agent's side of the interactive subject, answering like a real agent would.
  rpc = await h.bus.serve(subjects.agentRpc(h.workspaceId, "a1"), async (req, reply) => {
    const msg = fromBinary(AgentRequestSchema, req.data);
    received.push(msg);
    const k = msg.kind;
    const answer =
      k.case === "storeSecret" && k.value.connection?.name === "broken"
        ? {
            case: "error" as const,
            value: { error: { code: "unavailable", message: "connect ECONNREFUSED 127.0.0.1:1" } },
          }
        : k.case === "storeSecret"
          ? {
              case: "storeSecret" as const,
              value: { connection: k.value.connection, serverVersion: "PostgreSQL 15.8" },
            }
          : k.case === "introspect"
            ? { case: "introspect" as const, value: { snapshotJson: `{"connection":"${k.value.connection}"}` } }
            : { case: "error" as const, value: { error: { code: "unimplemented", message: "no" } } };
    await reply.send(toBinary(AgentReplySchema, create(AgentReplySchema, { kind: answer })));
    await reply.end();
  });
});
afterAll(async () => {
  await rpc.stop();
  await h.close();
  await h.bus.close();
  await store.close();
});

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
  return { code: "none", message: "the call succeeded" };
}

describe("agents and connections", () => {
  test("an announced agent is listed with its public key; its connections are recorded", async () => {
    const { agents } = await h.api.connections.listAgents({});
    expect(agents.map((a) => [a.id, a.version, a.publicKey.length, a.online])).toEqual([["a1", "test-1", 32, true]]);
    const { connections } = await h.api.connections.listConnections({ environment: "dev" });
    expect(connections.map((c) => [c.environment, c.name, c.engine, c.agentId])).toEqual([
      ["dev", "main", Engine.POSTGRESQL, "a1"],
    ]);
  });

  test("re-announcing unchanged adds no audit record", async () => {
    const before = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).length;
    await a1.announce([{ name: "main", environment: "dev" }]);
    expect((await listAudit(store.db, h.workspaceId, { limit: 1000 })).length).toBe(before);
  });

  test("a bus request without a valid agent token is refused", async () => {
    const req = toBinary(AgentRequestSchema, create(AgentRequestSchema, {}));
    await expect(
      h.bus.requestOne(subjects.controlAgents(h.workspaceId), req, { timeoutMs: 2000 }),
    ).rejects.toMatchObject({
      code: "unauthenticated",
      message: "missing Authorization: Bearer token",
    });
    await expect(
      h.bus.requestOne(subjects.controlLeases(h.workspaceId), req, {
        timeoutMs: 2000,
        headers: { authorization: `Bearer ${h.adminToken}` },
      }),
    ).rejects.toMatchObject({
      code: "unauthenticated",
      message: "token admin (bootstrap) is an user token and cannot be used for bus lease",
    });
  });

  test("AddConnection relays the sealed box and records the connection once the agent confirms", async () => {
    const res = await h.api.connections.addConnection({
      name: "reporting",
      environment: "qa",
      engine: Engine.POSTGRESQL,
      agentId: "a1",
      sealedUrl: sealed,
    });
    expect([res.serverVersion, res.connection?.name, res.connection?.environment, res.connection?.agentId]).toEqual([
      "PostgreSQL 15.8",
      "reporting",
      "qa",
      "a1",
    ]);
    const sent = received.at(-1)!;
    expect(
      sent.kind.case === "storeSecret" ? [sent.kind.value.connection?.name, sent.kind.value.sealedUrl?.ciphertext] : [],
    ).toEqual(["reporting", new Uint8Array([3, 4, 5])]);
    const last = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).at(-1)!;
    expect([last.action, last.target, last.detail]).toEqual([
      "connection.add",
      "qa/reporting",
      { engine: "postgresql", agentId: "a1", serverVersion: "PostgreSQL 15.8" },
    ]);
  });

  test("AddConnection records nothing when the agent cannot connect", async () => {
    expect(
      await failure(
        h.api.connections.addConnection({
          name: "broken",
          environment: "qa",
          engine: Engine.POSTGRESQL,
          agentId: "a1",
          sealedUrl: sealed,
        }),
      ),
    ).toEqual({ code: "Unavailable", message: "connect ECONNREFUSED 127.0.0.1:1" });
    const names = (await h.api.connections.listConnections({ environment: "qa" })).connections.map((c) => c.name);
    expect(names).toEqual(["reporting"]);
  });

  test("AddConnection checks environment, agent and name first", async () => {
    const base = { name: "x", environment: "qa", engine: Engine.POSTGRESQL, agentId: "a1", sealedUrl: sealed };
    expect(await failure(h.api.connections.addConnection({ ...base, environment: "nope" }))).toEqual({
      code: "NotFound",
      message: "environment nope not found",
    });
    expect(await failure(h.api.connections.addConnection({ ...base, agentId: "zz" }))).toEqual({
      code: "NotFound",
      message: "agent zz not found",
    });
    expect(await failure(h.api.connections.addConnection({ ...base, name: "reporting" }))).toEqual({
      code: "AlreadyExists",
      message: "connection qa/reporting already exists",
    });
    expect(await failure(h.api.connections.addConnection({ ...base, name: "a/b" }))).toMatchObject({
      code: "InvalidArgument",
    });
  });

  test("Introspect asks the serving agent and returns its snapshot", async () => {
    const res = await h.api.schema.introspect({ connection: "dev/main", schemas: ["public"] });
    expect(res.snapshotJson).toBe('{"connection":"dev/main"}');
    expect(await failure(h.api.schema.introspect({ connection: "dev/none" }))).toEqual({
      code: "NotFound",
      message: "connection dev/none not found",
    });
  });

  test("an agent that does not answer is unavailable", async () => {
    const b1 = simulatedAgent(h, "b1");
    await b1.announce([{ name: "other", environment: "dev" }]);
    const f = await failure(h.api.schema.introspect({ connection: "dev/other" }));
    expect(f.code).toBe("Unavailable");
    expect(f.message).toStartWith("agent b1 did not answer: ");
  });
});
