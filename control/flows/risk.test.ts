// The risk report stored with a migration at create, and the stage policy that keeps a Critical
// migration out of a protected environment (prod in the harness) while a Low one goes through.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { createMemoryBus } from "../../bus/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, simulatedAgent, startHarness } from "../test-harness.ts";
import { addPerson, flowClient, type Person } from "./testing.ts";

let store: Store;
let h: Harness;
let admin: ReturnType<typeof flowClient>;
let ann: Person;
let ben: Person;

async function failure(call: Promise<unknown>) {
  try {
    await call;
  } catch (err) {
    const e = ConnectError.from(err);
    return { code: Code[e.code], message: e.rawMessage };
  }
  return { code: "none", message: "the call succeeded" };
}

async function create(id: string, content: string, engine = Engine.POSTGRESQL) {
  const res = await h.api.migrations.createMigration({ fileName: `${id}.sql`, content, engine });
  return {
    level: res.migration?.riskLevel,
    report: JSON.parse(res.migration?.riskReportJson || "null") as unknown,
  };
}

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus(), leaseTtlMs: 30_000, reaperIntervalMs: 60_000 });
  await simulatedAgent(h, "a1").announce([
    { name: "main", environment: "dev" },
    { name: "main", environment: "prod" },
  ]);
  admin = flowClient(h, h.adminToken);
  ann = await addPerson(h, "ann@example.com", { prod: "approver" });
  ben = await addPerson(h, "ben@example.com", { prod: "approver" });
  await admin.createFlow({ name: "to-prod", stages: [{ environment: "prod", policy: StagePolicy.MANUAL }] });
  await admin.createFlow({ name: "to-dev", stages: [{ environment: "dev", policy: StagePolicy.MANUAL }] });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await h?.bus.close();
  await store?.close();
});

describe("risk report on CreateMigration", () => {
  test("stores the up and down reports of a PostgreSQL migration, leveled by the up section", async () => {
    const content = ["-- UP", "create table r1 (id int primary key);", "-- DOWN", "drop table r1;", ""].join("\n");
    const created = await create("20260101000001_r1", content);
    const expected = {
      level: "Low",
      report: {
        level: "Low",
        up: {
          engine: "postgresql",
          level: "Low",
          statements: [
            {
              index: 0,
              line: 2,
              column: 1,
              sql: "create table r1 (id int primary key)",
              level: "Low",
              findings: [
                {
                  check: "type-hygiene",
                  level: "Low",
                  message: "primary key id is integer: it runs out",
                  line: 2,
                  column: 21,
                  hint: "use bigint",
                },
              ],
            },
          ],
        },
        down: {
          engine: "postgresql",
          level: "Critical",
          statements: [
            {
              index: 0,
              line: 4,
              column: 1,
              sql: "drop table r1",
              level: "Critical",
              findings: [
                {
                  check: "drop-table",
                  level: "Critical",
                  message: "DROP TABLE r1 deletes the table and every row in it",
                  line: 4,
                  column: 1,
                  hint: "stop using it first, keep a backup, and drop it in a later release (or rename it to an archive name)",
                },
                {
                  check: "missing-lock-timeout",
                  level: "Medium",
                  message:
                    "no lock_timeout is set before this statement locks r1: waiting behind a long query queues every other query on it",
                  line: 4,
                  column: 1,
                  hint: "SET lock_timeout = '5s' at the top of the migration (and retry on timeout)",
                },
                {
                  check: "missing-statement-timeout",
                  level: "Low",
                  message:
                    "no statement_timeout is set: a statement that runs long keeps its locks for as long as it runs",
                  line: 4,
                  column: 1,
                  hint: "SET statement_timeout = '...' at the top of the migration",
                },
              ],
            },
          ],
        },
      },
    };
    expect(created).toEqual(expected);
    const shown = await h.api.migrations.getMigration({ id: "20260101000001_r1" });
    expect({ level: shown.migration?.riskLevel, report: JSON.parse(shown.migration?.riskReportJson ?? "") }).toEqual(
      expected,
    );
  });

  test("a MySQL migration gets its own engine's report (every engine that can run migrations has rules)", async () => {
    const res = await create("20260101000002_my", "create table m1 (id int);\n", Engine.MYSQL);
    const up = (
      res.report as { up?: { engine: string; level: string; statements: { findings: { check: string }[] }[] } }
    ).up;
    expect({
      level: res.level,
      engine: up?.engine,
      checks: up?.statements.flatMap((st) => st.findings.map((f) => f.check)),
    }).toEqual({ level: "Medium", engine: "mysql", checks: ["missing-primary-key"] });
  });
});

