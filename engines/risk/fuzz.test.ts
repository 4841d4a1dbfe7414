// Fuzz: random token soup and mutated case SQL through assess(). Never throws, stays bounded in
// time per input, and always returns a well-formed report. Seeded, so a failure replays; FUZZ_N
// raises the count (default a few thousand, to keep the suite quick).
import { expect, test } from "bun:test";
import { ALL_CASES } from "./cases/index.ts";
import { fuzzFailures, fuzzInputs } from "./tokens/fuzzkit.ts";

const N = Number(process.env.FUZZ_N ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
/** Far above the ~0.1 ms a statement takes: this catches hangs and blow-ups, not slowness. */
const MAX_MS_PER_INPUT = 250;

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

test(`${N} random and mutated inputs: no throw, bounded time, well-formed reports (seed ${SEED})`, async () => {
  const inputs = fuzzInputs({ seed: SEED, n: N, tokens: TOKENS, cases: ALL_CASES });
  expect(await fuzzFailures({ engine: "postgresql", inputs, maxMsPerInput: MAX_MS_PER_INPUT })).toEqual([]);
}, 60_000);
