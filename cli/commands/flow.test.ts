import { expect, test } from "bun:test";
import { StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { parseEnvCounts, parseStage } from "./flow.ts";

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
