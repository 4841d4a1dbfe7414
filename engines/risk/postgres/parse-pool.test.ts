// The parse worker only ever makes a long script faster: the report is the same with it, without
// it, and when it fails before or in the middle of a script (the main thread parses what it did not
// answer).
import { afterEach, expect, test } from "bun:test";
import { assess } from "../assess.ts";
import type { RiskReport } from "../model.ts";
import { type ParsePool, parsePool, replaceParsePool, startParsePool } from "./parse-pool.ts";
import { compiled, usesParseWorker } from "./parser.ts";

afterEach(() => replaceParsePool(undefined));

/** A script long enough for the worker: syntax errors, non-ASCII text and a $$ body in later chunks. */
function longScript(): string {
  const lines = ["SET lock_timeout = '5s';", "SET statement_timeout = '60s';"];
  for (let i = 2; i < 900; i++) {
    if (i === 333) lines.push("ALTER TABLE users ADD COLUMN;");
    else if (i === 512) lines.push("DELETE FROM sessions;");
    else if (i === 700)
      lines.push("CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$;");
    else if (i === 801) lines.push("SELECT * FROM (SELECT 1;");
    else if (i % 3 === 0) lines.push(`COMMENT ON TABLE t${i} IS 'crème brûlée ✓ ${i}';`);
    else if (i % 3 === 1) lines.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, naïve text NOT NULL DEFAULT 'é');`);
    else lines.push(`UPDATE users SET name = 'ß${i}' WHERE id = ${i};`);
  }
  return `${lines.join("\n")}\n`;
}

const SQL = longScript();

async function report(pool: ParsePool | null | undefined): Promise<RiskReport> {
  replaceParsePool(pool);
  return assess(SQL, { engine: "postgresql" });
}

const at = (r: RiskReport, check: string) =>
  r.statements.flatMap((s) => s.findings.filter((f) => f.check === check).map((f) => `${f.line}:${f.column}`));

test("the script is long enough to be parsed on the worker", () => {
  expect(usesParseWorker(SQL)).toBe(true);
});

test("the worker parses with its own instance of the compiled parser", async () => {
  const pool = startParsePool(compiled);
  if (pool === null) throw new Error("no worker thread could start");
  try {
    const ok = await pool.parse("SELECT 1; DROP TABLE t");
    expect(ok.ok && JSON.parse(ok.json).stmts.length).toBe(2);
    const bad = await pool.parse("SELECT FROM WHERE x");
    expect(bad).toMatchObject({ ok: false, message: expect.stringContaining("syntax error") });
  } finally {
    pool.close();
  }
});

test("with the worker, the report is the one the main thread alone makes, findings at the same places", async () => {
  const worker = startParsePool(compiled);
  if (worker === null) throw new Error("no worker thread could start");
  let answered = 0;
  const counting: ParsePool = {
    parse: async (text) => {
      const r = await worker.parse(text);
      answered++;
      return r;
    },
    close: () => worker.close(),
  };
  const alone = await report(null);
  const withWorker = await report(counting);
  worker.close();
  expect(answered).toBeGreaterThan(3);
  expect(withWorker).toEqual(alone);
  expect(await report(undefined)).toEqual(alone);
  expect(parsePool(compiled)).toBeDefined();
  expect(at(alone, "syntax-error")).toEqual(["334:29"]);
  expect(at(alone, "unbalanced-parens")).toEqual(["802:15"]);
  expect(at(alone, "delete-without-where")).toEqual(["513:13"]);
  expect(at(alone, "drop-table")).toEqual([]);
});

test("a worker that cannot instantiate the parser: every chunk is parsed on the main thread", async () => {
  // A module importing what the parser's runtime does not provide: instantiating it fails in the worker.
  const foreign = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 15, 1, 3, 101, 110, 118, 7, 109, 105, 115, 115, 105, 110, 103, 0,
    0,
  ]);
  const pool = startParsePool(WebAssembly.compile(foreign));
  if (pool === null) throw new Error("no worker thread could start");
  await expect(pool.parse("SELECT 1")).rejects.toThrow(/parse worker/);
  expect(await report(pool)).toEqual(await report(null));
});

test("a worker that ends with chunks unanswered: they are parsed on the main thread", async () => {
  // The worker never gets its module, so it answers nothing until it is closed mid-script.
  const pool = startParsePool(new Promise<WebAssembly.Module>(() => undefined));
  if (pool === null) throw new Error("no worker thread could start");
  let asked = 0;
  const closing: ParsePool = {
    parse(text) {
      if (++asked === 3) pool.close();
      return pool.parse(text);
    },
    close: () => pool.close(),
  };
  const r = await report(closing);
  expect(asked).toBeGreaterThanOrEqual(3);
  expect(r).toEqual(await report(null));
});
