// mx migration run / watch: start runs and follow their event logs to the end, re-opening a broken
// watch from the last sequence number seen (the run model makes that lossless and duplicate-free).
import { Code, ConnectError } from "@connectrpc/connect";
import {
  type Run,
  RunSchema,
  RunState,
  type WatchRunResponse,
  WatchRunResponseSchema,
} from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Clients } from "../client.ts";
import { codeName, isUnreachable } from "../errors.ts";
import type { Output } from "../output.ts";
import { formatTime, isTerminal, protoJson, stateName } from "../proto-output.ts";
import { RunLogPrinter } from "./runlog.ts";
import { type CommandContext, defineCommand, type WatchTuning } from "./types.ts";

/** Worth re-opening: the server went away or the stream broke; not an answer the server gave. */
function isTransient(err: unknown): boolean {
  if (isUnreachable(err)) return true;
  if (!(err instanceof ConnectError)) return false;
  if (err.isWireError) return err.code === Code.Unavailable;
  return err.code !== Code.Canceled;
}

/** Short enough for one note line: the server's words, or the socket error's code. */
function reasonOf(err: unknown): string {
  if (err instanceof ConnectError) {
    const code = err.isWireError ? undefined : Reflect.get(Object(err.cause), "code");
    return typeof code === "string" ? code : `${err.rawMessage} (${codeName(err.code)})`;
  }
  return String(err);
}

export interface WatchOptions {
  api: Clients;
  runId: string;
  tuning?: WatchTuning;
  onEvent(res: WatchRunResponse): void;
  onReconnect?(afterSeq: bigint, reason: string): void;
}

/** Follows a run until it is Completed, Failed or Rejected; returns its final record. */
export async function followRun(opts: WatchOptions): Promise<Run> {
  const baseDelay = opts.tuning?.retryDelayMs ?? 500;
  const deadlineMs = opts.tuning?.retryDeadlineMs ?? 60_000;
  let afterSeq = 0n;
  let state = RunState.UNSPECIFIED;
  let delay = baseDelay;
  let failingSince: number | undefined;
  for (;;) {
    try {
      for await (const res of opts.api.migrations.watchRun({ runId: opts.runId, afterSeq })) {
        // A server replaying from an older seq after a reconnect must not print lines twice.
        if (res.seq <= afterSeq) continue;
        afterSeq = res.seq;
        state = res.state;
        failingSince = undefined;
        delay = baseDelay;
        opts.onEvent(res);
        // Nothing more happens to this run until people approve the new generated rollback.
        if (res.event?.kind.case === "rejected" && res.event.kind.value.rollbackChanged !== undefined) {
          const { run } = await opts.api.migrations.getRun({ runId: opts.runId });
          if (run !== undefined) return run;
        }
      }
      const { run } = await opts.api.migrations.getRun({ runId: opts.runId });
      if (run !== undefined && (isTerminal(run.state) || isTerminal(state))) return run;
      // The stream closed while the run goes on (a control-plane restart): keep following.
      opts.onReconnect?.(afterSeq, `watch closed while the run is ${stateName(run?.state ?? state)}`);
    } catch (err) {
      if (!isTransient(err)) throw err;
      failingSince ??= Date.now();
      if (Date.now() - failingSince > deadlineMs) throw err;
      opts.onReconnect?.(afterSeq, reasonOf(err));
    }
    await Bun.sleep(delay);
    delay = Math.min(delay * 2, Math.max(baseDelay, 5000));
  }
}

export interface Followed {
  run: Run;
  events: WatchRunResponse[];
}

/** Follows runs one after another: each watch replays from seq 0, so nothing is missed meanwhile. */
export async function followAll(ctx: CommandContext, runs: Run[]): Promise<Followed[]> {
  const { out } = ctx;
  const api = ctx.clients();
  const followed: Followed[] = [];
  for (const started of runs) {
    const events: WatchRunResponse[] = [];
    const printer = new RunLogPrinter(out, started.statementsTotal);
    if (!out.json) {
      out.line(
        `${out.paint("bold", `${started.environment}/${started.connection}`)}  run ${started.id}` +
          `  ${started.migrationId}${started.direction !== "" && started.direction !== "apply" ? ` (${started.direction})` : ""}`,
      );
    }
    const run = await followRun({
      api,
      runId: started.id,
      tuning: ctx.io.watch,
      onEvent: (res) => {
        if (out.json) events.push(res);
        else printer.handle(res);
      },
      onReconnect: (afterSeq, reason) => {
        out.note(`mx: lost the watch of run ${started.id} (${reason}); resuming after seq ${afterSeq}`);
      },
    });
    if (!out.json) out.line(`  ${printer.summary(run)}`);
    followed.push({ run, events });
  }
  return followed;
}

export function finish(out: Output, followed: Followed[]): number {
  // A run left Pending (waiting for re-approval of its generated rollback) did not run either.
  const failed = followed.filter(
    (f) => f.run.state === RunState.FAILED || f.run.state === RunState.REJECTED || f.run.state === RunState.PENDING,
  );
  if (out.json) {
    out.document({
      runs: followed.map((f) => ({
        run: protoJson(RunSchema, f.run),
        events: f.events.map((e) => protoJson(WatchRunResponseSchema, e)),
      })),
    });
  } else if (followed.length > 1) {
    const counts = new Map<string, number>();
    for (const f of followed) counts.set(stateName(f.run.state), (counts.get(stateName(f.run.state)) ?? 0) + 1);
    out.line(`${followed.length} runs: ${[...counts].map(([s, n]) => `${n} ${s}`).join(", ")}`);
  }
  return failed.length > 0 ? 1 : 0;
}

export const migrationRun = defineCommand({
  path: ["migration", "run"],
  summary: "run a migration on every connection of an environment and follow the live log",
  args: ["ID"],
  options: { env: { type: "string", value: "NAME", description: "target environment (required)" } },
  details: ["Exits 1 when any run ends Failed or Rejected."],
  async run(ctx) {
    const migrationId = ctx.input.positionals[0] ?? "";
    const environment = ctx.input.required("env");
    const res = await ctx.clients().migrations.runMigration({ migrationId, environment });
    if (res.runs.length === 0) {
      ctx.out.note(`error: environment '${environment}' has no connections, so nothing ran`);
      return 1;
    }
    // A run that is already Completed was not started again (one run per migration and target):
    // say so instead of replaying its log as if it had just run.
    const done = res.runs.filter((r) => r.state === RunState.COMPLETED);
    for (const r of done) {
      if (ctx.out.json) continue;
      ctx.out.line(
        `${ctx.out.paint("bold", `${r.environment}/${r.connection}`)}  already Completed (run ${r.id}, attempt ${r.attempt}, ` +
          `finished ${formatTime(r.finishedAt)}): nothing runs twice`,
      );
    }
    const toFollow = res.runs.filter((r) => r.state !== RunState.COMPLETED);
    const followed = await followAll(ctx, toFollow);
    return finish(ctx.out, [...done.map((run) => ({ run, events: [] })), ...followed]);
  },
});

export const migrationWatch = defineCommand({
  path: ["migration", "watch"],
  summary: "follow the live log of a run until it ends",
  args: ["RUN_ID"],
  options: {},
  details: ["Exits 1 when the run ends Failed or Rejected."],
  async run(ctx) {
    const runId = ctx.input.positionals[0] ?? "";
    const { run } = await ctx.clients().migrations.getRun({ runId });
    if (run === undefined) throw new ConnectError(`run '${runId}' not found`, Code.NotFound);
    return finish(ctx.out, await followAll(ctx, [run]));
  },
});
