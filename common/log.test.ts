import { expect, test } from "bun:test";
import { createLogger } from "./log.ts";

test("log lines are JSON with inherited fields, below-level lines dropped, URL secrets scrubbed", () => {
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), level: "info" }).child({ correlationId: "c-1" });
  log.debug("hidden");
  log.child({ runId: "r-1" }).warn("connect failed: postgres://app:hunter2@db:5432/x", {
    error: new Error("password=hunter2 rejected"),
    nested: { url: "mysql://root:pw@h/db" },
    token: 5n,
  });
  const parsed = lines.map((l): Record<string, unknown> => {
    const { at, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return { ...rest, atIsIso: typeof at === "string" && !Number.isNaN(Date.parse(at)) };
  });
  expect(parsed).toEqual([
    {
      level: "warn",
      msg: "connect failed: postgres://app:***@db:5432/x",
      correlationId: "c-1",
      runId: "r-1",
      error: "password=*** rejected",
      nested: { url: "mysql://root:***@h/db" },
      token: "5",
      atIsIso: true,
    },
  ]);
});
