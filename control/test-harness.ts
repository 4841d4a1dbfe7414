// Shared set-up for the control plane's tests: a store, a bus, the app, Connect clients with the
// bootstrap admin token, and a simulated agent speaking the real agent/v1 protocol on the bus.
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { timestampNow } from "@bufbuild/protobuf/wkt";
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { streamNames } from "../bus/streams.ts";
import { subjects } from "../bus/subjects.ts";
import type { Bus } from "../bus/types.ts";
import { silentLogger } from "../common/log.ts";
import {
  AnnounceRequestSchema,
  AnnounceResponseSchema,
  LeaseRequestSchema,
  type LeaseResponse,
  LeaseResponseSchema,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { JobEventSchema } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import { type Job, JobSchema } from "../proto/gen/migratrix/agent/v1/job_pb.ts";
import { ConnectionService, EnvironmentService } from "../proto/gen/migratrix/control/v1/environment_pb.ts";
import { IdentityService } from "../proto/gen/migratrix/control/v1/identity_pb.ts";
import {
  AuditService,
  MigrationService,
  SchemaService,
  type WatchRunResponse,
} from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { type ControlApp, type ControlAppOptions, createControlApp } from "./app.ts";
import { bootstrap } from "./identity/index.ts";
import type { Store } from "./store/index.ts";

export interface Clients {
  identity: Client<typeof IdentityService>;
  environments: Client<typeof EnvironmentService>;
  connections: Client<typeof ConnectionService>;
  migrations: Client<typeof MigrationService>;
  schema: Client<typeof SchemaService>;
  audit: Client<typeof AuditService>;
}

/** Connect clients that reach the app through its fetch function (or a real URL), with a token. */
export function clientsFor(target: { fetch: (req: Request) => Promise<Response> } | string, token?: string): Clients {
  const auth: Interceptor = (next) => (req) => {
    if (token !== undefined) req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  const transport =
    typeof target === "string"
      ? createConnectTransport({ baseUrl: target, interceptors: [auth] })
      : createConnectTransport({
          baseUrl: "http://localhost",
          interceptors: [auth],
          fetch: ((input: string | URL | Request, init?: RequestInit) =>
            target.fetch(
              input instanceof Request ? new Request(input, init) : new Request(String(input), init),
            )) as typeof globalThis.fetch,
        });
  return {
    identity: createClient(IdentityService, transport),
    environments: createClient(EnvironmentService, transport),
    connections: createClient(ConnectionService, transport),
    migrations: createClient(MigrationService, transport),
    schema: createClient(SchemaService, transport),
    audit: createClient(AuditService, transport),
  };
}

export interface Harness {
  store: Store;
  bus: Bus;
  control: ControlApp;
  workspaceId: string;
  adminToken: string;
  agentToken: string;
  api: Clients;
  streamPrefix: string;
  close(): Promise<void>;
}

export async function startHarness(
  input: { store: Store; bus: Bus } & Partial<Omit<ControlAppOptions, "store" | "bus">>,
): Promise<Harness> {
  const boot = await bootstrap(input.store.db, {
    environments: [
      { name: "dev", position: 1 },
      { name: "qa", position: 2 },
      { name: "prod", position: 3, requiredApprovals: 2, protected: true },
      { name: "empty", position: 4 },
    ],
  });
  if (!boot.adminToken || !boot.agentToken) throw new Error("the test store was not empty");
  const streamPrefix = input.streamPrefix ?? `T${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const control = await createControlApp({ log: silentLogger, ...input, streamPrefix });
  return {
    store: input.store,
    bus: input.bus,
    control,
    workspaceId: boot.workspaceId,
    adminToken: boot.adminToken,
    agentToken: boot.agentToken,
    api: clientsFor(control, boot.adminToken),
    streamPrefix,
    async close() {
      await control.stop();
    },
  };
}

/** An agent simulated at the protocol level: what it sends is exactly what a real agent sends. */
export function simulatedAgent(h: Harness, agentId: string) {
  const headers = { authorization: `Bearer ${h.agentToken}` };
  let seq = 0n;
  return {
    agentId,
    async announce(connections: { name: string; environment: string; engine?: Engine }[]) {
      const req = create(AnnounceRequestSchema, {
        agentId,
        workspaceId: h.workspaceId,
        version: "test-1",
        publicKey: new Uint8Array(32).fill(7),
        connections: connections.map((c) => ({ ...c, engine: c.engine ?? Engine.POSTGRESQL })),
      });
      const reply = await h.bus.requestOne(
        subjects.controlAgents(h.workspaceId),
        toBinary(AnnounceRequestSchema, req),
        {
          headers,
          timeoutMs: 5000,
        },
      );
      return fromBinary(AnnounceResponseSchema, reply);
    },
    async lease(runId: string, attempt: number, fencingToken = 0n): Promise<LeaseResponse> {
      const req = create(LeaseRequestSchema, { runId, attempt, agentId, fencingToken, correlationId: "test" });
      const reply = await h.bus.requestOne(subjects.controlLeases(h.workspaceId), toBinary(LeaseRequestSchema, req), {
        headers,
        timeoutMs: 5000,
      });
      return fromBinary(LeaseResponseSchema, reply);
    },
    /** Publishes one event; seq defaults to the next one of this agent. */
    async emit(
      run: { runId: string; attempt: number; fencingToken: bigint },
      kind: MessageInitShape<typeof JobEventSchema>["kind"],
      opts: { seq?: bigint; msgId?: string } = {},
    ) {
      const s = opts.seq ?? ++seq;
      const event = create(JobEventSchema, {
        runId: run.runId,
        attempt: run.attempt,
        seq: s,
        fencingToken: run.fencingToken,
        correlationId: "test",
        agentId,
        at: timestampNow(),
        kind,
      } satisfies MessageInitShape<typeof JobEventSchema>);
      return h.bus.publish(subjects.events(h.workspaceId, agentId), toBinary(JobEventSchema, event), {
        msgId: opts.msgId ?? `${run.runId}:${run.attempt}:${s}`,
      });
    },
    resetSeq() {
      seq = 0n;
    },
  };
}

export type SimulatedAgent = ReturnType<typeof simulatedAgent>;

/** A file of three PostgreSQL statements. */
export const THREE_STATEMENTS = [
  "-- UP",
  "create table t1 (id int);",
  "insert into t1 values (1);",
  "create index t1_id on t1 (id);",
  "-- DOWN",
  "drop table t1;",
  "",
].join("\n");

/** Jobs as an agent's work-queue consumer receives them, in order. */
export async function jobInbox(h: Harness, agentId: string) {
  const jobs: { job: Job; headers: Record<string, string> }[] = [];
  let taken = 0;
  let wake: (() => void) | null = null;
  const sub = await h.bus.consume(
    {
      queue: streamNames(h.streamPrefix).jobs,
      consumer: `agent-${agentId}`,
      filterSubject: subjects.jobs(h.workspaceId, agentId),
    },
    async (msg) => {
      jobs.push({ job: fromBinary(JobSchema, msg.data), headers: msg.headers });
      await msg.ack();
      wake?.();
    },
  );
  return {
    async next(): Promise<{ job: Job; headers: Record<string, string> }> {
      while (jobs.length <= taken) await new Promise<void>((resolve) => (wake = resolve));
      return jobs[taken++]!;
    },
    stop: () => sub.stop(),
  };
}

/** WatchRun from afterSeq until the stream ends (the run is over) or `until` matches an item. */
export async function watch(
  api: Clients,
  runId: string,
  opts: { afterSeq?: bigint; until?: (item: WatchRunResponse) => boolean } = {},
): Promise<WatchRunResponse[]> {
  const items: WatchRunResponse[] = [];
  const abort = new AbortController();
  try {
    for await (const item of api.migrations.watchRun(
      { runId, afterSeq: opts.afterSeq ?? 0n },
      { signal: abort.signal },
    )) {
      items.push(item);
      if (opts.until?.(item)) {
        abort.abort();
        break;
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  }
  return items;
}

/** The comparable core of watch items: seq, state name and event kind. */
export function summary(items: WatchRunResponse[]): [number, number, string | undefined][] {
  return items.map((i) => [Number(i.seq), i.state, i.event?.kind.case]);
}
