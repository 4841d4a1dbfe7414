import { describe, expect, test } from "bun:test";
import type { HistoryRow } from "../adapter.ts";
import type { Statement } from "../types.ts";
import { dirtyBy, dirtyRejection, downStepMap, planRun, planSegments, type RunPlan } from "./plan.ts";

const row = (over: Partial<HistoryRow>): HistoryRow => ({
  migrationId: "001_a",
  name: "a",
  checksum: "c1",
  direction: "apply",
  status: "applied",
  attempt: 1,
  statementsTotal: 3,
  statementsDone: 3,
  runId: "r",
  correlationId: "c",
  appliedBy: "me",
  startedAt: new Date(0),
  finishedAt: new Date(0),
  executionMs: 1,
  migratrixVersion: "0.1.0",
  ...over,
});

type Want =
  | { kind: "run"; resumeFrom: number; warnings: string[] }
  | { kind: "already_applied"; message: string }
  | { kind: "rejected"; code: string; message: string };

const simplify = (p: RunPlan): Want =>
  p.kind === "rejected" ? { kind: "rejected", code: p.error.code, message: p.error.message } : p;

const cases: Array<[string, HistoryRow | null, "apply" | "revert", string, Want]> = [
  ["apply, no row", null, "apply", "c1", { kind: "run", resumeFrom: 0, warnings: [] }],
  [
    "apply, applied, same checksum",
    row({}),
    "apply",
    "c1",
    { kind: "already_applied", message: "migration 001_a is already applied to db" },
  ],
  [
    "apply, applied, edited",
    row({}),
    "apply",
    "c2",
    {
      kind: "rejected",
      code: "failed_precondition",
      message: "migration 001_a was edited after it was applied to db (applied checksum c1, file checksum c2)",
    },
  ],
  [
    "apply, reverted: runs again",
    row({ direction: "revert", status: "reverted" }),
    "apply",
    "c2",
    { kind: "run", resumeFrom: 0, warnings: [] },
  ],
  [
    "apply, failed with nothing committed: fresh run",
    row({ status: "failed", statementsDone: 0 }),
    "apply",
    "c2",
    { kind: "run", resumeFrom: 0, warnings: [] },
  ],
  [
    "apply, failed after 2 committed: resume at 3",
    row({ status: "failed", statementsDone: 2 }),
    "apply",
    "c1",
    { kind: "run", resumeFrom: 2, warnings: [] },
  ],
  [
    "apply, in_progress after 1 (a crashed run): resume at 2",
    row({ status: "in_progress", statementsDone: 1 }),
    "apply",
    "c1",
    { kind: "run", resumeFrom: 1, warnings: [] },
  ],
  [
    "apply, failed after 2, edited: resume with a warning",
    row({ status: "failed", statementsDone: 2 }),
    "apply",
    "c2",
    {
      kind: "run",
      resumeFrom: 2,
      warnings: [
        "migration 001_a changed since the attempt that stopped (checksum c1 → c2); resuming at statement 3, assuming statements 1..2 are unchanged",
      ],
    },
  ],
  [
    "apply, history ahead of the script",
    row({ status: "failed", statementsDone: 5 }),
    "apply",
    "c1",
    {
      kind: "rejected",
      code: "failed_precondition",
      message: "migration 001_a: history on db records 5 statements done but the script has 3",
    },
  ],
  [
    "apply, revert stopped half way",
    row({ direction: "revert", status: "failed", statementsDone: 1, statementsTotal: 2 }),
    "apply",
    "c1",
    {
      kind: "rejected",
      code: "failed_precondition",
      message:
        "migration 001_a has a revert that stopped after 1 of 2 statements on db; run the revert again to finish it first",
    },
  ],
  [
    "apply, revert failed with nothing committed: still applied",
    row({ direction: "revert", status: "failed", statementsDone: 0 }),
    "apply",
    "c1",
    { kind: "already_applied", message: "migration 001_a is already applied to db" },
  ],
  [
    "revert, no row",
    null,
    "revert",
    "c1",
    {
      kind: "rejected",
      code: "failed_precondition",
      message: "migration 001_a is not applied to db; nothing to revert",
    },
  ],
  ["revert, applied", row({}), "revert", "c1", { kind: "run", resumeFrom: 0, warnings: [] }],
  [
    "revert, applied, edited",
    row({}),
    "revert",
    "c2",
    {
      kind: "rejected",
      code: "failed_precondition",
      message: "migration 001_a was edited after it was applied to db (applied checksum c1, file checksum c2)",
    },
  ],
  [
    "revert, reverted",
    row({ direction: "revert", status: "reverted" }),
    "revert",
    "c1",
    { kind: "already_applied", message: "migration 001_a is already reverted on db" },
  ],
  [
    "revert, apply stopped half way",
    row({ status: "failed", statementsDone: 2 }),
    "revert",
    "c1",
    {
      kind: "rejected",
      code: "failed_precondition",
      message:
        "migration 001_a has an apply that stopped after 2 of 3 statements on db; its down script is not a generated one mapped to the up statements (a hand-written -- DOWN section cannot be split by statement), so it cannot undo only the 2 committed statement(s): run the apply again to finish it first, or resolve it",
    },
  ],
  [
    "revert, apply died half way (in doubt): finish or resolve it first",
    row({ status: "in_progress", statementsDone: 2 }),
    "revert",
    "c1",
    {
      kind: "rejected",
      code: "failed_precondition",
      message:
        "migration 001_a has an apply that stopped after 2 of 3 statements on db; run the apply again to finish it first",
    },
  ],
  [
    "revert, revert failed after 1: resume",
    row({ direction: "revert", status: "failed", statementsDone: 1 }),
    "revert",
    "c1",
    { kind: "run", resumeFrom: 1, warnings: [] },
  ],
  [
    "revert, apply failed with nothing committed: not applied",
    row({ status: "failed", statementsDone: 0 }),
    "revert",
    "c1",
    {
      kind: "rejected",
      code: "failed_precondition",
      message: "migration 001_a is not applied to db; nothing to revert",
    },
  ],
];

