// mx transfer without a database: option checking, overrides, the progress line.

import { expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { TransferJobSchema } from "../../proto/gen/migratrix/control/v1/transfer_pb.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";
import { parseOverrides, progressLine } from "./transfer.ts";
import { progressBar } from "./transfer-platform.ts";

async function mx(...argv: string[]) {
  const io = captureIo({ env: { MIGRATRIX_SERVER: "http://127.0.0.1:1" } });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const PG = "postgres://postgres@127.0.0.1:1/a";

test("option errors are usage errors (exit 2) or say what is not supported yet (exit 1)", async () => {
  const cases: [string[], number, string][] = [
    [["transfer", "--to", PG], 2, "--from is required"],
    [
      ["transfer", "--from", PG, "--to", PG, "--on-conflict", "merge"],
      2,
      "--on-conflict must be one of fail, skip, upsert, truncate, got 'merge'",
    ],
    [["transfer", "--from", PG, "--to", PG, "--path", "slow"], 2, "--path must be auto, arrow or fast, got 'slow'"],
    [["transfer", "--from", PG, "--to", PG, "--via", "pigeon"], 2, "--via must be local or nats, got 'pigeon'"],
    [
      ["transfer", "--from", PG, "--to", PG, "--override", "nodot=int"],
      2,
      "--override: expected table.column=TYPE, got 'nodot=int'",
    ],
    [
      ["transfer", "--from", PG, "--to", PG, "--via", "nats", "--nats-url", "not a url"],
      1,
      'NATS URL "not a url" is not a URL',
    ],
    [
      ["transfer", "--from", "prod/main", "--to", PG],
      2,
      "--from and --to must both be URLs (local mode) or both ENV/CONNECTION names",
    ],
    [
      ["transfer", "--from", "prod/main", "--to", "dev/main", "--resume", "x"],
      2,
      "--resume is for URLs (local mode); the agent's job decides it",
    ],
    [
      ["transfer", "--from", PG, "--to", PG, "--schedule", "0 * * * *"],
      2,
      "--schedule needs connection names (ENV/CONNECTION): schedules never hold URLs",
    ],
  ];
  for (const [argv, code, message] of cases) {
    const r = await mx(...argv);
    expect({ code: r.code, hasMessage: r.err.includes(message) }).toEqual({ code, hasMessage: true });
  }
});

test("--override takes ';'-separated table.column=TYPE pairs (types may hold commas)", () => {
  expect(parseOverrides("t.a=numeric(12,2); t.b = varchar(45)")).toEqual({
    "t.a": "numeric(12,2)",
    "t.b": "varchar(45)",
  });
  expect(parseOverrides(undefined)).toBeUndefined();
});

test("the progress line shows chunk, rows, bytes, rate, share and ETA", () => {
  expect(
    progressLine({
      table: "orders",
      chunksCopied: 3,
      chunksSkipped: 2,
      rows: 150_000,
      bytes: 3 << 20,
      totalRows: 250_000,
      totalBytes: 5 << 20,
      estimatedRows: 1_000_000,
      rowsPerSecond: 500_000.4,
      etaSeconds: 1.2,
    }),
  ).toBe("orders: chunk 3 (2 done before), 150000 rows, 3.0 MiB | total 250000 rows 25%, 500000 rows/s, ETA 2 s");
});

test("the platform progress bar: share of the estimate, rows, bytes, rate, ETA and state", () => {
  const job = create(TransferJobSchema, {
    table: "items",
    rows: 500n,
    estimatedRows: 2000n,
    bytes: 2048n,
    rowsPerSecond: 250,
    etaSeconds: 6,
    state: RunState.IN_PROGRESS,
    attempt: 2,
  });
  expect(progressBar(job)).toBe(
    "[#####---------------] 25% items: 500 rows, 2.0 KiB, 250 rows/s, ETA 6 s InProgress (attempt 2)",
  );
  expect(progressBar(create(TransferJobSchema, { rows: 10n, etaSeconds: -1, state: RunState.COMPLETED }))).toBe(
    "10 rows, 0 B, 0 rows/s Completed",
  );
});
