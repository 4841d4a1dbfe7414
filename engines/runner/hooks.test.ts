import { expect, test } from "bun:test";
import type { Statement } from "../types.ts";
import { composeHooks } from "./hooks.ts";
import type { RunHooks } from "./options.ts";

const stmt: Statement = {
  index: 1,
  text: "SELECT 1",
  start: { line: 1, column: 1, offset: 0 },
  endOffset: 8,
  ownSegment: false,
};

test("composed hooks run in the given order, skip missing ones, and stop at the first throw", async () => {
  const calls: string[] = [];
  const a: RunHooks = {
    beforeStatement: (s) => {
      calls.push(`a:before:${s.index}`);
    },
    afterStatement: () => {
      calls.push("a:after");
    },
  };
  const b: RunHooks = {
    beforeStatement: () => {
      calls.push("b:before");
      throw new Error("b refuses");
    },
    afterRun: (r) => {
      calls.push(`b:afterRun:${r.outcome}`);
    },
  };
  const c: RunHooks = {
    beforeStatement: () => {
      calls.push("c:before");
    },
  };
  const hooks = composeHooks(a, undefined, b, c);
  await expect(hooks.beforeStatement?.(stmt)).rejects.toThrow("b refuses");
  await hooks.afterStatement?.(stmt, { rowsAffected: 0, durationMs: 1 });
  await hooks.afterRun?.({ outcome: "failed", statementsDone: 0, statementsTotal: 1, durationMs: 1 });
  expect(calls).toEqual(["a:before:1", "b:before", "a:after", "b:afterRun:failed"]);
});
