// mx notify set|list|remove against the real control plane (PGlite, port 0).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMemoryBus } from "../../bus/index.ts";
import { openStore, type Store } from "../../control/store/index.ts";
import { type Harness, startHarness } from "../../control/test-harness.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

let store: Store;
let h: Harness;
let url = "";

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus() });
  url = (await h.control.start(0)).url;
}, 60_000);

afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

async function mx(...args: string[]) {
  const io = captureIo({
    env: { MIGRATRIX_SERVER: url, MIGRATRIX_TOKEN: h.adminToken, MIGRATRIX_HOME: "/nonexistent" },
  });
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

test("set, list and remove a route; a wrong kind is a usage error", async () => {
  const set = await mx(
    "notify",
    "set",
    "prod-approvals",
    "--platform",
    "slack",
    "--channel",
    "C0123",
    "--env",
    "prod",
    "--kinds",
    "approval,failed",
  );
  expect(set.code).toBe(0);
  const listed = await mx("notify", "list", "--json");
  const routes = (JSON.parse(listed.out) as { routes: Record<string, unknown>[] }).routes;
  expect(routes.map((r) => [r.name, r.platform, r.channel, r.flow ?? "", r.environment, r.kinds])).toEqual([
    [
      "prod-approvals",
      "slack",
      "C0123",
      "",
      "prod",
      ["NOTIFICATION_KIND_APPROVAL_NEEDED", "NOTIFICATION_KIND_RUN_FAILED"],
    ],
  ]);
  const table = await mx("notify", "list");
  expect(table.out).toContain("approval,failed");
  expect(await mx("notify", "remove", "prod-approvals")).toEqual({
    code: 0,
    out: "removed notification route prod-approvals\n",
    err: "",
  });
  expect((await mx("notify", "list")).out).toContain("no notification routes");
  const bad = await mx("notify", "set", "x", "--platform", "slack", "--channel", "C1", "--kinds", "deploys");
  expect([bad.code, bad.err.includes("--kinds: unknown kind 'deploys'")]).toEqual([2, true]);
}, 20_000);