// A generated down script of a 4-statement up script: up 4 needs nothing, up 3 two statements,
// up 2 nothing, up 1 one statement — the down script runs 3, 3, 1.
const MAP = [3, 3, 1];
const partialCases: Array<[string, HistoryRow | null, readonly number[] | undefined, Want & { keepLast?: number }]> = [
  [
    "apply failed after 1 of 4: only the inverse of statement 1 runs",
    row({ status: "failed", statementsDone: 1, statementsTotal: 4 }),
    MAP,
    {
      kind: "run",
      resumeFrom: 0,
      keepLast: 1,
      warnings: [
        "migration 001_a has an apply that stopped after 1 of 4 statements on db: reverting only the 1 committed statement(s) with the 1 matching statement(s) of the generated down script",
      ],
    },
  ],
  [
    "apply failed after 3 of 4: the inverses of 3 and 1",
    row({ status: "failed", statementsDone: 3, statementsTotal: 4 }),
    MAP,
    {
      kind: "run",
      resumeFrom: 0,
      keepLast: 3,
      warnings: [
        "migration 001_a has an apply that stopped after 3 of 4 statements on db: reverting only the 3 committed statement(s) with the 3 matching statement(s) of the generated down script",
      ],
    },
  ],
  [
    "that partial revert failed before its statement committed: again only its tail of 1",
    row({ direction: "revert", status: "failed", statementsDone: 0, statementsTotal: 1 }),
    MAP,
    { kind: "run", resumeFrom: 0, keepLast: 1, warnings: [] },
  ],
  [
    "a partial revert of 3 stopped after 1: resumes at 1 on the tail of 3",
    row({ direction: "revert", status: "failed", statementsDone: 1, statementsTotal: 2 }),
    MAP,
    { kind: "run", resumeFrom: 1, keepLast: 2, warnings: [] },
  ],
  [
    "a map that does not undo last first is refused",
    row({ status: "failed", statementsDone: 1, statementsTotal: 4 }),
    [1, 3, 3],
    {
      kind: "rejected",
      code: "failed_precondition",
      message:
        "migration 001_a has an apply that stopped after 1 of 4 statements on db; its down script does not undo the up statements last first",
    },
  ],
];

describe("planRun: revert of a partly applied migration", () => {
  test.each(partialCases)("%s", (_name, r, stepMap, want) => {
    const plan = planRun({
      row: r,
      migrationId: "001_a",
      checksum: "c1",
      direction: "revert",
      statementsTotal: MAP.length,
      database: "db",
      ...(stepMap ? { stepMap } : {}),
    });
    expect(simplify(plan)).toEqual(want);
  });
});

