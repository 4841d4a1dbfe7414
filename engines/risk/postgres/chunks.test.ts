// PostgreSQL's parser finds a script's statements (chunks.ts) and the dialect's splitter is the
// reference: the same statements (text, positions, ownSegment) and the same problems, wherever the
// chunks are cut: at every ";" that ends a line, in growing chunks, or as the CLI cuts them. A cut
// inside a comment, a string or a body must be noticed and the rest split by the splitter.
import { afterEach, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { postgresDialect } from "../../postgres/dialect.ts";
import { POSTGRES_OWN_SEGMENT_CASES } from "../../postgres/own-segment-cases.ts";
import { assess } from "../assess.ts";
import { ALL_CASES } from "../cases/index.ts";
import type { RiskReport } from "../model.ts";
import { cutSettings, type ParsedChunk, parseScript } from "./chunks.ts";
import { parse, parserReady } from "./parser.ts";

await parserReady();
const defaults = { ...cutSettings };
afterEach(() => Object.assign(cutSettings, defaults));

const CUTS = [{ first: 1, max: 1 }, { first: 1, max: 64 }, { first: 40, max: 4096 }, defaults];

function viaParser(sql: string, firstLine: number) {
  const chunks: ParsedChunk[] = [];
  const { count, problems } = parseScript(sql, firstLine, parse, (c) => chunks.push(c));
  const statements = chunks.flatMap((c) => c.statements);
  return { count, split: { statements, problems }, chunks };
}

/** Every cut setting gives the splitter's answer; returns how many chunks the parser's cuts made. */
function expectSplitterAnswer(sql: string, firstLine = 1): number {
  const want = postgresDialect.split(sql, { firstLine });
  let parsed = 0;
  for (const cut of CUTS) {
    Object.assign(cutSettings, cut);
    const got = viaParser(sql, firstLine);
    expect({ sql, cut, split: got.split }).toEqual({ sql, cut, split: want });
    expect(got.count).toBe(want.statements.length);
    let next = 0;
    for (const c of got.chunks) {
      expect(c.first).toBe(next);
      next += c.statements.length;
      if (c.foundBy === "parser") {
        parsed++;
        expect(c.parsed.ok && c.parsed.value.stmts?.length).toBe(c.statements.length);
      }
    }
  }
  return parsed;
}

const TRICKY: Record<string, string> = {
  "a ; in a line comment, the statement goes on": "SELECT 1 -- not the end;\n  FROM t;\nSELECT 2;\n",
  "two statements that each parse alone, one with the comment": "VACUUM -- x;\nANALYZE;\nSELECT 1;\n",
  "a string across lines": "INSERT INTO t VALUES ('a;\nb');\nSELECT 2;\n",
  "a plpgsql body":
    "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\n  RETURN 1;\nEND\n$$;\nSELECT f();\n",
  "a tagged body": "DO $body$\nBEGIN\n  RAISE NOTICE 'x;';\nEND\n$body$;\nSELECT 1;\n",
  "BEGIN ATOMIC":
    "CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\nEND;\nSELECT g();\n",
  "a rule's actions in parentheses":
    "CREATE RULE r AS ON INSERT TO t DO ALSO (\n  INSERT INTO a VALUES (1);\n  INSERT INTO b VALUES (2)\n);\nSELECT 1;\n",
  "nested block comments": "/* a;\n /* b;\n */ c;\n */ SELECT 1;\nSELECT 2;\n",
  "an E'' string with an escaped quote": "SELECT E'it\\'s;\n';\nSELECT 2;\n",
  "a quoted identifier across lines": 'SELECT 1 AS "x;\ny";\nSELECT 2;\n',
  "comments before the ;": "SELECT 1 /* c */ ;\nSELECT 2 -- z\n;\nSELECT 3; -- after\n-- only a comment;\n",
  "a comment that ends the text": "SELECT 1 /* trailing */\n;\nSELECT 'a--b'\n;\nSELECT '--' -- c\n;\n",
  "empty statements": "SELECT 1;\n;\n;\nSELECT 2;\n",
  CRLF: "SELECT 1;\r\nSELECT 2;\r\n  SELECT 3 ;\r\n",
  "lone CR": "SELECT 1;\rSELECT 2;\r",
  "a byte-order mark": "\uFEFFSELECT 1;\nSELECT 2;\n",
  "non-ASCII text": "COMMENT ON TABLE t IS 'crème ✓ 😀';\nSELECT 'é' AS \"naïve\", '𝒳' AS x;\nSELECT 3;\n",
  "blanks after the ;": "SELECT 1;  \t\nSELECT 2;\t\nSELECT 3",
  "a syntax error": "SELECT 1;\nSELEC 2;\nSELECT 3;\n",
  "an unclosed quote": "SELECT 1;\nSELECT 'open;\nSELECT 2;\n",
  "an unclosed parenthesis": "SELECT 1;\nSELECT (1;\nSELECT 2;\n",
  "a psql meta-command": "\\set x 1\nSELECT 1;\n",
  "COPY data lines": "SELECT 1;\nCOPY t FROM stdin;\n1\t2\n\\.\nSELECT 2;\n",
  "a header of comments": "-- header;\n/* more; */\n\nSELECT 1;\n",
  "only comments": "-- nothing;\n/* here; */\n",
  "own-segment statements": `${POSTGRES_OWN_SEGMENT_CASES.map(([sql]) => sql).join(";\n")};\n`,
};

test("tricky scripts: the splitter's statements and problems, wherever the cuts fall", () => {
  for (const sql of Object.values(TRICKY)) {
    expectSplitterAnswer(sql);
    expectSplitterAnswer(sql, 40);
  }
});

test("ownSegment of a statement the parser found is the splitter's, one statement at a time", () => {
  for (const [sql, own] of POSTGRES_OWN_SEGMENT_CASES) {
    const got = viaParser(sql, 1).split.statements.map((s) => s.ownSegment);
    expect([sql, got]).toEqual([sql, [own]]);
  }
});

test("a script the parser accepts is cut by the parser; a refused chunk hands the rest to the splitter", () => {
  Object.assign(cutSettings, { first: 1, max: 1 });
  const good = "SELECT 1;\nSELECT 2;\nCREATE TABLE t (a int);\nSELECT 3;\n";
  expect(viaParser(good, 1).chunks.map((c) => [c.statements.length, c.foundBy === "parser"])).toEqual([
    [1, true],
    [1, true],
    [1, true],
    [1, true],
  ]);
  // The cut after "x;" is in a comment: the parser's last statement there has no ";" of its own.
  const comment = viaParser("SELECT 1;\nVACUUM -- x;\nANALYZE;\nSELECT 2;\n", 1);
  expect(comment.chunks.map((c) => [c.statements.map((s) => s.text), c.foundBy === "parser"])).toEqual([
    [["SELECT 1"], true],
    [["VACUUM -- x;\nANALYZE", "SELECT 2"], false],
  ]);
});

test("every PostgreSQL case, the safe corpus and the golden split files", () => {
  const scripts: string[] = [];
  for (const c of ALL_CASES) {
    if (!c.engines.includes("postgresql")) continue;
    for (const f of c.flagged) scripts.push(f.sql);
    for (const k of c.clean) scripts.push(typeof k === "string" ? k : k.sql);
  }
  expect(scripts.length).toBeGreaterThan(400);
  for (const dir of [join(import.meta.dir, "../corpus/postgresql"), join(import.meta.dir, "../../postgres/golden")]) {
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".sql")))
      scripts.push(readFileSync(join(dir, f), "utf8"));
  }
  let parsed = 0;
  for (const sql of scripts) parsed += expectSplitterAnswer(sql);
  // Most of them the parser accepts: the parser's cuts are what is tested, not only the fallback.
  expect(parsed).toBeGreaterThan(scripts.length);
});

