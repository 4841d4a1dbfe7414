// mx migration run / watch over HTTP against a hand-written MigrationService: the live log, exit
// codes, and the reconnect of a watch whose stream breaks mid-run (which no real server does on cue).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { type JobEventSchema, RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import {
  MigrationService,
  type RunSchema,
  RunState,
  type WatchRunResponse,
  WatchRunResponseSchema,
} from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { runCli } from "../main.ts";
import { captureIo, startFakeControl } from "../testing.ts";

const dir = mkdtempSync(join(tmpdir(), "mx-watch-"));
const servers: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function mx(
  server: string,
  argv: string[],
  io = captureIo({ env: { MIGRATRIX_TOKEN: "tok-1", NO_COLOR: "1" }, cwd: dir }),
) {
  const code = await runCli([...argv, "--server", server], io);
  return { code, out: io.out(), err: io.err() };
}

type RunInit = MessageInitShape<typeof RunSchema>;
type EventInit = MessageInitShape<typeof JobEventSchema>;

/** A run log: the events WatchRun replays, and the run's final record. */
interface Scripted {
  run: RunInit;
  log: { state: RunState; event: EventInit }[];
}

interface RunServiceOptions {
  watched: { runId: string; afterSeq: bigint }[];
  /** End the stream with `unavailable` right after this seq. */
  breakAfterSeq?: () => bigint | undefined;
  /** Send nothing after this seq until the connection drops. */
  holdAfterSeq?: () => bigint | undefined;
}

function runService(runs: Scripted[], opts: RunServiceOptions) {
  const find = (id: string): Scripted => {
    const found = runs.find((r) => r.run.id === id);
    if (found === undefined) throw new ConnectError(`run '${id}' not found`, Code.NotFound);
    return found;
  };
  return {
    runMigration: () => ({
      runs: runs.map((r) => ({
        ...r.run,
        state: RunState.QUEUED,
        statementsDone: 0,
        failedStatement: 0,
        error: undefined,
      })),
    }),
    getRun: (req: { runId: string }) => ({ run: find(req.runId).run }),
    watchRun: async function* (
      req: { runId: string; afterSeq: bigint },
      ctx: { signal: AbortSignal },
    ): AsyncGenerator<WatchRunResponse> {
      opts.watched.push({ runId: req.runId, afterSeq: req.afterSeq });
      const { log } = find(req.runId);
      for (const [i, entry] of log.entries()) {
        const seq = BigInt(i + 1);
        if (seq <= req.afterSeq) continue;
        yield create(WatchRunResponseSchema, {
          seq,
          state: entry.state,
          event: { runId: req.runId, attempt: 1, seq, ...entry.event },
        });
        if (seq === opts.breakAfterSeq?.()) throw new ConnectError("control plane restarting", Code.Unavailable);
        if (seq === opts.holdAfterSeq?.()) {
          await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
          return;
        }
      }
    },
  };
}

const stmt = (index: number, excerpt: string) => ({ index, excerpt, position: { line: index, column: 1 } });
const P = RunState.IN_PROGRESS;
const okLog = (n: number): Scripted["log"] => [
  { state: P, event: { kind: { case: "started", value: { statementsTotal: n } } } },
  ...Array.from({ length: n }, (_, i) => ({
    state: P,
    event: {
      kind: {
        case: "statementFinished" as const,
        value: { statement: stmt(i + 1, `CREATE TABLE t${i + 1} (id int)`), durationMs: 1.5, rowsAffected: 0n },
      },
    },
  })),
  {
    state: RunState.COMPLETED,
    event: {
      kind: { case: "finished", value: { outcome: RunOutcome.COMPLETED, statementsDone: n, durationMs: 3.25 } },
    },
  },
];

describe("migration run", () => {
  const watched: { runId: string; afterSeq: bigint }[] = [];
  const runs: Scripted[] = [
    {
      run: {
        id: "r1",
        migrationId: "m1",
        environment: "dev",
        connection: "main",
        direction: "apply",
        statementsTotal: 2,
        statementsDone: 2,
        state: RunState.COMPLETED,
      },
      log: okLog(2),
    },
    {
      run: {
        id: "r2",
        migrationId: "m1",
        environment: "dev",
        connection: "reports",
        direction: "apply",
        statementsTotal: 2,
        statementsDone: 1,
        failedStatement: 2,
        state: RunState.FAILED,
        error: {
          code: "not_found",
          nativeCode: "42P01",
          message: 'relation "x" does not exist',
          position: { line: 7, column: 15 },
        },
      },
      log: [
        okLog(2)[0]!,
        okLog(2)[1]!,
        {
          state: P,
          event: {
            kind: {
              case: "statementFailed",
              value: {
                statement: stmt(2, "SELECT * FROM x"),
                error: {
                  nativeCode: "42P01",
                  message: 'relation "x" does not exist',
                  position: { line: 7, column: 15 },
                },
              },
            },
          },
        },
        {
          state: RunState.FAILED,
          event: { kind: { case: "finished", value: { outcome: RunOutcome.FAILED, statementsDone: 1 } } },
        },
      ],
    },
  ];
  const control = startFakeControl((r) => r.service(MigrationService, runService(runs, { watched })));
  servers.push(control);

  test("prints each run statement by statement and exits 1 when one failed", async () => {
    expect(await mx(control.url, ["migration", "run", "m1", "--env", "dev"])).toEqual({
      code: 1,
      err: "",
      out: [
        "dev/main  run r1  m1",
        "  started attempt 1: 2 statements",
        "  ✓ [1/2] 1.5 ms  CREATE TABLE t1 (id int)",
        "  ✓ [2/2] 1.5 ms  CREATE TABLE t2 (id int)",
        "  Completed: 2/2 statements in 3.3 ms",
        "dev/reports  run r2  m1",
        "  started attempt 1: 2 statements",
        "  ✓ [1/2] 1.5 ms  CREATE TABLE t1 (id int)",
        '  ✗ [2/2] ERROR 42P01 at 7:15 relation "x" does not exist',
        '  Failed at statement 2/2 (1 done): ERROR 42P01 at 7:15 relation "x" does not exist',
        "2 runs: 1 Completed, 1 Failed",
        "",
      ].join("\n"),
    });
    expect(watched).toEqual([
      { runId: "r1", afterSeq: 0n },
      { runId: "r2", afterSeq: 0n },
    ]);
  });

  test("--json gives the final runs with their events", async () => {
    const { code, out } = await mx(control.url, ["migration", "watch", "r1", "--json"]);
    const doc = JSON.parse(out);
    expect({
      code,
      states: doc.runs.map((r: { run: { state: string } }) => r.run.state),
      seqs: doc.runs[0].events.map((e: { seq: string }) => e.seq),
    }).toEqual({
      code: 0,
      states: ["RUN_STATE_COMPLETED"],
      seqs: ["1", "2", "3", "4"],
    });
  });
});