const downStatement = (index: number, sql: string, text: string): Statement => {
  const at = sql.indexOf(text);
  return { index, text, start: { line: 1, column: 1, offset: at }, endOffset: at + text.length, ownSegment: false };
};

describe("downStepMap", () => {
  const generated =
    "-- migratrix:undoes 3\nDROP INDEX i ON t;\nALTER TABLE t DROP COLUMN c;\n-- migratrix:undoes 1\nDROP TABLE t;\n";
  test.each([
    [
      "generated: each statement maps to the marker above it",
      generated,
      ["DROP INDEX i ON t", "ALTER TABLE t DROP COLUMN c", "DROP TABLE t"],
      [3, 3, 1],
    ],
    ["hand-written: no markers", "DROP TABLE t;\n", ["DROP TABLE t"], null],
    [
      "a statement before any marker: not mapped",
      "DROP VIEW v;\n-- migratrix:undoes 1\nDROP TABLE t;\n",
      ["DROP VIEW v", "DROP TABLE t"],
      null,
    ],
  ] as Array<[string, string, string[], number[] | null]>)("%s", (_name, sql, texts, want) => {
    expect(
      downStepMap(
        sql,
        texts.map((t, i) => downStatement(i + 1, sql, t)),
      ),
    ).toEqual(want);
  });
});

describe("planRun", () => {
  test.each(cases)("%s", (_name, r, direction, checksum, want) => {
    const plan = planRun({ row: r, migrationId: "001_a", checksum, direction, statementsTotal: 3, database: "db" });
    expect(simplify(plan)).toEqual(want);
  });
});

const st = (index: number, ownSegment = false): Statement => ({
  index,
  text: `s${index}`,
  start: { line: index, column: 1, offset: 0 },
  endOffset: 2,
  ownSegment,
});

describe("planSegments", () => {
  const shape = (transactional: boolean, own: boolean[]) =>
    planSegments(
      own.map((o, i) => st(i + 1, o)),
      { transactional },
    ).map((s) => [s.transactional, s.statements.map((x) => x.index)]);

  test.each([
    ["transactional: one transaction", true, [false, false, false], [[true, [1, 2, 3]]]],
    [
      "own segment splits the transaction",
      true,
      [false, true, false, false],
      [
        [true, [1]],
        [false, [2]],
        [true, [3, 4]],
      ],
    ],
    [
      "own segments back to back",
      true,
      [true, true],
      [
        [false, [1]],
        [false, [2]],
      ],
    ],
    [
      "not transactional: every statement alone",
      false,
      [false, false],
      [
        [false, [1]],
        [false, [2]],
      ],
    ],
    ["no statements", true, [], []],
  ] as const)("%s", (_name, transactional, own, want) => {
    expect(shape(transactional, [...own])).toEqual(want.map(([t, ix]) => [t, [...ix]]));
  });
});

describe("dirtyBy: another migration stopped part-way leaves the database dirty", () => {
  const other = (over: Partial<HistoryRow>) => row({ migrationId: "002_b", ...over });
  test.each([
    ["nothing else", [row({})], null],
    ["others applied or reverted", [other({}), other({ migrationId: "003_c", status: "reverted" })], null],
    ["another failed with nothing committed", [other({ status: "failed", statementsDone: 0 })], null],
    ["another failed after committing some", [other({ status: "failed", statementsDone: 1 })], "002_b"],
    ["another died (in_progress under a free lock)", [other({ status: "in_progress", statementsDone: 0 })], "002_b"],
    ["another's revert died", [other({ direction: "revert", status: "in_progress", statementsDone: 2 })], "002_b"],
    ["this migration's own partial row is not dirt", [row({ status: "failed", statementsDone: 1 })], null],
  ] as const)("%s", (_name, rows, want) => {
    expect(dirtyBy(rows, "001_a")?.migrationId ?? null).toEqual(want);
  });

  test("the refusal names the migration, what happened and how to go on, with a machine-readable detail", () => {
    const e = dirtyRejection(row({ migrationId: "002_b", status: "failed", statementsDone: 1 }), "shop");
    expect({ code: e.code, message: e.message, detail: e.detail }).toEqual({
      code: "failed_precondition",
      message:
        "shop is dirty: the apply of migration 002_b failed after committing 1 of 3 statements; run it again, resolve it (mx migration resolve) or roll it back before other migrations run there",
      detail: { dirty: { migrationId: "002_b", direction: "apply", statementsDone: 1, statementsTotal: 3 } },
    });
  });
});
