// mx transfer without a database: option checking, overrides, the progress line.
import { expect, test } from "bun:test";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";
import { parseOverrides, progressLine } from "./transfer.ts";

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
      ["transfer", "--from", PG, "--to", PG, "--via", "nats"],
      1,
      "--via nats needs agent transfer jobs, not in this version",
    ],
    [
      ["transfer", "--from", "prod/main", "--to", PG],
      1,
      "--from prod/main: connection names (the platform path through agents) are not supported by transfer yet; give a URL",
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
