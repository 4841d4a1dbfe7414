import { expect, test } from "bun:test";
import { StagePolicy } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { parseStage } from "./flow.ts";

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
