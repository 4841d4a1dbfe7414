// mx drift argument checks (no server needed) and the report rendering.
import { expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { DriftReportSchema, DriftStatus } from "../../proto/gen/migratrix/control/v1/drift_pb.ts";
import { runCli } from "../main.ts";
import { createOutput } from "../output.ts";
import { captureIo } from "../testing.ts";
import { isConnectionName } from "./diff.ts";
import { renderReport } from "./drift.ts";

test.each<[string, string[], string]>([
  ["--env is required", ["drift", "--check"], "--env NAME is required"],
  ["--connection needs --check", ["drift", "--env", "dev", "--connection", "main"], "--connection goes with --check"],
])("%s (exit 2)", async (_name, args, message) => {
  const io = captureIo({ env: { MIGRATRIX_HOME: "/nonexistent" } });
  const code = await runCli(args, io);
  expect({ code, mentions: io.err().includes(message) }).toEqual({ code: 2, mentions: true });
});

test.each<[string, boolean]>([
  ["dev/main", true],
  ["prod-eu/app_db", true],
  ["dev/main.json", false],
  ["schema/x.sql", false],
  ["postgres://u@h/db", false],
  ["dev", false],
  ["a/b/c", false],
  ["/abs/path", false],
])("isConnectionName(%j) = %p", (text, want) => {
  expect(isConnectionName(text)).toBe(want);
});

test("a drifted report names the connection, when, against what, and the diff", () => {
  const io = captureIo();
  const out = createOutput({ stdout: io.stdout, stderr: io.stderr, env: {}, json: false });
  const at = timestampFromDate(new Date("2026-05-01T09:00:00Z"));
  const text = renderReport(
    out,
    create(DriftReportSchema, {
      connection: "dev/app",
      status: DriftStatus.DRIFTED,
      changes: 1,
      diffText: "~ table public.t\n    + column c text\n1 difference",
      migrationId: "20260501000000_t",
      expectedAt: timestampFromDate(new Date("2026-05-01T08:00:00Z")),
      checkedAt: at,
      trigger: "schedule",
    }),
  );
  expect(text.split("\n")).toEqual([
    "dev/app  drifted  1 change",
    "  checked 2026-05-01 09:00:00Z (schedule); expected: the schema after 20260501000000_t (2026-05-01 08:00:00Z)",
    "  changed outside Migratrix (live vs expected):",
    "    ~ table public.t",
    "        + column c text",
    "    1 difference",
  ]);
});
