// Fuzz for SQLite: random token soup and mutated case SQL through assess(). Never throws, stays
// bounded in time per input, always a well-formed report. Seeded; FUZZ_N raises the count.
import { expect, test } from "bun:test";
import { assess } from "../assess.ts";
import { fuzzInputs, malformed } from "../tokens/fuzzkit.ts";
import { SQLITE_CASES } from "./cases/index.ts";

const N = Number(process.env.FUZZ_N ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
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
  "RENAME",
  "TO",
  "CREATE",
  "INDEX",
  "ON",
  "NOT",
  "NULL",
  "DEFAULT",
  "BEGIN",
  "COMMIT",
  "END",
  "CASE",
  "TRIGGER",
  "AFTER",
  "INSERT",
  "INTO",
  "VALUES",
  "PRAGMA",
  "foreign_keys",
  "writable_schema",
  "=",
  "OFF",
  "STRICT",
  "WITHOUT ROWID",
  "users",
  "users_new",
  "sqlite_schema",
  "t",
  "id",
  "1",
  "(",
  ")",
  ";",
  ",",
  "'",
  "'x'",
  '"',
  '"q"',
  "[",
  "]",
  "[b]",
  "`",
  "--",
  "/*",
  "*/",
  "\n",
  " ",
  "*",
  "é",
  "😀",
  "PRIMARY",
  "KEY",
  "REFERENCES",
  "CHECK",
  "TRUNCATE",
  "STRING",
  "INTEGER",
  "TEXT",
  "AUTOINCREMENT",
  "JOIN",
  "WITH",
  "AS",
  "RETURNING",
  "\u0000",
];

test(`sqlite: ${N} random and mutated inputs: no throw, bounded time, well-formed reports (seed ${SEED})`, async () => {
  const failures: string[] = [];
  for (const input of fuzzInputs({ seed: SEED, n: N, tokens: TOKENS, cases: SQLITE_CASES })) {
    const started = performance.now();
    try {
      const report = await assess(input, { engine: "sqlite", include: ["non-idempotent", "object-policy"] });
      const bad = malformed(report, input);
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
