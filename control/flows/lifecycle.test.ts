import { describe, expect, test } from "bun:test";
import type { RunDirection, RunStateName } from "../store/index.ts";
import { deriveStageState, isLegal } from "./lifecycle.ts";

const cases: [string, RunDirection, RunStateName[], number, RunStateName | null][] = [
  ["no runs yet", "apply", [], 2, null],
  ["one pending", "apply", ["pending", "completed"], 2, "in_progress"],
  [
    "one running while another failed: the running one finishes first",
    "apply",
    ["in_progress", "failed"],
    2,
    "in_progress",
  ],
  ["all done, one failed", "apply", ["completed", "failed"], 2, "failed"],
  ["agent rejected the job", "apply", ["rejected"], 1, "failed"],
  ["all completed", "apply", ["completed", "completed"], 2, "completed"],
  ["fewer runs than targets", "apply", ["completed"], 2, "in_progress"],
  ["rollback done: Pending again", "revert", ["completed"], 1, "pending"],
  ["rollback failed", "revert", ["failed"], 1, "failed"],
];

describe("deriveStageState", () => {
  for (const [name, operation, states, targets, want] of cases) {
    test(name, () => {
      expect(deriveStageState({ operation, runs: states.map((state) => ({ state })), targets })).toEqual(want);
    });
  }
});

test("the legal moves of the lifecycle", () => {
  const all: RunStateName[] = ["queued", "pending", "in_progress", "completed", "failed", "rejected"];
  const legal = all.flatMap((from) => all.filter((to) => isLegal(from, to)).map((to) => `${from}→${to}`));
  expect(legal).toEqual([
    "queued→pending",
    "queued→rejected",
    "pending→in_progress",
    "pending→rejected",
    "in_progress→pending",
    "in_progress→completed",
    "in_progress→failed",
    "completed→in_progress",
    "failed→in_progress",
  ]);
});
