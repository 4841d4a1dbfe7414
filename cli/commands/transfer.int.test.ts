// mx transfer end to end: a real `bun` child is SIGKILLed at a fault point right after its 2nd
// chunk committed, then `mx transfer --resume` finishes the job: counts and checksums equal, no
// duplicates, the two finished chunks not copied again.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { TRANSFER_FAULT_MARKER } from "../../arrow-transfer/faults.ts";
import { createPgDb, type PgDb } from "../../arrow-transfer/test-support.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

let src: PgDb;
let dst: PgDb;

beforeAll(async () => {
  src = await createPgDb("xfer_cli_src");
  dst = await createPgDb("xfer_cli_dst");
  await src.sql
    .unsafe(
      "CREATE TABLE orders (id bigint PRIMARY KEY, note text, at timestamptz); INSERT INTO orders SELECT g, 'n' || g, timestamptz '2024-01-01' + g * interval '1 s' FROM generate_series(1, 1000) g",
    )
    .simple();
});

afterAll(async () => {
  await dst?.drop();
  await src?.drop();
});

/** Reads a child's stdout until a line matches; no sleeps: waits on the stream itself. */
async function untilLine(stream: ReadableStream<Uint8Array>, match: (l: string) => boolean): Promise<string[]> {
  const lines: string[] = [];
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    rest += decoder.decode(chunk, { stream: true });
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    lines.push(...parts);
    if (parts.some(match)) return lines;
  }
  throw new Error(`the child ended before the expected line; it printed: ${lines.join(" | ")}`);
}

test("SIGKILL after chunk 2, then --resume: equal counts and checksums, no duplicates, no re-copy", async () => {
  const args = [
    "transfer",
    "--from",
    src.url,
    "--to",
    dst.url,
    "--tables",
    "orders",
    "--batch-rows",
    "200",
    "--create",
    "--job",
    "kill-me",
  ];
  const child = Bun.spawn(["bun", join(import.meta.dir, "..", "main.ts"), ...args], {
    env: { ...process.env, MIGRATRIX_FAULT: "transfer-after-chunk:2", NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines = await untilLine(child.stdout, (l) => l.startsWith(TRANSFER_FAULT_MARKER));
  child.kill("SIGKILL");
  expect(await child.exited).not.toBe(0);
  expect(lines).toEqual([`${TRANSFER_FAULT_MARKER} transfer-after-chunk:2`]);

  const [cp] = await dst.sql.unsafe(
    "SELECT chunks, rows::int AS rows, done FROM migratrix_transfer_checkpoint WHERE job_id = 'kill-me' AND table_name = 'orders'",
  );
  expect(cp).toEqual({ chunks: 2, rows: 400, done: false } as never);

  const io = captureIo({ env: { NO_COLOR: "1" } });
  const code = await runCli(
    [...args.filter((a) => a !== "--job" && a !== "kill-me"), "--resume", "kill-me", "--json"],
    io,
  );
  expect(code).toBe(0);
  const report = JSON.parse(io.out());
  const t = report.tables[0];
  expect({
    resumed: report.preflight.resumed,
    chunksSkipped: t.chunksSkipped,
    chunksCopied: t.chunksCopied,
    rowsCopied: t.rowsCopied,
    sourceRows: t.sourceRows,
    targetRows: t.targetRows,
    match: t.match,
    finished: report.finished,
  }).toEqual({
    resumed: true,
    chunksSkipped: 2,
    chunksCopied: 3,
    rowsCopied: 600,
    sourceRows: 1000,
    targetRows: 1000,
    match: true,
    finished: ["orders: primary key", "orders: analyze"],
  });
  expect(t.sourceChecksum).toBe(t.targetChecksum);
  const [d] = await dst.sql.unsafe("SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM orders");
  expect(d).toEqual({ n: 1000, d: 1000 } as never);
});

test("text output: the pre-flight report of --dry-run and the result table", async () => {
  const other = await createPgDb("xfer_cli_dry");
  try {
    const io = captureIo({ env: { NO_COLOR: "1" } });
    const code = await runCli(["transfer", "--from", src.url, "--to", other.url, "--create", "--dry-run"], io);
    expect({ code, err: io.err() }).toEqual({ code: 0, err: "" });
    const out = io.out().split("\n");
    expect(out[0]?.split(/\s+/)).toEqual(["TABLE", "KEY", "ROWS", "(EST.)", "SIZE", "(EST.)", "TARGET", "PATH"]);
    expect(out[1]?.split(/\s+/).filter((x) => x !== "")).toEqual([
      "orders",
      "id",
      "1000",
      expect.any(String),
      "KiB",
      "create",
      "fast",
    ]);
    expect(out[2]).toBe("target free space: unknown (the engine does not tell)");
    const io2 = captureIo({ env: { NO_COLOR: "1" } });
    expect(await runCli(["transfer", "--from", src.url, "--to", other.url, "--create"], io2)).toBe(0);
    const lines = io2.out().split("\n");
    expect(lines[0]).toMatch(/^job [0-9a-f-]{36}$/);
    expect(lines[2]?.split(/\s+/).slice(0, 6)).toEqual(["orders", "fast", "1000", "1", "1000", "1000"]);
    expect(io2.err()).toMatch(/^orders: chunk 1, 1000 rows, .* \| total 1000 rows 100%, \d+ rows\/s, ETA 0 s\n$/);
  } finally {
    await other.drop();
  }
});
