import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { EnvironmentSchema } from "../proto/gen/migratrix/control/v1/common_pb.ts";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { createOutput, excerpt, formatMs, jsonPieces, renderTable, wantsColour } from "./output.ts";
import { formatTime, paintState, protoJson, stateName } from "./proto-output.ts";

function output(opts: { tty: boolean; env?: Record<string, string>; json?: boolean }) {
  let stdout = "";
  let stderr = "";
  const out = createOutput({
    stdout: { write: (t: string) => (stdout += t), isTTY: opts.tty },
    stderr: { write: (t: string) => (stderr += t) },
    env: opts.env ?? {},
    json: opts.json ?? false,
  });
  return { out, stdout: () => stdout, stderr: () => stderr };
}

describe("tables", () => {
  test("columns align on the widest cell, last column unpadded", () => {
    expect(
      renderTable(
        ["ID", "NAME", "STATE"],
        [
          ["1", "customers", "Completed"],
          ["10", "é-ü", "Failed"],
        ],
      ),
    ).toBe("ID  NAME       STATE\n1   customers  Completed\n10  é-ü        Failed\n");
  });

  test("colour codes do not count towards the width", () => {
    const { out } = output({ tty: true });
    expect(renderTable(["A", "B"], [[out.paint("red", "xx"), "y"]])).toBe("A   B\n\x1b[31mxx\x1b[39m  y\n");
  });

  test("an empty table prints its hint", () => {
    const o = output({ tty: false });
    o.out.table(["A"], [], { empty: "nothing here" });
    expect(o.stdout()).toBe("nothing here\n");
  });
});

describe("colours", () => {
  test("only on a TTY and never with NO_COLOR or --json", () => {
    expect([
      wantsColour({ write: () => 0, isTTY: true }, {}),
      wantsColour({ write: () => 0, isTTY: true }, { NO_COLOR: "1" }),
      wantsColour({ write: () => 0, isTTY: true }, { NO_COLOR: "" }),
      wantsColour({ write: () => 0, isTTY: false }, {}),
      wantsColour({ write: () => 0 }, {}),
    ]).toEqual([true, false, true, false, false]);
    expect([
      output({ tty: true }).out.paint("green", "ok"),
      output({ tty: true, env: { NO_COLOR: "1" } }).out.paint("green", "ok"),
      output({ tty: true, json: true }).out.paint("green", "ok"),
      output({ tty: false }).out.paint("green", "ok"),
    ]).toEqual(["\x1b[32mok\x1b[39m", "ok", "ok", "ok"]);
  });

  test("run states", () => {
    const { out } = output({ tty: true });
    expect(
      [RunState.COMPLETED, RunState.FAILED, RunState.QUEUED, RunState.IN_PROGRESS].map((s) => paintState(out, s)),
    ).toEqual([
      "\x1b[32mCompleted\x1b[39m",
      "\x1b[31mFailed\x1b[39m",
      "\x1b[33mQueued\x1b[39m",
      "\x1b[36mInProgress\x1b[39m",
    ]);
    expect([RunState.PENDING, RunState.REJECTED, RunState.UNSPECIFIED].map(stateName)).toEqual([
      "Pending",
      "Rejected",
      "Unknown",
    ]);
  });
});

describe("values", () => {
  test("times, durations, excerpts", () => {
    expect([formatTime(timestampFromMs(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), formatTime(undefined)]).toEqual([
      "2026-01-02 03:04:05Z",
      "-",
    ]);
    expect([formatMs(12.34), formatMs(0), formatMs(1234.5)]).toEqual(["12.3 ms", "0.0 ms", "1.23 s"]);
    expect([excerpt("CREATE  TABLE\n  t (id int)"), excerpt("x".repeat(70), 10)]).toEqual([
      "CREATE TABLE t (id int)",
      "xxxxxxxxx…",
    ]);
  });

  test("--json documents keep every field, even zero ones", () => {
    const o = output({ tty: false, json: true });
    o.out.document(protoJson(EnvironmentSchema, create(EnvironmentSchema, { id: "e1", name: "dev", position: 1 })));
    expect(JSON.parse(o.stdout())).toEqual({
      id: "e1",
      name: "dev",
      position: 1,
      requiredApprovals: 0,
      protected: false,
    });
  });

  test("a document is indented on a terminal and one line when piped", () => {
    const doc = { engine: "postgresql", statements: [{ index: 0 }] };
    const tty = output({ tty: true, json: true });
    tty.out.document(doc);
    expect(tty.stdout()).toBe(
      '{\n  "engine": "postgresql",\n  "statements": [\n    {\n      "index": 0\n    }\n  ]\n}\n',
    );
    const pipe = output({ tty: false, json: true });
    pipe.out.document(doc);
    expect(pipe.stdout()).toBe('{"engine":"postgresql","statements":[{"index":0}]}\n');
  });

  test("a piped document is written in pieces that add up to JSON.stringify's text", () => {
    const long = Array.from({ length: 1000 }, (_, i) => ({ index: i, sql: `SELECT ${i} -- "é" \n`, none: undefined }));
    const values: unknown[] = [
      { engine: "postgresql", level: "High", statements: long },
      { statements: long, skipped: undefined, after: [1, undefined, () => 1], empty: [] },
      { a: long.slice(0, 256), b: long.slice(0, 257), c: long.slice(0, 513) },
      { at: new Date(0), list: [new Date(0)], n: null, f: () => 1 },
      {},
      { only: undefined },
      [1, 2, 3],
      "text",
      42,
      null,
      { toJSON: () => ({ x: 1 }) },
    ];
    for (const value of values) expect([...jsonPieces(value)].join("")).toBe(JSON.stringify(value));
    const pipe = output({ tty: false, json: true });
    pipe.out.document(values[0]);
    expect(pipe.stdout()).toBe(`${JSON.stringify(values[0])}\n`);
    expect([...jsonPieces(values[0])].length).toBeGreaterThan(4);
  });
});