describe("stage policy on risk", () => {
  test("refuses promoting a Critical migration to a protected environment, naming the findings", async () => {
    const id = "20260101000003_drop";
    expect((await create(id, "drop table r0;\n")).level).toEqual("Critical");
    expect(await failure(admin.promote({ flow: "to-prod", migrationId: id, stage: "prod" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${id} to protected environment prod: its risk is Critical (1:1 drop-table (Critical); 1:1 missing-lock-timeout (Medium); 1:1 missing-statement-timeout (Low))`,
    });
  });

  test("lets a Critical migration into an unprotected environment", async () => {
    const id = "20260101000004_drop";
    await create(id, "drop table r0;\n");
    const res = await admin.promote({ flow: "to-dev", migrationId: id, stage: "dev" });
    expect(res.stage?.runs.map((r) => [r.connection, r.direction])).toEqual([["main", "apply"]]);
  });

  test("lets a Low migration into a protected environment once approved", async () => {
    const id = "20260101000005_low";
    expect((await create(id, "create table r5 (id int primary key);\n")).level).toEqual("Low");
    await ann.flows.approve({ flow: "to-prod", migrationId: id, stage: "prod", comment: "ok" });
    await ben.flows.approve({ flow: "to-prod", migrationId: id, stage: "prod", comment: "ok" });
    const res = await admin.promote({ flow: "to-prod", migrationId: id, stage: "prod" });
    expect(res.stage?.runs.map((r) => [r.connection, r.direction])).toEqual([["main", "apply"]]);
  });
});

describe("stage risk policy: extra approvals at High, Critical blocked where the stage says", () => {
  let cy: Person;
  beforeAll(async () => {
    cy = await addPerson(h, "cy@example.com", { dev: "approver" });
    await admin.createFlow({
      name: "dev-strict",
      stages: [{ environment: "dev", policy: StagePolicy.MANUAL, riskApprovals: 1, blockCritical: true }],
    });
  });

  test("the flow shows the policy", async () => {
    const flow = (await admin.getFlow({ name: "dev-strict" })).flow;
    expect(flow?.stages.map((s) => [s.requiredApprovals, s.riskApprovals, s.blockCritical])).toEqual([[0, 1, true]]);
  });

  test("a High migration needs the extra approval; a Low one needs none", async () => {
    const high = "20260101000006_high";
    expect((await create(high, "alter table r0 alter column c type bigint;\n")).level).toEqual("High");
    const status = await admin.getFlow({ name: "dev-strict", migrationId: high });
    expect(status.stages.map((s) => [s.approvals, s.requiredApprovals])).toEqual([[0, 1]]);
    expect(await failure(admin.promote({ flow: "dev-strict", migrationId: high, stage: "dev" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${high} to dev: it needs 1 approval(s) (0 + 1 because its risk is High) and has 0`,
    });
    await cy.flows.approve({ flow: "dev-strict", migrationId: high, stage: "dev", comment: "checked the rewrite" });
    const approved = await admin.getFlow({ name: "dev-strict", migrationId: high });
    expect(approved.stages.map((s) => [s.approvals, s.requiredApprovals])).toEqual([[1, 1]]);
    // Past the approval gate: only the pre-flight stops it now (dev/main still has the Pending run
    // of the Critical migration promoted to-dev above, which no agent ran).
    const pending = "is still Pending there; wait for it to finish";
    expect((await failure(admin.promote({ flow: "dev-strict", migrationId: high, stage: "dev" }))).message).toContain(
      pending,
    );
    const low = "20260101000007_low";
    expect((await create(low, "create table r7 (id bigint primary key);\n")).level).not.toMatch(/High|Critical/);
    const lowStatus = await admin.getFlow({ name: "dev-strict", migrationId: low });
    expect(lowStatus.stages.map((s) => [s.approvals, s.requiredApprovals])).toEqual([[0, 0]]);
    expect((await failure(admin.promote({ flow: "dev-strict", migrationId: low, stage: "dev" }))).message).toContain(
      pending,
    );
  });

  test("a stage that blocks Critical refuses it on an unprotected environment", async () => {
    const id = "20260101000008_drop";
    await create(id, "drop table r0;\n");
    expect(await failure(admin.promote({ flow: "dev-strict", migrationId: id, stage: "dev" }))).toEqual({
      code: "FailedPrecondition",
      message: `cannot promote migration ${id} to stage dev: its risk is Critical (1:1 drop-table (Critical); 1:1 missing-lock-timeout (Medium); 1:1 missing-statement-timeout (Low))`,
    });
  });

  test("named approvers must be enough for the extra approvals", async () => {
    expect(
      await failure(
        admin.createFlow({
          name: "too-few",
          stages: [{ environment: "prod", approverEmails: ["ann@example.com", "ben@example.com"], riskApprovals: 1 }],
        }),
      ),
    ).toEqual({
      code: "InvalidArgument",
      message:
        "flow too-few stage 1 (prod) needs up to 3 approvals for a High-risk migration but names only 2 approver(s)",
    });
  });
});
