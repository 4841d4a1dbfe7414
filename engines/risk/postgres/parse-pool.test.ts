// The parse worker only ever makes a long script faster: the report is the same with it, without
// it, and when it fails before or in the middle of a script (the main thread splits and parses
// what it did not send).
import { afterEach, beforeEach, expect, test } from "bun:test";
import { postgresDialect } from "../../postgres/dialect.ts";
import { assess } from "../assess.ts";
import type { RiskReport } from "../model.ts";
import { type ParsedChunk, type ParsePool, parsePool, replaceParsePool, startParsePool } from "./parse-pool.ts";
import { compiled, parseWorkerSettings, usesParseWorker } from "./parser.ts";

// The worker is used from 320 KB on; these scripts are ~60 KB, so the tests lower the bar.
const minLength = parseWorkerSettings.minLength;
beforeEach(() => {
  parseWorkerSettings.minLength = 16_384;
});
afterEach(() => {
  parseWorkerSettings.minLength = minLength;
  replaceParsePool(undefined);
});

/** A script long enough for the worker: syntax errors, non-ASCII text and a $$ body in later chunks (900 lines). */
function longScript(tail = ""): string {
  const lines = ["SET lock_timeout = '5s';", "SET statement_timeout = '60s';"];
  for (let i = 2; i < 900; i++) {
    if (i === 333) lines.push("ALTER TABLE users ADD COLUMN;");
    else if (i === 512) lines.push("DELETE FROM sessions;");
    else if (i === 700)
      lines.push("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$;");
    else if (i === 801) lines.push("SELECT name FROM users WHERE;");
    else if (i === 850) lines.push(`CREATE TABLE ${"a_very_long_name_".repeat(5)} (id bigint PRIMARY KEY);`);
    else if (i % 3 === 0) lines.push(`COMMENT ON TABLE t${i} IS 'crème brûlée ✓ ${i}';`);
    else if (i % 3 === 1) lines.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, naïve text NOT NULL DEFAULT 'é');`);
    else lines.push(`UPDATE users SET name = 'ß${i}' WHERE id = ${i};`);
  }
  return `${lines.join("\n")}\n${tail}`;
}

const SQL = longScript();

async function report(pool: ParsePool | null | undefined, sql = SQL, firstLine?: number): Promise<RiskReport> {
  replaceParsePool(pool);
  return assess(sql, { engine: "postgresql", ...(firstLine === undefined ? {} : { firstLine }) });
}

const at = (r: RiskReport, check: string) =>
  r.statements.flatMap((s) => s.findings.filter((f) => f.check === check).map((f) => `${f.line}:${f.column}`));

function realPool(): ParsePool {
  const pool = startParsePool(compiled);
  if (pool === null) throw new Error("no worker thread could start");
  return pool;
}

/** A pool whose streams count the chunks they hand out and can be cut after `cutAfter` of them. */
function counting(pool: ParsePool, cutAfter = Number.POSITIVE_INFINITY) {
  const seen = { chunks: 0 };
  const wrapped: ParsePool = {
    close: () => pool.close(),
    splitAndParse(sql, firstLine) {
      const stream = pool.splitAndParse(sql, firstLine);
      return {
        next: async () => {
          if (seen.chunks === cutAfter) pool.close();
          const r = await stream.next();
          if (!("done" in r)) seen.chunks++;
          return r;
        },
      };
    },
  };
  return { pool: wrapped, seen };
}

test("the script is long enough to be split and parsed on the worker (a short one is not)", () => {
  expect(usesParseWorker(SQL)).toBe(true);
  expect(usesParseWorker("SELECT 1;".repeat(1000))).toBe(false);
  parseWorkerSettings.minLength = minLength;
  expect(usesParseWorker(SQL)).toBe(false);
});

test("the worker splits as the dialect does and parses each chunk with its own parser instance", async () => {
  const pool = realPool();
  try {
    const stream = pool.splitAndParse(SQL, 7);
    const chunks: ParsedChunk[] = [];
    for (;;) {
      const r = await stream.next();
      if ("done" in r) {
        expect(r.count).toBe(chunks.reduce((n, c) => n + c.statements.length, 0));
        expect(r.problems).toEqual([]);
        break;
      }
      chunks.push(r);
    }
    expect(chunks.map((c) => c.statements.length).slice(0, 3)).toEqual([16, 32, 64]);
    expect(chunks.flatMap((c) => c.statements)).toEqual(postgresDialect.split(SQL, { firstLine: 7 }).statements);
    const first = chunks[0]?.raw;
    expect(first?.ok && JSON.parse(first.json).stmts.length).toBe(16);
    // The chunk with the broken ALTER TABLE is refused as a whole; the main thread pins the error.
    expect(chunks.some((c) => !c.raw.ok && c.raw.message.includes("syntax error"))).toBe(true);
  } finally {
    pool.close();
  }
});

test("with the worker, the report is the one the main thread alone makes, findings at the same places", async () => {
  const { pool, seen } = counting(realPool());
  const alone = await report(null);
  const withWorker = await report(pool);
  pool.close();
  expect(seen.chunks).toBeGreaterThan(5);
  expect(withWorker).toEqual(alone);
  expect(await report(undefined)).toEqual(alone);
  expect(parsePool(compiled)).toBeDefined();
  expect(at(alone, "syntax-error")).toEqual(["334:29", "802:29"]);
  expect(at(alone, "delete-without-where")).toEqual(["513:13"]);
  expect(at(alone, "drop-table")).toEqual([]);
  // Read from the scanner's tokens on the main thread, whose parser is made only for such chunks.
  expect(at(alone, "naming")).toEqual(["851:1"]);
});

test("a split problem at the end and a first line other than 1 come through the worker unchanged", async () => {
  const sql = longScript("UPDATE users SET name = 'never closed WHERE id = 1;\n");
  const { pool, seen } = counting(realPool());
  const withWorker = await report(pool, sql, 40);
  pool.close();
  expect(seen.chunks).toBeGreaterThan(5);
  expect(withWorker).toEqual(await report(null, sql, 40));
  expect(at(withWorker, "unclosed-quote")).toEqual(["940:25"]);
});

test("a worker that cannot instantiate the parser: the main thread splits and parses everything", async () => {
  // A module importing what the parser's runtime does not provide: instantiating it fails in the worker.
  const foreign = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 15, 1, 3, 101, 110, 118, 7, 109, 105, 115, 115, 105, 110, 103, 0,
    0,
  ]);
  const pool = startParsePool(WebAssembly.compile(foreign));
  if (pool === null) throw new Error("no worker thread could start");
  await expect(pool.splitAndParse("SELECT 1", 1).next()).rejects.toThrow(/parse worker/);
  expect(await report(pool)).toEqual(await report(null));
});

test("a worker that ends mid-script: the main thread goes on from the first statement it did not send", async () => {
  const { pool, seen } = counting(realPool(), 4);
  const r = await report(pool);
  expect(seen.chunks).toBe(4);
  expect(r).toEqual(await report(null));
  // And a pool that is closed before it is asked.
  const closed = realPool();
  closed.close();
  expect(await report(closed)).toEqual(r);
});

test("after the process's worker failed, the next long script gets a new one", async () => {
  replaceParsePool(undefined);
  const first = parsePool(compiled);
  if (first === undefined) throw new Error("no worker thread could start");
  first.close();
  const second = parsePool(compiled);
  if (second === undefined) throw new Error("no worker thread could start");
  expect(second).not.toBe(first);
  try {
    const chunk = await second.splitAndParse("SELECT 1;\nSELECT 2;", 1).next();
    expect("done" in chunk ? "done" : chunk.statements.map((s) => s.text)).toEqual(["SELECT 1", "SELECT 2"]);
  } finally {
    second.close();
  }
});
