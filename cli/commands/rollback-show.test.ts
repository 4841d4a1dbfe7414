// mx flow show --migration and mx migration show against hand-written services: the generated down
// script approvers sign (issue 5) is shown with where its schema came from, its notes and its SQL,
// and a stage's allow-without-backup and size-limit policies are shown with the flow.
import { afterAll, expect, test } from "bun:test";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { FlowService, StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import {
  MigrationService,
  type RollbackScriptSchema,
  RunState,
} from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { runCli } from "../main.ts";
import { captureIo, startFakeControl } from "../testing.ts";

const script = (connection: string): MessageInitShape<typeof RollbackScriptSchema> => ({
  flow: "main",
  stage: "prod",
  connection,
  sql: 'ALTER TABLE "public"."items" ADD COLUMN "note" character varying(40);',
  checksum: "ab".repeat(32),
  reversibility: "exact",
  notes: ["statement 1 (line 2:1): re-adds note"],
  origin: "preflight",
  source: "agent pre-flight on prod/app",
});

const control = startFakeControl((r) => {
  r.service(FlowService, {
    getFlow: () => ({
      flow: {
        name: "main",
        stages: [
          {
            position: 1,
            environment: "prod",
            connections: ["app", "replica"],
            policy: StagePolicy.MANUAL,
            requiredApprovals: 1,
            approverRoles: ["admin"],
            allowWithoutBackup: true,
            maxBackupRows: 5000,
          },
        ],
      },
      stages: [
        {
          position: 1,
          environment: "prod",
          state: RunState.PENDING,
          operation: "apply",
          approvals: 0,
          requiredApprovals: 1,
          votes: [{ email: "ana@x.io", approve: true, valid: false }],
          rollbackScripts: [script("app"), script("replica")],
        },
      ],
    }),
  });
  r.service(MigrationService, {
    getMigration: () => ({
      migration: { id: "m1", name: "drop note", upSql: "alter table items drop column note;", checksum: "c1" },
      rollbackScripts: [script("app")],
    }),
  });
});
afterAll(() => control.stop());

async function mx(...args: string[]) {
  const io = captureIo({ env: { MIGRATRIX_TOKEN: "t", NO_COLOR: "1" } });
  const code = await runCli([...args, "--server", control.url], io);
  return { code, lines: io.out().trimEnd().split("\n") };
}

test("flow show: the stage's policies, its void vote and the script the next vote signs", async () => {
  const r = await mx("flow", "show", "main", "--migration", "m1");
  expect({ code: r.code, tail: r.lines.slice(-7) }).toEqual({
    code: 0,
    tail: [
      "runs without a backup where none can be taken on: prod",
      "backups on prod are limited to 5000 row(s) per statement",
      "",
      "prod  Pending  approvals 0/1  ✓ ana@x.io (void)",
      `  generated rollback for app, replica: exact, regenerated at pre-flight (agent pre-flight on prod/app; ${"ab".repeat(6)})`,
      "    -- statement 1 (line 2:1): re-adds note",
      '    ALTER TABLE "public"."items" ADD COLUMN "note" character varying(40);',
    ],
  });
});

test("migration show: the generated down script, with its flow, stage and database", async () => {
  const r = await mx("migration", "show", "m1");
  const at = r.lines.indexOf("-- DOWN (generated)");
  expect({ code: r.code, block: r.lines.slice(at, at + 4) }).toEqual({
    code: 0,
    block: [
      "-- DOWN (generated)",
      `  generated rollback for main/prod/app: exact, regenerated at pre-flight (agent pre-flight on prod/app; ${"ab".repeat(6)})`,
      "    -- statement 1 (line 2:1): re-adds note",
      '    ALTER TABLE "public"."items" ADD COLUMN "note" character varying(40);',
    ],
  });
});
