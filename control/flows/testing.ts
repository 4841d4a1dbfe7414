// Test helpers for flows: Connect clients for FlowService, members with environment grants, and
// a simulated agent that executes jobs at the protocol level.
import { type Client, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { and, eq } from "drizzle-orm";
import { RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import type { Job } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { FlowService } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { createApiToken } from "../identity/index.ts";
import type { Role, RunStateName } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { type Clients, clientsFor, type Harness, type SimulatedAgent } from "../test-harness.ts";

export interface Person {
  email: string;
  token: string;
  api: Clients;
  flows: Client<typeof FlowService>;
}

export function flowClient(h: Harness, token: string): Client<typeof FlowService> {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${token}`);
    return next(req);
  };
  return createClient(
    FlowService,
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

/** A workspace member with roles per environment name, and a user token (plus `extra` tokens). */
export async function addPerson(
  h: Harness,
  email: string,
  grants: Record<string, Role>,
  extra: string[] = [],
): Promise<Person & { extra: Person[] }> {
  const db = h.store.db;
  const tokens = await db.transaction(async (tx) => {
    const [user] = await tx.insert(tables.users).values({ email, name: email }).returning();
    if (!user) throw new Error(`user ${email} not created`);
    await tx.insert(tables.memberships).values({ userId: user.id, workspaceId: h.workspaceId, role: "member" });
    for (const [envName, role] of Object.entries(grants)) {
      const [env] = await tx
        .select()
        .from(tables.environments)
        .where(and(eq(tables.environments.workspaceId, h.workspaceId), eq(tables.environments.name, envName)));
      if (!env) throw new Error(`environment ${envName} missing`);
      await tx.insert(tables.environmentGrants).values({
        workspaceId: h.workspaceId,
        userId: user.id,
        environmentId: env.id,
        role,
        grantedBy: "test",
      });
    }
    const out: string[] = [];
    for (const name of [email, ...extra]) {
      const kind = name === email ? "user" : "service";
      const t = await createApiToken(tx, {
        workspaceId: h.workspaceId,
        userId: user.id,
        name,
        kind,
        actor: "test",
        correlationId: "test",
      });
      out.push(t.secret);
    }
    return out;
  });
  const person = (token: string): Person => ({
    email,
    token,
    api: clientsFor(h.control, token),
    flows: flowClient(h, token),
  });
  const [main, ...rest] = tokens;
  return { ...person(main ?? ""), extra: rest.map(person) };
}

export async function runState(h: Harness, runId: string): Promise<RunStateName> {
  const [row] = await h.store.db
    .select({ state: tables.runs.state })
    .from(tables.runs)
    .where(eq(tables.runs.id, runId));
  return row?.state ?? "queued";
}

/**
 * Waits until the run is finished in the store. Events reach the store through the bus consumer,
 * which tells no one outside the control plane: a short poll under a deadline is the only way.
 */
export async function untilFinished(h: Harness, runId: string, deadlineMs = 5_000): Promise<RunStateName> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const state = await runState(h, runId);
    if (state === "completed" || state === "failed" || state === "rejected") return state;
    if (Date.now() > end) throw new Error(`run ${runId} still ${state} after ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const stmt = (index: number) => ({ index, position: { line: index + 1, column: 1 }, excerpt: `statement ${index}` });

/** Executes a job as an agent would: lease, statements, end; `failAt` fails that statement. */
export async function execute(
  h: Harness,
  agent: SimulatedAgent,
  job: Job,
  opts: { statements?: number; failAt?: number } = {},
): Promise<RunStateName> {
  const lease = await agent.lease(job.runId, job.attempt);
  if (!lease.granted) throw new Error(`lease of ${job.runId} refused: ${lease.reason}`);
  const r = { runId: job.runId, attempt: job.attempt, fencingToken: lease.fencingToken };
  const total = opts.statements ?? 3;
  await agent.emit(r, { case: "started", value: { statementsTotal: total, statementsDone: 0 } });
  for (let i = 1; i <= total; i++) {
    if (i === opts.failAt) {
      const error = {
        code: "invalid_argument",
        nativeCode: "42601",
        message: "syntax error",
        position: { line: i + 1, column: 1 },
      };
      await agent.emit(r, { case: "statementFailed", value: { statement: stmt(i), error } });
      // PostgreSQL: the statements before it rolled back with the transaction.
      await agent.emit(r, { case: "finished", value: { outcome: RunOutcome.FAILED, statementsDone: 0, error } });
      return untilFinished(h, job.runId);
    }
    await agent.emit(r, { case: "statementFinished", value: { statement: stmt(i) } });
  }
  await agent.emit(r, { case: "finished", value: { outcome: RunOutcome.COMPLETED, statementsDone: total } });
  return untilFinished(h, job.runId);
}
