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
                  hint: "SET statement_timeout = '…' at the top of the migration",
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
