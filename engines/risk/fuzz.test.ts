// Fuzz: random token soup and mutated case SQL through assess(). Never throws, stays bounded in
// time per input, and always returns a well-formed report. Seeded, so a failure replays; FUZZ_N
// raises the count (default a few thousand, to keep the suite quick).
import { expect, test } from "bun:test";
import { assess } from "./assess.ts";
import { ALL_CASES } from "./cases/index.ts";
import { CATALOG } from "./catalog.ts";
import { levelRank, maxLevel, type ReportLevel, type RiskReport } from "./model.ts";

const N = Number(process.env.FUZZ_N ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
/** Far above the ~0.1 ms a statement takes: this catches hangs and blow-ups, not slowness. */
const MAX_MS_PER_INPUT = 250;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  "SELECT",
  "DELETE",
  "FROM",
  "UPDATE",
  "SET",
  "WHERE",
  "ALTER",
  "TABLE",
  "ADD",
  "COLUMN",
  "DROP",
  "CREATE",
  "INDEX",
  "CONCURRENTLY",
  "ON",
  "NOT",
  "NULL",
  "DEFAULT",
  "BEGIN",
  "COMMIT",
  "END",
  "CASE",
  "users",
  "t",
  "id",
  "1",
  "=",
  "(",
  ")",
  ";",
  ",",
  "'",
  "'x'",
  '"',
  '"Q"',
  "$$",
  "$t$",
  "--",
  "/*",
  "*/",
  "\n",
  " ",
  "*",
  "E'\\'",
  "é",
  "😀",
  "FUNCTION",
  "RETURNS",
  "LANGUAGE",
  "AS",
  "TRUNCATE",
  "CASCADE",
  "REFERENCES",
  "PRIMARY",
  "KEY",
  "\u0000",
];

function soup(r: () => number): string {
  const n = Math.floor(r() * 40);
  let s = "";
  for (let i = 0; i < n; i++) s += `${TOKENS[Math.floor(r() * TOKENS.length)] ?? ""} `;
  return s;
}

const SEEDS = ALL_CASES.flatMap((c) => [
  ...c.flagged.map((f) => f.sql),
  ...c.clean.map((k) => (typeof k === "string" ? k : k.sql)),
]);

function mutate(r: () => number): string {
  let s = SEEDS[Math.floor(r() * SEEDS.length)] ?? "";
  const edits = 1 + Math.floor(r() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = r();
    if (op < 0.4) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 5));
    else if (op < 0.8) s = s.slice(0, at) + (TOKENS[Math.floor(r() * TOKENS.length)] ?? "") + s.slice(at);
    else s = `${s};\n${s.slice(at)}`;
  }
  return s;
}

function wellFormed(r: RiskReport, src: string): string[] {
  const bad: string[] = [];
  r.statements.forEach((s, i) => {
    if (s.index !== i) bad.push(`index ${s.index} at ${i}`);
    if (s.line < 1 || s.column < 1) bad.push(`statement ${i} at ${s.line}:${s.column}`);
    if (s.level !== maxLevel(s.findings.map((f) => f.level))) bad.push(`statement ${i} level ${s.level}`);
    if (!src.includes(s.sql)) bad.push(`statement ${i} text is not from the input`);
    for (const f of s.findings) {
      if (!(f.check in CATALOG)) bad.push(`unknown check ${f.check}`);
      if (levelRank(f.level as ReportLevel) < 1) bad.push(`finding level ${f.level}`);
      if (f.line < 1 || f.column < 1 || f.message === "" || f.hint === "") bad.push(`finding ${f.check} malformed`);
    }
  });
  if (r.level !== maxLevel(r.statements.map((s) => s.level))) bad.push(`script level ${r.level}`);
  return bad;
}

test(`${N} random and mutated inputs: no throw, bounded time, well-formed reports (seed ${SEED})`, async () => {
  const r = rng(SEED);
  const failures: string[] = [];
  for (let i = 0; i < N; i++) {
    const input = r() < 0.5 ? soup(r) : mutate(r);
    const started = performance.now();
    try {
      const report = await assess(input, { engine: "postgresql", include: ["non-idempotent", "object-policy"] });
      const bad = wellFormed(report, input);
      if (bad.length > 0) failures.push(`${JSON.stringify(input)}: ${bad.join("; ")}`);
    } catch (err) {
      failures.push(`${JSON.stringify(input)}: threw ${String(err)}`);
    }
    const ms = performance.now() - started;
    if (ms > MAX_MS_PER_INPUT) failures.push(`${JSON.stringify(input)}: took ${ms.toFixed(0)} ms`);
    if (failures.length >= 5) break;
  }
  expect(failures).toEqual([]);
}, 60_000);
