import type { Bus } from "../../bus/types.ts";
import type { Logger } from "../../common/log.ts";
import type { ExplorerControlHooks } from "../explorer/index.ts";
import type { PasswordCost } from "../identity/index.ts";
import type { RunNotifier } from "../runs/notifier.ts";
import type { Clock, Scheduler } from "../schedules/index.ts";
import type { Db } from "../store/index.ts";

/** What the Connect services need from the app. */
export interface ServiceDeps {
  db: Db;
  bus: Bus;
  notifier: RunNotifier;
  log: Logger;
  /** Deadline of interactive agent calls (introspect, store secret). */
  agentRequestTimeoutMs: number;
  /** An agent seen within this window counts as online. */
  agentOnlineMs: number;
  /** WatchRun's re-read interval when no in-process wake-up comes. */
  watchPollMs: number;
  /** argon2id cost of account passwords; unset = Bun's default. */
  passwordCost?: PasswordCost;
  /** The shared scheduler (woken when a schedule changes) and its clock. */
  scheduler?: Scheduler;
  clock?: Clock;
  /** Test hook: switches the explorer's classifier off (control/explorer/query.ts). */
  explorerHooks?: ExplorerControlHooks;
}