describe("a broken watch resumes from the last seq", () => {
  test("after an unavailable stream end and after a server crash, without repeating a line", async () => {
    const watched: { runId: string; afterSeq: bigint }[] = [];
    const runs: Scripted[] = [
      {
        run: {
          id: "r9",
          migrationId: "m9",
          environment: "qa",
          connection: "main",
          statementsTotal: 4,
          statementsDone: 4,
          state: RunState.COMPLETED,
        },
        log: okLog(4),
      },
    ];
    let breakAt: bigint | undefined = 2n;
    let holdAt: bigint | undefined = 4n;
    const control = startFakeControl((r) =>
      r.service(
        MigrationService,
        runService(runs, { watched, breakAfterSeq: () => breakAt, holdAfterSeq: () => holdAt }),
      ),
    );
    servers.push(control);
    const io = captureIo({
      env: { MIGRATRIX_TOKEN: "t", NO_COLOR: "1" },
      cwd: dir,
      watch: { retryDelayMs: 5, retryDeadlineMs: 5000 },
    });
    // Crash the server the moment the third statement's line is printed: the stream is cut mid-run.
    const write = io.stdout.write;
    io.stdout.write = (text: string) => {
      write(text);
      if (text.includes("[2/4]")) breakAt = undefined;
      if (text.includes("[3/4]")) {
        holdAt = undefined;
        control.crash();
        control.restart();
      }
    };
    const code = await runCli(["migration", "watch", "r9", "--server", control.url], io);
    expect({ code, out: io.out() }).toEqual({
      code: 0,
      out: [
        "qa/main  run r9  m9",
        "  started attempt 1: 4 statements",
        "  ✓ [1/4] 1.5 ms  CREATE TABLE t1 (id int)",
        "  ✓ [2/4] 1.5 ms  CREATE TABLE t2 (id int)",
        "  ✓ [3/4] 1.5 ms  CREATE TABLE t3 (id int)",
        "  ✓ [4/4] 1.5 ms  CREATE TABLE t4 (id int)",
        "  Completed: 4/4 statements in 3.3 ms",
        "",
      ].join("\n"),
    });
    expect(watched.map((w) => w.afterSeq)).toEqual([0n, 2n, 4n]);
    expect(io.err()).toBe(
      "mx: lost the watch of run r9 (control plane restarting (unavailable)); resuming after seq 2\n" +
        "mx: lost the watch of run r9 (ECONNRESET); resuming after seq 4\n",
    );
  });
});

describe("a run waiting for re-approval of its generated rollback", () => {
  const message = "migration m1: generated rollback differs from the approved one: re-approval needed";
  const runs: Scripted[] = [
    {
      run: {
        id: "r7",
        migrationId: "m1",
        environment: "prod",
        connection: "main",
        direction: "apply",
        statementsTotal: 1,
        state: RunState.PENDING,
        error: { code: "failed_precondition", message },
      },
      log: [
        {
          state: RunState.PENDING,
          event: {
            kind: {
              case: "rejected",
              value: {
                error: { code: "failed_precondition", message },
                rollbackChanged: { sql: "ALTER TABLE t ADD COLUMN c int", checksum: "c".repeat(64) },
              },
            },
          },
        },
      ],
    },
  ];
  // The stream stays open after the refusal, as the real one does while the run is Pending.
  const control = startFakeControl((r) =>
    r.service(MigrationService, runService(runs, { watched: [], holdAfterSeq: () => 1n })),
  );
  servers.push(control);

  test("the watch stops at the refusal, says why, and exits 1: nothing ran", async () => {
    const r = await mx(control.url, ["migration", "run", "m1", "--env", "prod"]);
    expect({ code: r.code, lines: r.out.trimEnd().split("\n") }).toEqual({
      code: 1,
      lines: [
        "prod/main  run r7  m1",
        `  ✗ rejected: ERROR failed_precondition ${message}`,
        "  Pending: nothing ran; it runs when promoted again once approved",
      ],
    });
  });
});
