// Shared by the risk fuzz tests (every engine): a seeded generator of token soup and mutated case
// SQL, the well-formedness check every report must pass, and the loop that runs them through assess().

import { expect, test } from "bun:test";
import type { EngineId } from "../../types.ts";
import { assess } from "../assess.ts";
import type { CheckCases } from "../cases/types.ts";
import { CATALOG } from "../catalog.ts";
import { type AssessOptions, levelRank, maxLevel, type ReportLevel, type RiskReport } from "../model.ts";

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fuzzInputs(opts: {
  seed: number;
  n: number;
  tokens: readonly string[];
  cases: readonly CheckCases[];
}): string[] {
  const r = rng(opts.seed);
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(r() * list.length)];
  const seeds = opts.cases.flatMap((c) => [
    ...c.flagged.map((f) => f.sql),
    ...c.clean.map((k) => (typeof k === "string" ? k : k.sql)),
  ]);
  const out: string[] = [];
  for (let i = 0; i < opts.n; i++) {
    if (r() < 0.5) {
      const n = Math.floor(r() * 40);
      let s = "";
      for (let k = 0; k < n; k++) s += `${pick(opts.tokens) ?? ""} `;
      out.push(s);
      continue;
    }
    let s = pick(seeds) ?? "";
    const edits = 1 + Math.floor(r() * 4);
    for (let k = 0; k < edits; k++) {
      const at = Math.floor(r() * (s.length + 1));
      const op = r();
      if (op < 0.4) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 5));
      else if (op < 0.8) s = s.slice(0, at) + (pick(opts.tokens) ?? "") + s.slice(at);
      else s = `${s};\n${s.slice(at)}`;
    }
    out.push(s);
  }
  return out;
}

/** What is wrong with a report for `src` (empty when it is well-formed). */
export function malformed(r: RiskReport, src: string): string[] {
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

/**
 * Runs each input through assess() for `engine`: what went wrong (a throw, a malformed report, an
 * input slower than `maxMsPerInput`), stopping at 5; empty when every input held.
 */
export async function fuzzFailures(o: {
  engine: EngineId;
  inputs: readonly string[];
  maxMsPerInput: number;
}): Promise<string[]> {
  const opts: AssessOptions = { engine: o.engine, include: ["non-idempotent", "object-policy"] };
  const failures: string[] = [];
  const timed = async (input: string): Promise<number> => {
    const started = performance.now();
    await assess(input, opts).catch(() => undefined);
    return performance.now() - started;
  };
  for (const input of o.inputs) {
    const started = performance.now();
    try {
      const bad = malformed(await assess(input, opts), input);
      if (bad.length > 0) failures.push(`${JSON.stringify(input)}: ${bad.join("; ")}`);
    } catch (err) {
      failures.push(`${JSON.stringify(input)}: threw ${String(err)}`);
    }
    let ms = performance.now() - started;
    // Slow twice more before it counts: a stall of a shared host or a collection does not repeat
    // on the same input, a pathological input (backtracking, a loop) does.
    for (let again = 0; again < 2 && ms > o.maxMsPerInput; again++) ms = Math.min(ms, await timed(input));
    if (ms > o.maxMsPerInput) failures.push(`${JSON.stringify(input)}: took ${ms.toFixed(0)} ms (best of 3)`);
    if (failures.length >= 5) break;
  }
  return failures;
}

/** Tokens every engine's soup holds: the common keywords, names, punctuation, quotes and comments. */
export const COMMON_FUZZ_TOKENS: readonly string[] = [
  ..."SELECT DELETE FROM UPDATE SET WHERE ALTER TABLE ADD COLUMN DROP CREATE INDEX ON NOT NULL DEFAULT".split(" "),
  ..."BEGIN COMMIT END CASE PRIMARY KEY REFERENCES TRUNCATE AS users t id 1".split(" "),
  ..."( ) , ; = ' \" 'x' -- /* */ *".split(" "),
  "\n",
];

export interface FuzzTarget {
  engine: EngineId;
  /** The engine's own tokens, added to COMMON_FUZZ_TOKENS. */
  tokens: readonly string[];
  /** The case SQL the mutated inputs start from. */
  cases: readonly CheckCases[];
}

/**
 * One seeded fuzz test per target: random token soup and mutated case SQL through assess(), which
 * never throws, stays bounded in time per input and always returns a well-formed report. FUZZ_SEED
 * replays a failure; FUZZ_N sets the count per engine.
 */
export function fuzzTests(targets: readonly FuzzTarget[], o: { n: number; maxMsPerInput: number }): void {
  const n = Number(process.env.FUZZ_N ?? o.n);
  const seed = Number(process.env.FUZZ_SEED ?? 20261126);
  for (const t of targets) {
    test(`${t.engine}: ${n} random and mutated inputs: no throw, bounded time, well-formed reports (seed ${seed})`, async () => {
      const inputs = fuzzInputs({ seed, n, tokens: [...COMMON_FUZZ_TOKENS, ...t.tokens], cases: t.cases });
      expect(await fuzzFailures({ engine: t.engine, inputs, maxMsPerInput: o.maxMsPerInput })).toEqual([]);
    }, 120_000);
  }
}
