// The shared scheduler on a real (PGlite) store, driven by a manual clock: no sleeps.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { silentLogger } from "../../common/log.ts";
import { listAudit } from "../audit/index.ts";
import { bootstrap } from "../identity/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { manualClock } from "./clock.ts";
import { createScheduler, type Firing, type ScheduleHandler } from "./scheduler.ts";
import { getSchedule, putSchedule } from "./store.ts";

let store: Store;
let workspaceId = "";

beforeAll(async () => {
  store = await openStore({});
  workspaceId = (await bootstrap(store.db, {})).workspaceId;
}, 30_000);

afterAll(async () => {
  await store.close();
});

const t = (hhmm: string) => new Date(`2026-03-01T${hhmm}:00.000Z`);

/** A handler that records what it was asked to run; `fail` makes it throw. */
function recorder(fail = false) {
  const runs: string[] = [];
  const handler: ScheduleHandler = {
    async run(f: Firing) {
      runs.push(`${f.schedule.target}@${f.slot.toISOString().slice(11, 16)}`);
      if (fail) throw new Error("the work failed");
    },
  };
  return { runs, handler };
}

async function put(kind: string, target: string, cron: string, now: Date) {
  await store.db.transaction((tx) => putSchedule(tx, { workspaceId, kind, target, cron, actor: "test", now }));
}

async function fireAudits(target: string) {
  const rows = await listAudit(store.db, workspaceId, { limit: 1000 });
  return rows
    .filter((r) => r.action === "schedule.fire" && r.target === target)
    .map((r) => ({ actor: r.actor, slot: r.detail.slot }));
}

test("the loop fires each slot once as the clock moves, audited per firing", async () => {
  const clock = manualClock(t("10:07"));
  await put("k1", "a", "*/15 * * * *", clock.now());
  const { runs, handler } = recorder();
  const s = createScheduler({ db: store.db, log: silentLogger, clock, handlers: { k1: handler } });
  s.start();
  expect(await s.nextTick()).toEqual([]);

  let next = s.nextTick();
  clock.set(t("10:15"));
  expect(await next).toEqual([{ kind: "k1", target: "a", slot: "2026-03-01T10:15:00.000Z", outcome: "ok" }]);
  // The same instant again: the slot is taken.
  expect(await s.tick()).toEqual([]);

  next = s.nextTick();
  clock.set(t("10:29"));
  expect(await next).toEqual([]);
  next = s.nextTick();
  clock.set(t("10:30"));
  expect(await next).toEqual([{ kind: "k1", target: "a", slot: "2026-03-01T10:30:00.000Z", outcome: "ok" }]);
  await s.stop();

  expect(runs).toEqual(["a@10:15", "a@10:30"]);
  expect(await fireAudits("schedule:k1:a")).toEqual([
    { actor: "control:scheduler", slot: "2026-03-01T10:15:00.000Z" },
    { actor: "control:scheduler", slot: "2026-03-01T10:30:00.000Z" },
  ]);
});

test("slots missed while the control plane was down fire once on start, not once each", async () => {
  const clock = manualClock(t("09:01"));
  await put("k2", "b", "*/15 * * * *", clock.now());
  const first = recorder();
  const before = createScheduler({ db: store.db, log: silentLogger, clock, handlers: { k2: first.handler } });
  before.start();
  await before.nextTick();
  await before.stop();

  // Down from 09:01 to 10:02: 09:15, 09:30, 09:45 and 10:00 passed.
  clock.set(t("10:02"));
  const second = recorder();
  const after = createScheduler({ db: store.db, log: silentLogger, clock, handlers: { k2: second.handler } });
  after.start();
  expect(await after.nextTick()).toEqual([
    { kind: "k2", target: "b", slot: "2026-03-01T10:00:00.000Z", outcome: "ok" },
  ]);
  await after.stop();
  expect({ before: first.runs, after: second.runs }).toEqual({ before: [], after: ["b@10:00"] });
  expect((await getSchedule(store.db, { workspaceId, kind: "k2", target: "b" }))?.lastSlot).toEqual(t("10:00"));
});

test("two schedulers on one store (replicas, or a restart mid-pass) fire a slot once", async () => {
  const clock = manualClock(t("08:00"));
  await put("k3", "c", "0 * * * *", clock.now());
  clock.set(t("09:00"));
  const a = recorder();
  const b = recorder();
  const one = createScheduler({ db: store.db, log: silentLogger, clock, handlers: { k3: a.handler } });
  const two = createScheduler({ db: store.db, log: silentLogger, clock, handlers: { k3: b.handler } });
  const [x, y] = await Promise.all([one.tick(), two.tick()]);
  expect([...x, ...y]).toEqual([{ kind: "k3", target: "c", slot: "2026-03-01T09:00:00.000Z", outcome: "ok" }]);
  expect([...a.runs, ...b.runs]).toEqual(["c@09:00"]);
});

test("a failing handler is reported, and its schedule still fires at the next slot", async () => {
  const clock = manualClock(t("07:00"));
  await put("k4", "d", "*/30 * * * *", clock.now());
  const { runs, handler } = recorder(true);
  const s = createScheduler({ db: store.db, log: silentLogger, clock, handlers: { k4: handler } });
  clock.set(t("07:30"));
  expect(await s.tick()).toEqual([
    { kind: "k4", target: "d", slot: "2026-03-01T07:30:00.000Z", outcome: "the work failed" },
  ]);
  clock.set(t("08:00"));
  expect(await s.tick()).toEqual([
    { kind: "k4", target: "d", slot: "2026-03-01T08:00:00.000Z", outcome: "the work failed" },
  ]);
  expect(runs).toEqual(["d@07:30", "d@08:00"]);
});

test("a schedule set while the loop sleeps is planned in at once (wake)", async () => {
  const clock = manualClock(t("06:00"));
  const { runs, handler } = recorder();
  const s = createScheduler({
    db: store.db,
    log: silentLogger,
    clock,
    handlers: { k5: handler },
    maxSleepMs: 3_600_000,
  });
  s.start();
  await s.nextTick();
  await put("k5", "e", "5 6 * * *", clock.now());
  const replanned = s.nextTick();
  s.wake();
  await replanned;
  // Without the wake the loop would sleep an hour; with it, 06:05 is the next stop.
  const fired = s.untilFired((f) => f.target === "e");
  clock.set(t("06:05"));
  expect(await fired).toEqual({ kind: "k5", target: "e", slot: "2026-03-01T06:05:00.000Z", outcome: "ok" });
  await s.stop();
  expect(runs).toEqual(["e@06:05"]);
});
