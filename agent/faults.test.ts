import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import { faultHooks, parseFault } from "./faults.ts";

describe("fault injection hook", () => {
  test("parses the three points and refuses anything else", () => {
    expect([
      parseFault(undefined),
      parseFault(""),
      parseFault("before-statement:3"),
      parseFault("after-statement:12"),
      parseFault("before-history:2"),
    ]).toEqual([
      undefined,
      undefined,
      { point: "before-statement", statement: 3 },
      { point: "after-statement", statement: 12 },
      { point: "before-history", statement: 2 },
    ]);
    for (const bad of ["before-statement:0", "before-statement", "sleep:3", "before-statement:-1"]) {
      expect(() => parseFault(bad)).toThrow(
        new MigratrixError(
          "invalid_argument",
          `MIGRATRIX_FAULT="${bad}" is not understood: use before-statement:N, after-statement:N or before-history:N`,
        ),
      );
    }
  });

  test("passes other statements, and at the fault point writes the marker once and never returns", async () => {
    const lines: string[] = [];
    const hooks = faultHooks({ point: "before-statement", statement: 2 }, (l) => lines.push(l));
    expect(hooks.afterStatement).toBeUndefined();
    await hooks.beforeStatement?.({ index: 1 });
    const blocked = hooks.beforeStatement?.({ index: 2 });
    let settled = false;
    void blocked?.then(() => {
      settled = true;
    });
    // Let every queued job and timer run: a hook that would return has returned by then.
    await new Promise((resolve) => setImmediate(resolve));
    expect({ lines, settled }).toEqual({ lines: ["MIGRATRIX_FAULT_REACHED before-statement:2\n"], settled: false });
  });
});
