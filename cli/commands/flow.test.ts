import { expect, test } from "bun:test";
import { InDoubtResolution } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { parseEnvCounts, parseStage, resolveChoice } from "./flow.ts";

test.each([
  ["dev", { environment: "dev", connections: [], requiredApprovals: 0, policy: StagePolicy.MANUAL }],
  ["qa:1@auto", { environment: "qa", connections: [], requiredApprovals: 1, policy: StagePolicy.AUTO }],
  [
    "prod/main,replica:2@manual",
    { environment: "prod", connections: ["main", "replica"], requiredApprovals: 2, policy: StagePolicy.MANUAL },
  ],
])("stage %s", (text, want) => {
  expect(parseStage(text)).toEqual(want);
});

test("a malformed stage names the grammar", () => {
  expect(() => parseStage("prod:two")).toThrow("stage 'prod:two' is not ENV[/CONN,CONN][:APPROVALS][@auto|@manual]");
});

test("--rollback-approvals ENV=N[,ENV=N]", () => {
  expect(parseEnvCounts("qa=1, prod=2", "--rollback-approvals")).toEqual([
    ["qa", 1],
    ["prod", 2],
  ]);
  expect(parseEnvCounts(undefined, "--rollback-approvals")).toEqual([]);
  expect(() => parseEnvCounts("prod:2", "--rollback-approvals")).toThrow(
    "--rollback-approvals wants ENV=N[,ENV=N], got 'prod:2'",
  );
});

test("mx migration resolve: one of --resume, --skip, --rollback; answers go with --rollback", () => {
  const none = { resume: false, skip: false, rollback: false, tookEffect: false, notApplied: false };
  expect(resolveChoice({ ...none, resume: true })).toEqual({ resolution: InDoubtResolution.RERUN, rollback: false });
  expect(resolveChoice({ ...none, skip: true })).toEqual({ resolution: InDoubtResolution.SKIP, rollback: false });
  expect(resolveChoice({ ...none, rollback: true })).toEqual({
    resolution: InDoubtResolution.UNSPECIFIED,
    rollback: true,
  });
  expect(resolveChoice({ ...none, rollback: true, tookEffect: true })).toEqual({
    resolution: InDoubtResolution.SKIP,
    rollback: true,
  });
  expect(resolveChoice({ ...none, rollback: true, notApplied: true })).toEqual({
    resolution: InDoubtResolution.RERUN,
    rollback: true,
  });
  expect(() => resolveChoice(none)).toThrow("give exactly one of --resume, --skip or --rollback");
  expect(() => resolveChoice({ ...none, resume: true, rollback: true })).toThrow("give exactly one of");
  expect(() => resolveChoice({ ...none, skip: true, tookEffect: true })).toThrow(
    "--took-effect and --not-applied go with --rollback",
  );
  expect(() => resolveChoice({ ...none, rollback: true, tookEffect: true, notApplied: true })).toThrow(
    "give --took-effect or --not-applied, not both",
  );
});
