// Flows end to end through the Connect API, a PGlite store, the in-process bus and an agent
// simulated at the protocol level: DEV → QA → PROD with 2-of-3 approvals on PROD, reject, a
// failing statement → Failed → rollback → Pending, and concurrent promotions.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { eq } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { InDoubtResolution } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { StagePolicy, type StageStatus } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { listAudit, verifyChain } from "../audit/index.ts";
import { openStore, type Store, tables } from "../store/index.ts";
import {
  type Harness,
  jobInbox,
  type SimulatedAgent,
  simulatedAgent,
  startHarness,
  THREE_STATEMENTS,
} from "../test-harness.ts";
import { addPerson, execute, flowClient, type Person, untilFinished } from "./testing.ts";

let store: Store;
let h: Harness;
let a1: SimulatedAgent;
let inbox: Awaited<ReturnType<typeof jobInbox>>;
let admin: ReturnType<typeof flowClient>;
let alice: Person & { extra: Person[] };
let bob: Person;
let carol: Person;
let dave: Person;

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
  return { code: "none", message: "the call succeeded" };
}

async function newMigration(id: string, content = THREE_STATEMENTS) {
  const res = await h.api.migrations.createMigration({ fileName: `${id}.sql`, content, engine: Engine.POSTGRESQL });
  return res.migration?.id ?? "";
}

/** Comparable core of a stage status: state, operation, approvals and the runs' states. */
function core(s: StageStatus | undefined) {
  return s
    ? {
        env: s.environment,
        state: RunState[s.state],
        operation: s.operation,
        approvals: `${s.approvals}/${s.requiredApprovals}`,
        votes: s.votes.map((v) => `${v.email}:${v.approve ? "approve" : "reject"}${v.valid ? "" : ":void"}`),
        runs: s.runs.map((r) => `${r.connection}:${r.direction}:${RunState[r.state]}#${r.attempt}`),
      }
    : undefined;
}

async function stages(flow: string, migrationId: string) {
  const res = await admin.getFlow({ name: flow, migrationId });
  return res.stages.map(core);
}

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus(), leaseTtlMs: 30_000, reaperIntervalMs: 60_000 });
  a1 = simulatedAgent(h, "a1");
  await a1.announce([
    { name: "main", environment: "dev" },
    { name: "second", environment: "dev" },
    { name: "main", environment: "qa" },
    { name: "main", environment: "prod" },
    { name: "my", environment: "empty", engine: Engine.MYSQL },
  ]);
  inbox = await jobInbox(h, "a1");
  admin = flowClient(h, h.adminToken);
  alice = await addPerson(h, "alice@example.com", { qa: "approver", prod: "approver" }, ["slack-bot"]);
  bob = await addPerson(h, "bob@example.com", { prod: "approver" });
  carol = await addPerson(h, "carol@example.com", { prod: "approver" });
  dave = await addPerson(h, "dave@example.com", { prod: "editor" });
  const created = await admin.createFlow({
    name: "main",
    stages: [
      { environment: "dev", connections: ["main"], policy: StagePolicy.MANUAL },
      { environment: "qa", policy: StagePolicy.MANUAL, requiredApprovals: 1 },
      { environment: "prod", policy: StagePolicy.MANUAL },
    ],
  });
  expect(
    created.flow?.stages.map((s) => [s.environment, s.connections, s.requiredApprovals, s.approverRoles, s.policy]),
  ).toEqual([
    ["dev", ["main"], 0, ["admin", "approver"], StagePolicy.MANUAL],
    ["qa", ["main"], 1, ["admin", "approver"], StagePolicy.MANUAL],
    ["prod", ["main"], 2, ["admin", "approver"], StagePolicy.MANUAL],
  ]);
}, 60_000);

afterAll(async () => {
  await inbox?.stop();
  await h?.close();
  await h?.bus.close();
  await store?.close();
});

