// Test support for agent tests: the control plane's side of the agent protocol (announce, lease,
// events) served on a real Bus, so agent behaviour is tested through the wire protocol itself.
// Not a mock of anything the agent calls in-process: it answers over the bus as control does.
import { join } from "node:path";
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { streamNames } from "../bus/streams.ts";
import { subjects } from "../bus/subjects.ts";
import type { Bus, Subscription } from "../bus/types.ts";
import {
  type AnnounceRequest,
  AnnounceRequestSchema,
  AnnounceResponseSchema,
  type LeaseRequest,
  LeaseRequestSchema,
  LeaseResponseSchema,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { type JobEvent, JobEventSchema } from "../proto/gen/migratrix/agent/v1/event_pb.ts";
import { type Job, JobSchema } from "../proto/gen/migratrix/agent/v1/job_pb.ts";

export type LeasePolicy = (req: LeaseRequest, n: number) => MessageInitShape<typeof LeaseResponseSchema>;

/** Resolves when pred holds for the collected items; re-checked on every push, never polled. */
export class Collector<T> {
  readonly items: T[] = [];
  private waiters: Array<{ pred: (items: T[]) => boolean; resolve: () => void }> = [];

  push(item: T): void {
    this.items.push(item);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(this.items)) return true;
      w.resolve();
      return false;
    });
  }

  until(pred: (items: T[]) => boolean, what: string, timeoutMs = 10_000): Promise<T[]> {
    if (pred(this.items)) return Promise.resolve(this.items);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.items);
        },
      });
    });
  }
}

export interface FakeControl {
  announces: Collector<{ req: AnnounceRequest; authorization: string | undefined }>;
  leases: Collector<LeaseRequest>;
  events: Collector<JobEvent>;
  /** Lease answers by run id; a run without a policy gets "run ... not found". */
  policies: Map<string, LeasePolicy>;
  publishJob(job: MessageInitShape<typeof JobSchema>, agentId: string): Promise<Job>;
  stop(): Promise<void>;
}

export async function startFakeControl(opts: {
  bus: Bus;
  workspaceId: string;
  token: string;
  streamPrefix: string;
}): Promise<FakeControl> {
  const { bus, workspaceId } = opts;
  const streams = streamNames(opts.streamPrefix);
  await bus.ensureQueue({ name: streams.jobs, subjects: [subjects.allJobs], storage: "file" });
  await bus.ensureQueue({ name: streams.events, subjects: [subjects.allEvents], storage: "file" });
  const announces = new Collector<{ req: AnnounceRequest; authorization: string | undefined }>();
  const leases = new Collector<LeaseRequest>();
  const events = new Collector<JobEvent>();
  const policies = new Map<string, LeasePolicy>();
  const counts = new Map<string, number>();
  const subs: Subscription[] = [];

  subs.push(
    await bus.serve(subjects.controlAgents(workspaceId), async (req, reply) => {
      const authorization = req.headers.authorization;
      announces.push({ req: fromBinary(AnnounceRequestSchema, req.data), authorization });
      if (authorization !== `Bearer ${opts.token}`) {
        await reply.fail("unauthenticated", "agent token is missing or wrong");
        return;
      }
      await reply.send(toBinary(AnnounceResponseSchema, create(AnnounceResponseSchema, { accepted: true })));
      await reply.end();
    }),
  );
  subs.push(
    await bus.serve(subjects.controlLeases(workspaceId), async (req, reply) => {
      const lease = fromBinary(LeaseRequestSchema, req.data);
      const n = (counts.get(lease.runId) ?? 0) + 1;
      counts.set(lease.runId, n);
      const policy = policies.get(lease.runId);
      const answer = policy ? policy(lease, n) : { granted: false, reason: `run ${lease.runId} not found` };
      leases.push(lease);
      await reply.send(toBinary(LeaseResponseSchema, create(LeaseResponseSchema, answer)));
      await reply.end();
    }),
  );
  subs.push(
    await bus.consume({ queue: streams.events, consumer: "fake-control-events" }, async (msg) => {
      events.push(fromBinary(JobEventSchema, msg.data));
      await msg.ack();
    }),
  );

  return {
    announces,
    leases,
    events,
    policies,
    async publishJob(init, agentId) {
      const job = create(JobSchema, { workspaceId, ...init });
      await bus.publish(subjects.jobs(workspaceId, agentId), toBinary(JobSchema, job), {
        msgId: `${job.runId}:${job.attempt}:${job.jobId}`,
      });
      return job;
    },
    async stop() {
      for (const s of subs) await s.stop();
    },
  };
}

/** A JobEvent with its wall-clock parts removed, for whole-object comparison. */
export function stable(e: JobEvent): Record<string, unknown> {
  const kind = e.kind.case;
  const value = e.kind.value as Record<string, unknown> | undefined;
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value ?? {})) {
    if (k === "$typeName") continue;
    body[k] = k === "durationMs" || k === "latencyMs" ? typeof v : plain(v);
  }
  return {
    runId: e.runId,
    attempt: e.attempt,
    seq: Number(e.seq),
    fencingToken: Number(e.fencingToken),
    correlationId: e.correlationId,
    agentId: e.agentId,
    hasTime: e.at !== undefined,
    [kind ?? "none"]: body,
  };
}

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === "object" && !(v instanceof Uint8Array)) {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== "$typeName")
        .map(([k, x]) => [k, plain(x)]),
    );
  }
  return v;
}

const ROOT = join(import.meta.dir, "..");
export const AGENT_BINARY = join(ROOT, "dist", "migratrix-agent");
let building: Promise<string> | undefined;

/**
 * Builds dist/migratrix-agent once per test process with the project's own build script, so the
 * tests exercise exactly what `bun run build:agent` ships.
 */
export function buildAgentBinary(): Promise<string> {
  building ??= (async () => {
    const proc = Bun.spawn(["bun", "run", "build:agent"], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
    const [code, out, err] = await Promise.all([
      proc.exited,
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
    ]);
    if (code !== 0) throw new Error(`bun run build:agent failed (${code}):\n${out}\n${err}`);
    return AGENT_BINARY;
  })();
  return building;
}