test("random scripts of statements, comments, strings, bodies and blank lines", () => {
  const PARTS = [
    "SELECT 1",
    "SELECT 'a;\nb'",
    "SELECT $$x;\ny$$",
    "SELECT $t$;\n$t$",
    "-- c;\n",
    "/* c;\n */",
    "VACUUM",
    "ANALYZE",
    "CREATE INDEX CONCURRENTLY i ON t (a)",
    "ALTER TABLE p DETACH PARTITION c CONCURRENTLY",
    "SELECT (1;\n",
    "SELEC 1",
    'SELECT "q;\n"',
    "SELECT 'é😀'",
    "\n",
    "\r\n",
    " ",
    ";",
    ";\n",
  ];
  let seed = 42;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed;
  };
  for (let n = 0; n < 400; n++) {
    const parts: string[] = [];
    const length = 1 + (next() % 12);
    for (let i = 0; i < length; i++) parts.push(PARTS[next() % PARTS.length] ?? "");
    expectSplitterAnswer(parts.join(next() % 2 === 0 ? ";\n" : " "));
  }
});

/** A long script: syntax errors, non-ASCII text, a $$ body and a long name in later chunks (900 lines). */
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

const at = (r: RiskReport, check: string) =>
  r.statements.flatMap((s) => s.findings.filter((f) => f.check === check).map((f) => `${f.line}:${f.column}`));

test("a long script: findings where they are, before and after a chunk the parser refused", async () => {
  for (const cut of CUTS) {
    Object.assign(cutSettings, cut);
    const r = await assess(longScript(), { engine: "postgresql" });
    expect(r.statements.length).toBe(900);
    expect(at(r, "syntax-error")).toEqual(["334:29", "802:29"]);
    expect(at(r, "delete-without-where")).toEqual(["513:13"]);
    expect(at(r, "drop-table")).toEqual([]);
    // The parser truncates the name; the scanner's tokens have it whole.
    expect(at(r, "naming")).toEqual(["851:1"]);
    const tail = await assess(longScript("UPDATE users SET name = 'never closed WHERE id = 1;\n"), {
      engine: "postgresql",
      firstLine: 40,
    });
    expect(at(tail, "unclosed-quote")).toEqual(["940:25"]);
    expect(at(tail, "delete-without-where")).toEqual(["552:13"]);
  }
});

test("a blank script or one of comments only: no statements, level None", async () => {
  for (const sql of ["", "  \n\t\n", "\uFEFF\n", "-- nothing here;\n/* nor; here */\n"]) {
    expect(await assess(sql, { engine: "postgresql" })).toEqual({
      engine: "postgresql",
      level: "None",
      statements: [],
    });
  }
});