describe("CreateFlow", () => {
  test("refuses mixed engines, a loosened approval policy, unknown environments and connections", async () => {
    expect(
      await failure(
        admin.createFlow({
          name: "mixed",
          stages: [{ environment: "dev", connections: ["main"] }, { environment: "empty" }],
        }),
      ),
    ).toEqual({
      code: "InvalidArgument",
      message:
        "flow mixed mixes engines: dev/main is postgresql but empty/my is mysql; a flow carries one migration file, split for one engine",
    });
    expect(
      await failure(admin.createFlow({ name: "loose", stages: [{ environment: "prod", requiredApprovals: 1 }] })),
    ).toEqual({
      code: "InvalidArgument",
      message:
        "flow loose stage 1 (prod) asks for 1 approval(s) but environment prod requires 2: a stage may tighten the policy, never loosen it",
    });
    expect(await failure(admin.createFlow({ name: "nope", stages: [{ environment: "staging" }] }))).toEqual({
      code: "NotFound",
      message: "environment staging not found",
    });
    expect(
      await failure(admin.createFlow({ name: "nope", stages: [{ environment: "dev", connections: ["ghost"] }] })),
    ).toEqual({ code: "InvalidArgument", message: "flow nope stage 1 (dev): connection dev/ghost does not exist" });
    expect(
      await failure(
        admin.createFlow({
          name: "few",
          stages: [{ environment: "prod", requiredApprovals: 3, approverEmails: ["bob@example.com"] }],
        }),
      ),
    ).toEqual({
      code: "InvalidArgument",
      message: "flow few stage 1 (prod) needs 3 approvals but names only 1 approver(s)",
    });
  });
});

