// The parser on a worker thread gives the same report as on the main thread: every PostgreSQL case
// and corpus file in one script (chunks that parse whole, chunks that fall back to one statement at a
// time around syntax errors, multi-byte text before findings), and when the worker cannot start.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { postgresDialect } from "../../postgres/dialect.ts";
import { assess } from "../assess.ts";
import { ALL_CASES } from "../cases/index.ts";
import { startParser, WORKER_MIN_CHARS } from "./parse-client.ts";
import { loadParser, parseRaw } from "./parser.ts";

const CORPUS = join(import.meta.dir, "..", "corpus", "postgresql");

/** Every PostgreSQL case and corpus file that splits cleanly, one after the other. */
function bigScript(): string {
  const parts: string[] = [];
  for (const c of ALL_CASES) {
    if (!c.engines.includes("postgresql")) continue;
    for (const sql of [...c.flagged.map((f) => f.sql), ...c.clean.map((x) => (typeof x === "string" ? x : x.sql))]) {
      if (postgresDialect.split(sql).problems.length === 0) parts.push(`${sql.trim()}\n;`);
    }
  }
  for (const f of readdirSync(CORPUS).sort()) parts.push(readFileSync(join(CORPUS, f), "utf8"));
  parts.push("-- Zoë's 💥 table\nCREATE TABLE ünïcode (id int, naïve text);\nDELETE FROM ünïcode;");
  return parts.join("\n");
}

describe("PostgreSQL parser on a worker thread", () => {
  const sql = bigScript();

  test("the report is the same as on the main thread, findings and positions included", async () => {
    const here = await assess(sql, { engine: "postgresql", parseInWorker: false });
    const there = await assess(sql, { engine: "postgresql", parseInWorker: true });
    const findings = here.statements.flatMap((s) => s.findings);
    expect(here.statements.length).toBeGreaterThan(700);
    expect(findings.some((f) => f.message.includes("the rest of the file was not analysed"))).toBe(false);
    expect(findings.some((f) => f.check === "syntax-error")).toBe(true);
    expect(findings.filter((f) => f.level === "Critical").length).toBeGreaterThan(10);
    expect(there).toEqual(here);
  });

  test("a big script goes to the worker by default, a small one stays on the main thread", () => {
    const big = startParser(WORKER_MIN_CHARS);
    const small = startParser(WORKER_MIN_CHARS - 1);
    try {
      expect(big.where).toBe("worker");
      expect(small.where).toBe("inline");
    } finally {
      big.close();
      small.close();
    }
  });

  test("a worker that cannot start: everything is parsed on the main thread, nothing is lost", async () => {
    const client = startParser(0, true, new URL("./no-such-parse-worker.ts", import.meta.url).href);
    try {
      const texts = ["SELECT 1", "DROP TABLE t", "SELEC oops", ""];
      const results = await Promise.all(texts.map((t) => client.parse(t)));
      await loadParser();
      expect(results).toEqual(texts.map(parseRaw));
      expect(client.where).toBe("inline");
    } finally {
      client.close();
    }
  });

  test("after close, a request is refused instead of waiting forever", async () => {
    const client = startParser(0, true);
    client.close();
    await expect(client.parse("SELECT 1")).rejects.toThrow("closed");
  });
});
