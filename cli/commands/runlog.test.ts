import { describe, expect, test } from "bun:test";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { DbErrorSchema, SourcePositionSchema } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { type JobEvent, JobEventSchema, RunOutcome } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { RunSchema, RunState, WatchRunResponseSchema } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { createOutput } from "../output.ts";
import { describeDbError, formatEvent, RunLogPrinter } from "./runlog.ts";

function plain(tty = false) {
  let text = "";
  const out = createOutput({
    stdout: { write: (t: string) => (text += t), isTTY: tty },
    stderr: { write: () => 0 },
    env: { NO_COLOR: "1" },
    json: false,
  });
  return { out, text: () => text };
}

const ev = (init: MessageInitShape<typeof JobEventSchema>): JobEvent =>
  create(JobEventSchema, { runId: "r1", attempt: 1, ...init });

const statement = (index: number, excerpt: string) => ({ index, excerpt, position: { line: index * 2, column: 1 } });

describe("formatEvent", () => {
  const { out } = plain();
  test.each([
    [ev({ kind: { case: "started", value: { statementsTotal: 5 } } }), "started attempt 1: 5 statements"],
    [
      ev({ attempt: 2, kind: { case: "started", value: { statementsTotal: 5, statementsDone: 2 } } }),
      "started attempt 2: 5 statements, resuming after 2 done",
    ],
    [
      ev({
        kind: {
          case: "statementFinished",
          value: {
            statement: statement(2, "CREATE INDEX orders_customer_idx\n  ON orders (customer_id)"),
            durationMs: 12.34,
            rowsAffected: 3n,
          },
        },
      }),
      "✓ [2/5] 12.3 ms  CREATE INDEX orders_customer_idx ON orders (customer_id) (3 rows)",
    ],
    [
      ev({
        kind: {
          case: "statementFinished",
          value: { statement: { ...statement(1, "VACUUM"), ownSegment: true }, durationMs: 1, rowsAffected: 0n },
        },
      }),
      "✓ [1/5] 1.0 ms  VACUUM  (own segment)",
    ],
    [
      ev({
        kind: {
          case: "statementFailed",
          value: {
            statement: statement(3, "SELECT * FROM x"),
            error: {
              code: "not_found",
              nativeCode: "42P01",
              message: 'relation "x" does not exist',
              position: { line: 7, column: 15 },
            },
          },
        },
      }),
      '✗ [3/5] ERROR 42P01 at 7:15 relation "x" does not exist',
    ],
    [
      ev({
        kind: {
          case: "statementFailed",
          value: { statement: statement(4, "INSERT"), error: { code: "aborted", message: "database is locked" } },
        },
      }),
      "✗ [4/5] ERROR aborted at 8:1 database is locked",
    ],
    [ev({ kind: { case: "log", value: { level: "info", message: "lock taken" } } }), "· lock taken"],
    [
      ev({
        kind: { case: "rejected", value: { error: { code: "failed_precondition", message: "checksum differs" } } },
      }),
      "✗ rejected: ERROR failed_precondition checksum differs",
    ],
    [ev({ kind: { case: "statementStarted", value: { statement: statement(1, "X") } } }), undefined],
    [ev({ kind: { case: "finished", value: { outcome: RunOutcome.COMPLETED } } }), undefined],
  ])("%#", (event, line) => {
    expect(formatEvent(out, event, 5)).toEqual(line);
  });

  test("describeDbError without an error or position", () => {
    expect([
      describeDbError(undefined),
      describeDbError(create(DbErrorSchema)),
      describeDbError(create(DbErrorSchema, { message: "boom" }), create(SourcePositionSchema, { line: 3, column: 9 })),
      describeDbError(
        create(DbErrorSchema, {
          nativeCode: "42P01",
          message: 'statement 2 (line 2:1) failed at 2:13: relation "m" does not exist',
          position: { line: 2, column: 13 },
        }),
      ),
    ]).toEqual(["ERROR (no detail)", "ERROR", "ERROR at 3:9 boom", 'ERROR 42P01 at 2:13 relation "m" does not exist']);
  });
});

describe("RunLogPrinter", () => {
  const res = (seq: bigint, state: RunState, event?: JobEvent) =>
    create(WatchRunResponseSchema, event === undefined ? { seq, state } : { seq, state, event });

  test("prints a run and its summary; the running statement shows in place only on a TTY", () => {
    for (const tty of [false, true]) {
      const o = plain(tty);
      const printer = new RunLogPrinter(o.out, 0);
      printer.handle(res(1n, RunState.PENDING));
      printer.handle(res(2n, RunState.IN_PROGRESS, ev({ kind: { case: "started", value: { statementsTotal: 2 } } })));
      printer.handle(
        res(
          3n,
          RunState.IN_PROGRESS,
          ev({ kind: { case: "statementStarted", value: { statement: statement(1, "CREATE TABLE t (id int)") } } }),
        ),
      );
      printer.handle(
        res(
          4n,
          RunState.IN_PROGRESS,
          ev({
            kind: {
              case: "statementFinished",
              value: { statement: statement(1, "CREATE TABLE t (id int)"), durationMs: 2.5, rowsAffected: 1n },
            },
          }),
        ),
      );
      printer.handle(
        res(
          5n,
          RunState.COMPLETED,
          ev({
            kind: { case: "finished", value: { outcome: RunOutcome.COMPLETED, statementsDone: 2, durationMs: 4.25 } },
          }),
        ),
      );
      const summary = printer.summary(
        create(RunSchema, { state: RunState.COMPLETED, statementsTotal: 2, statementsDone: 2 }),
      );
      const progress = tty ? "  … [1/2] CREATE TABLE t (id int)\r\x1b[2K" : "";
      expect({ text: o.text(), summary }).toEqual({
        text: `  · Pending\n  started attempt 1: 2 statements\n${progress}  ✓ [1/2] 2.5 ms  CREATE TABLE t (id int) (1 row)\n`,
        summary: "Completed: 2/2 statements in 4.3 ms",
      });
    }
  });

  test("summaries of failed, rejected and already applied runs", () => {
    const failed = new RunLogPrinter(plain().out, 5).summary(
      create(RunSchema, {
        state: RunState.FAILED,
        statementsTotal: 5,
        statementsDone: 2,
        failedStatement: 3,
        error: { nativeCode: "42P01", message: 'relation "x" does not exist', position: { line: 7, column: 15 } },
      }),
    );
    const rejected = new RunLogPrinter(plain().out, 5).summary(
      create(RunSchema, { state: RunState.REJECTED, error: { code: "failed_precondition", message: "lease lost" } }),
    );
    const again = new RunLogPrinter(plain().out, 5);
    again.handle(
      res(1n, RunState.COMPLETED, ev({ kind: { case: "finished", value: { outcome: RunOutcome.ALREADY_APPLIED } } })),
    );
    expect([failed, rejected, again.summary(create(RunSchema, { state: RunState.COMPLETED }))]).toEqual([
      'Failed at statement 3/5 (2 done): ERROR 42P01 at 7:15 relation "x" does not exist',
      "Rejected: ERROR failed_precondition lease lost",
      "Completed: already applied, nothing ran",
    ]);
  });
});