describe("DEV → QA → PROD", () => {
  test("promotes stage by stage; PROD needs 2 of 3 approvers, no self-approval, one vote per person", async () => {
    const id = await newMigration("20260201000000_orders");
    expect(await stages("main", id)).toEqual([
      { env: "dev", state: "PENDING", operation: "apply", approvals: "0/0", votes: [], runs: [] },
      { env: "qa", state: "QUEUED", operation: "apply", approvals: "0/1", votes: [], runs: [] },
      { env: "prod", state: "QUEUED", operation: "apply", approvals: "0/2", votes: [], runs: [] },
    ]);
    expect(await failure(admin.promote({ flow: "main", migrationId: id, stage: "qa" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${id} to qa: the previous stage dev is Pending, not Completed on every database`,
    });

    const dev = await admin.promote({ flow: "main", migrationId: id, stage: "dev" });
    expect(core(dev.stage)).toEqual({
      env: "dev",
      state: "IN_PROGRESS",
      operation: "apply",
      approvals: "0/0",
      votes: [],
      runs: ["main:apply:PENDING#1"],
    });
    expect(await execute(h, a1, (await inbox.next()).job)).toBe("completed");
    expect((await stages("main", id)).map((s) => s?.state)).toEqual(["COMPLETED", "PENDING", "QUEUED"]);

    expect(await failure(admin.promote({ flow: "main", migrationId: id, stage: "qa" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${id} to qa: it needs 1 approval(s) and has 0`,
    });
    // qa needs no approval as an environment, but its stage does: a direct run may not skip it.
    expect(await failure(h.api.migrations.runMigration({ migrationId: id, environment: "qa" }))).toEqual({
      code: "FailedPrecondition",
      message: `environment qa is a stage of flow main that requires 1 approval; use promote to run ${id} there`,
    });
    await alice.flows.approve({ flow: "main", migrationId: id, stage: "qa", comment: "looks fine" });
    await admin.promote({ flow: "main", migrationId: id, stage: "qa" });
    expect(await execute(h, a1, (await inbox.next()).job)).toBe("completed");

    // PROD: the author may not approve, an editor is not an approver, and one person counts once
    // whichever token (CLI, chat bot) the vote comes through.
    expect(await failure(admin.approve({ flow: "main", migrationId: id, stage: "prod" }))).toEqual({
      code: "PermissionDenied",
      message: "admin@localhost wrote this migration and may not approve or reject it on prod (no self-approval)",
    });
    expect(await failure(dave.flows.approve({ flow: "main", migrationId: id, stage: "prod" }))).toEqual({
      code: "PermissionDenied",
      message: "voting on prod needs the admin or approver role there; dave@example.com is editor on prod",
    });
    const denied = (await listAudit(store.db, h.workspaceId, { limit: 1000 }))
      .filter((a) => a.action === "access.denied" && a.target === `migration:${id}`)
      .map((a) => [a.environment, a.detail.action]);
    expect(denied).toEqual([
      ["prod", "approval.approve"],
      ["prod", "approval.approve"],
    ]);
    await alice.flows.approve({ flow: "main", migrationId: id, stage: "prod", comment: "ok" });
    expect(await failure(alice.extra[0]!.flows.approve({ flow: "main", migrationId: id, stage: "prod" }))).toEqual({
      code: "AlreadyExists",
      message: `alice@example.com already voted approve on ${id} at prod (via user:alice@example.com); one vote per person`,
    });
    expect(await failure(admin.promote({ flow: "main", migrationId: id, stage: "prod" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${id} to prod: it needs 2 approval(s) and has 1 (alice@example.com)`,
    });
    await bob.flows.approve({ flow: "main", migrationId: id, stage: "prod", comment: "ship it" });

    // Two promotions at once: one starts the runs, the other finds the stage InProgress.
    const both = await Promise.all([
      failure(admin.promote({ flow: "main", migrationId: id, stage: "prod" })),
      failure(alice.flows.promote({ flow: "main", migrationId: id, stage: "prod" })),
    ]);
    expect(both.map((b) => b.code).sort()).toEqual(["FailedPrecondition", "none"]);
    expect(both.find((b) => b.code !== "none")?.message).toBe(
      `cannot promote migration ${id} on stage prod: it is InProgress`,
    );
    const prodJob = (await inbox.next()).job;
    expect(prodJob.connection).toBe("prod/main");
    expect(await execute(h, a1, prodJob)).toBe("completed");
    // The same job delivered again (a redelivery after its ack wait) cannot lease the run: it never
    // executes twice.
    const redelivered = await a1.lease(prodJob.runId, prodJob.attempt);
    expect([redelivered.granted, redelivered.reason]).toEqual([false, "run is Completed"]);
    expect(await stages("main", id)).toEqual([
      {
        env: "dev",
        state: "COMPLETED",
        operation: "apply",
        approvals: "0/0",
        votes: [],
        runs: ["main:apply:COMPLETED#1"],
      },
      {
        env: "qa",
        state: "COMPLETED",
        operation: "apply",
        approvals: "1/1",
        votes: ["alice@example.com:approve"],
        runs: ["main:apply:COMPLETED#1"],
      },
      {
        env: "prod",
        state: "COMPLETED",
        operation: "apply",
        approvals: "2/2",
        votes: ["alice@example.com:approve", "bob@example.com:approve"],
        runs: ["main:apply:COMPLETED#1"],
      },
    ]);
    expect(await failure(admin.promote({ flow: "main", migrationId: id, stage: "prod" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${id} on stage prod: it is Completed`,
    });

    // Every stage move is in the audit chain, and the chain holds.
    const actions = (await listAudit(store.db, h.workspaceId, { limit: 1000 }))
      .filter((a) => a.target === `migration:${id}` && a.action.startsWith("stage."))
      .map((a) => `${a.environment}:${String(a.detail.from)}→${String(a.detail.to)}`);
    expect(actions).toEqual([
      "dev:Pending→InProgress",
      "dev:InProgress→Completed",
      "qa:Queued→Pending",
      "qa:Pending→InProgress",
      "qa:InProgress→Completed",
      "prod:Queued→Pending",
      "prod:Pending→InProgress",
      "prod:InProgress→Completed",
    ]);
    expect(await verifyChain(store.db, h.workspaceId)).toBeNull();
  });

  test("a change to the migration voids the approvals signed for the old checksum", async () => {
    const id = await newMigration("20260201000001_voided");
    await carol.flows.approve({ flow: "main", migrationId: id, stage: "prod" });
    // The API never edits a stored migration; the store is changed directly to prove the guard.
    await store.db
      .update(tables.migrations)
      .set({ checksum: "edited", downSql: "drop table t2;" })
      .where(eq(tables.migrations.id, id));
    const [, , prod] = await stages("main", id);
    expect(prod?.votes).toEqual(["carol@example.com:approve:void"]);
    expect(prod?.approvals).toBe("0/2");
    // The void vote may be cast again, on the new checksum.
    await carol.flows.approve({ flow: "main", migrationId: id, stage: "prod" });
    expect((await stages("main", id))[2]?.approvals).toBe("1/2");
  });
});

describe("reject", () => {
  test("a reviewer's reject ends the stage as Rejected; promote and votes then fail naming the state", async () => {
    const id = await newMigration("20260201000002_rejected");
    await admin.promote({ flow: "main", migrationId: id, stage: "dev" });
    await execute(h, a1, (await inbox.next()).job);
    const rejected = await alice.flows.reject({ flow: "main", migrationId: id, stage: "qa", comment: "missing index" });
    expect(core(rejected.stage)).toEqual({
      env: "qa",
      state: "REJECTED",
      operation: "apply",
      approvals: "0/1",
      votes: ["alice@example.com:reject"],
      runs: [],
    });
    expect(await failure(admin.promote({ flow: "main", migrationId: id, stage: "qa" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${id} on stage qa: it is Rejected`,
    });
    expect(await failure(alice.flows.approve({ flow: "main", migrationId: id, stage: "qa" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot approve migration ${id} on stage qa: it is Rejected`,
    });
  });
});

describe("failure and rollback", () => {
  test("a failing statement fails the stage; rollback reverts what ran and the stage is Pending again", async () => {
    await admin.createFlow({ name: "pair", stages: [{ environment: "dev", connections: ["main", "second"] }] });
    const id = await newMigration("20260201000003_pair");
    await admin.promote({ flow: "pair", migrationId: id, stage: "dev" });
    const first = (await inbox.next()).job;
    const second = (await inbox.next()).job;
    expect([first.connection, second.connection]).toEqual(["dev/main", "dev/second"]);
    expect(await execute(h, a1, first)).toBe("completed");
    expect((await stages("pair", id))[0]?.state).toBe("IN_PROGRESS");
    expect(await execute(h, a1, second, { failAt: 2 })).toBe("failed");
    expect(await stages("pair", id)).toEqual([
      {
        env: "dev",
        state: "FAILED",
        operation: "apply",
        approvals: "0/0",
        votes: [],
        runs: ["main:apply:COMPLETED#1", "second:apply:FAILED#1"],
      },
    ]);

    // Only dev/main changed (PostgreSQL rolled dev/second back with its transaction).
    const rb = await admin.rollback({ flow: "pair", migrationId: id, stage: "dev" });
    expect(core(rb.stage)?.state).toBe("IN_PROGRESS");
    const revert = (await inbox.next()).job;
    expect([revert.connection, revert.kind.case, revert.kind.value?.$typeName]).toEqual([
      "dev/main",
      "revert",
      "migratrix.agent.v1.RevertJob",
    ]);
    expect(revert.kind.case === "revert" ? revert.kind.value.script?.sql : "").toBe("drop table t1;\n");
    expect(await execute(h, a1, revert, { statements: 1 })).toBe("completed");
    expect(await stages("pair", id)).toEqual([
      {
        env: "dev",
        state: "PENDING",
        operation: "revert",
        approvals: "0/0",
        votes: [],
        runs: ["main:apply:COMPLETED#1", "main:revert:COMPLETED#1", "second:apply:FAILED#1"],
      },
    ]);

    // Promoting again is a new attempt of each run, the history of the first kept in the audit.
    await admin.promote({ flow: "pair", migrationId: id, stage: "dev" });
    const again = [(await inbox.next()).job, (await inbox.next()).job];
    expect(again.map((j) => [j.connection, j.attempt, j.jobId.endsWith(":2")])).toEqual([
      ["dev/main", 2, true],
      ["dev/second", 2, true],
    ]);
    for (const j of again) expect(await execute(h, a1, j)).toBe("completed");
    expect((await stages("pair", id))[0]?.state).toBe("COMPLETED");
  });

  test("rollback needs a finished stage; on PostgreSQL not a -- DOWN section (the agent stored one)", async () => {
    const upOnly = await newMigration("20260201000004_uponly", "create table t9 (id int);\n");
    expect(await failure(admin.rollback({ flow: "pair", migrationId: upOnly, stage: "dev" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot roll back migration ${upOnly} on stage dev: it is Pending`,
    });
    const id = await newMigration("20260201000005_early");
    expect(await failure(admin.rollback({ flow: "pair", migrationId: id, stage: "dev" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot roll back migration ${id} on stage dev: it is Pending`,
    });
  });
});

describe("rollback approvals", () => {
  test("a stage whose rollbacks need 2 approvals: request, votes, a reject closes it, the approval that meets them starts it", async () => {
    const created = await admin.createFlow({
      name: "guarded",
      stages: [{ environment: "prod", policy: StagePolicy.MANUAL, rollbackApprovals: 2 }],
    });
    expect(created.flow?.stages.map((st) => st.rollbackApprovals)).toEqual([2]);
    const id = await newMigration("20260201000009_guarded");
    const at = { flow: "guarded", migrationId: id, stage: "prod" };
    await bob.flows.approve(at);
    await carol.flows.approve(at);
    await admin.promote(at);
    expect(await execute(h, a1, (await inbox.next()).job)).toBe("completed");
    const request = (s: StageStatus | undefined) => ({
      state: s ? RunState[s.state] : undefined,
      operation: s?.operation,
      requestedBy: s?.rollbackRequestedBy,
      approvals: `${s?.rollbackApprovals}/${s?.rollbackRequiredApprovals}`,
      votes: s?.votes.filter((v) => v.rollback).map((v) => `${v.email}:${v.approve ? "approve" : "reject"}`),
      runs: s?.runs.map((r) => `${r.direction}:${RunState[r.state]}`),
    });

    // No request open: a vote on a rollback has nothing to count towards.
    expect(await failure(alice.flows.approve({ ...at, rollback: true }))).toEqual({
      code: "FailedPrecondition",
      message: `no rollback of migration ${id} is requested on prod; ask for one with mx migration rollback`,
    });
    // The first call opens the request and starts nothing; asking again says what is missing.
    expect(request((await admin.rollback(at)).stage)).toEqual({
      state: "COMPLETED",
      operation: "apply",
      requestedBy: "admin@localhost",
      approvals: "0/2",
      votes: [],
      runs: ["apply:COMPLETED"],
    });
    expect(await failure(admin.rollback(at))).toEqual({
      code: "FailedPrecondition",
      message: `the rollback of ${id} on prod was requested by admin@localhost and has 0 of 2 approval(s); approvers vote with mx migration approve --rollback`,
    });
    // Approvers vote; an editor may not; one vote per person; bob's reject closes the request.
    await alice.flows.approve({ ...at, rollback: true, comment: "bad deploy" });
    expect(await failure(alice.flows.approve({ ...at, rollback: true }))).toEqual({
      code: "AlreadyExists",
      message: `alice@example.com already voted approve on the rollback of ${id} at prod (via user:alice@example.com); one vote per person`,
    });
    expect((await failure(dave.flows.approve({ ...at, rollback: true }))).code).toBe("PermissionDenied");
    expect(request((await bob.flows.reject({ ...at, rollback: true, comment: "not needed" })).stage)).toEqual({
      state: "COMPLETED",
      operation: "apply",
      requestedBy: "",
      approvals: "0/2",
      votes: [],
      runs: ["apply:COMPLETED"],
    });

    // A new request: two approvals, and the second one starts the rollback at once.
    await admin.rollback(at);
    expect(request((await alice.flows.approve({ ...at, rollback: true })).stage).approvals).toBe("1/2");
    const started = await carol.flows.approve({ ...at, rollback: true });
    expect(request(started.stage)).toEqual({
      state: "IN_PROGRESS",
      operation: "revert",
      requestedBy: "",
      approvals: "0/2",
      votes: [],
      runs: ["apply:COMPLETED", "revert:PENDING"],
    });
    const revert = (await inbox.next()).job;
    expect(revert.kind.case).toBe("revert");
    expect(await execute(h, a1, revert, { statements: 1 })).toBe("completed");
    expect(request((await admin.getFlow({ name: "guarded", migrationId: id })).stages[0])).toEqual({
      state: "PENDING",
      operation: "revert",
      requestedBy: "",
      approvals: "0/2",
      votes: [],
      runs: ["apply:COMPLETED", "revert:COMPLETED"],
    });
    const trail = (await listAudit(store.db, h.workspaceId, { limit: 2000 }))
      .filter((a) => a.target === `migration:${id}` && a.action !== "flow.enter")
      .map((a) => `${a.action}${a.detail.operation === "revert" ? ":rollback" : ""}`);
    expect(trail).toEqual([
      "migration.create",
      "approval.approve",
      "approval.approve",
      "stage.in_progress",
      "stage.completed",
      "flow.rollback_request",
      "approval.approve:rollback",
      "access.denied",
      "approval.reject:rollback",
      "flow.rollback_rejected",
      "flow.rollback_request",
      "approval.approve:rollback",
      "approval.approve:rollback",
      "stage.in_progress:rollback",
      "stage.pending:rollback",
    ]);
  });
});

describe("auto policy", () => {
  test("an auto stage starts by itself when the previous one completes and its approvals are met", async () => {
    await admin.createFlow({
      name: "auto",
      stages: [
        { environment: "dev", connections: ["second"], policy: StagePolicy.MANUAL },
        { environment: "qa", policy: StagePolicy.AUTO },
        { environment: "prod", policy: StagePolicy.AUTO },
      ],
    });
    const id = await newMigration("20260201000006_auto");
    // Votes may come before the stage's turn.
    await alice.flows.approve({ flow: "auto", migrationId: id, stage: "prod" });
    await bob.flows.approve({ flow: "auto", migrationId: id, stage: "prod" });
    await admin.promote({ flow: "auto", migrationId: id, stage: "dev" });
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { job } = await inbox.next();
      jobs.push(`${job.connection}#${job.attempt}`);
      expect(await execute(h, a1, job)).toBe("completed");
    }
    expect(jobs).toEqual(["dev/second#1", "qa/main#1", "prod/main#1"]);
    expect((await stages("auto", id)).map((s) => `${s?.env}:${s?.state}`)).toEqual([
      "dev:COMPLETED",
      "qa:COMPLETED",
      "prod:COMPLETED",
    ]);
    const promotedBy = (await listAudit(store.db, h.workspaceId, { limit: 1000 }))
      .filter((a) => a.target === `migration:${id}` && a.action === "stage.in_progress")
      .map((a) => `${a.environment}:${a.actor}`);
    expect(promotedBy).toEqual([expect.stringMatching(/^dev:user:/), "qa:control:flow", "prod:control:flow"]);
  });
});

describe("in doubt", () => {
  test("a run its target left in doubt is resolved into a new attempt carrying the answer", async () => {
    const id = await newMigration("20260201000007_doubt");
    await admin.createFlow({ name: "doubt", stages: [{ environment: "dev", connections: ["main"] }] });
    await admin.promote({ flow: "doubt", migrationId: id, stage: "dev" });
    const { job } = await inbox.next();
    const lease = await a1.lease(job.runId, job.attempt);
    const r = { runId: job.runId, attempt: job.attempt, fencingToken: lease.fencingToken };
    const message = "migration x statement 2 (line 3) on db is in doubt: …";
    await a1.emit(r, { case: "rejected", value: { error: { code: "failed_precondition", message } } });
    expect(await untilFinished(h, job.runId)).toBe("rejected");
    expect((await stages("doubt", id))[0]?.state).toBe("FAILED");
    expect(await failure(h.api.migrations.resolveRun({ runId: job.runId }))).toEqual({
      code: "InvalidArgument",
      message: "resolution must be rerun (it did not take effect) or skip (it did), or ask for a rollback",
    });

    const resolved = await h.api.migrations.resolveRun({ runId: job.runId, resolution: InDoubtResolution.RERUN });
    expect([resolved.run?.state, resolved.run?.attempt]).toEqual([RunState.PENDING, 2]);
    const again = (await inbox.next()).job;
    expect({
      attempt: again.attempt,
      inDoubt: again.kind.case === "apply" ? again.kind.value.script?.inDoubt : undefined,
    }).toEqual({ attempt: 2, inDoubt: InDoubtResolution.RERUN });
    expect((await stages("doubt", id))[0]?.state).toBe("IN_PROGRESS");
    expect(await execute(h, a1, again)).toBe("completed");
    expect((await stages("doubt", id))[0]?.state).toBe("COMPLETED");
    expect(
      await failure(h.api.migrations.resolveRun({ runId: job.runId, resolution: InDoubtResolution.SKIP })),
    ).toEqual({
      code: "FailedPrecondition",
      message: `cannot resolve run ${job.runId}: it is Completed; only a Failed or Rejected run is resolved`,
    });
  });
});

describe("in doubt, rolled back", () => {
  test("resolve --rollback runs the stage's Rollback; the revert carries the answer and the up script", async () => {
    const id = await newMigration("20260201000009_doubt_rb");
    await admin.createFlow({ name: "doubtrb", stages: [{ environment: "dev", connections: ["main"] }] });
    await admin.promote({ flow: "doubtrb", migrationId: id, stage: "dev" });
    const { job } = await inbox.next();
    const lease = await a1.lease(job.runId, job.attempt);
    const r = { runId: job.runId, attempt: job.attempt, fencingToken: lease.fencingToken };
    const message = "migration x statement 1 (line 2) on db is in doubt: …";
    await a1.emit(r, { case: "rejected", value: { error: { code: "failed_precondition", message } } });
    expect(await untilFinished(h, job.runId)).toBe("rejected");

    const resolved = await h.api.migrations.resolveRun({
      runId: job.runId,
      rollback: true,
      resolution: InDoubtResolution.SKIP,
    });
    expect({ direction: resolved.run?.direction, state: resolved.run?.state, message: resolved.message }).toEqual({
      direction: "revert",
      state: RunState.PENDING,
      message: `rolling back ${id} on dev/main (the statement in doubt took effect)`,
    });
    // Nothing committed was counted (statementsDone 0), yet the operator's rollback includes it.
    const revert = (await inbox.next()).job;
    const script = revert.kind.case === "revert" ? revert.kind.value.script : undefined;
    expect({ inDoubt: script?.inDoubt, up: script?.upSql.includes("create table") }).toEqual({
      inDoubt: InDoubtResolution.SKIP,
      up: true,
    });
    expect(await execute(h, a1, revert)).toBe("completed");
    expect((await stages("doubtrb", id))[0]).toMatchObject({ state: "PENDING", operation: "revert" });
    const audit = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).find(
      (a) => a.action === "run.resolve" && a.target === `run:${job.runId}`,
    );
    expect(audit?.detail).toMatchObject({ resolution: "rollback", answer: "took_effect", flow: "doubtrb" });
    // Resolving again is refused: the apply run is still the one that failed, but a rollback of a
    // rollback is not a thing.
    expect(await failure(h.api.migrations.resolveRun({ runId: revert.runId, rollback: true }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot resolve run ${revert.runId}: it is Completed; only a Failed or Rejected run is resolved`,
    });
  });
});

describe("named approvers", () => {
  test("a stage locked to named approvers counts only their votes", async () => {
    await admin.createFlow({
      name: "locked",
      stages: [{ environment: "prod", approverEmails: ["Bob@example.com", "carol@example.com"] }],
    });
    const id = await newMigration("20260201000008_locked");
    expect(await failure(alice.flows.approve({ flow: "locked", migrationId: id, stage: "prod" }))).toEqual({
      code: "PermissionDenied",
      message: "alice@example.com is not one of the named approvers of prod (bob@example.com, carol@example.com)",
    });
    await bob.flows.approve({ flow: "locked", migrationId: id, stage: "prod" });
    await carol.flows.approve({ flow: "locked", migrationId: id, stage: "prod" });
    expect((await stages("locked", id))[0]).toEqual({
      env: "prod",
      state: "PENDING",
      operation: "apply",
      approvals: "2/2",
      votes: ["bob@example.com:approve", "carol@example.com:approve"],
      runs: [],
    });
  });
});
