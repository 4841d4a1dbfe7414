// Fuzz for MySQL/MariaDB: random token soup and mutated case SQL through assess(). Never throws,
// stays bounded in time per input, always a well-formed report. Seeded; FUZZ_N raises the count.
import { expect, test } from "bun:test";
import { assess } from "../assess.ts";
import { fuzzInputs, malformed } from "../tokens/fuzzkit.ts";
import { MYSQL_CASES } from "./cases/index.ts";

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
  "MODIFY",
  "CHANGE",
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
  "LIMIT",
  "ORDER",
  "BY",
  "ALGORITHM=INPLACE",
  "LOCK=NONE",
  "ENGINE=MyISAM",
  "ENUM('a','b')",
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
  '"q"',
  "`",
  "`b`",
  "#",
  "--",
  "-- ",
  "/*",
  "*/",
  "/*!40101",
  "/*M!",
  "\n",
  " ",
  "*",
  "'\\'",
  "é",
  "😀",
  "PROCEDURE",
  "DELIMITER $$",
  "$$",
  "TRUNCATE",
  "REFERENCES",
  "PRIMARY",
  "KEY",
  "FOREIGN",
  "CHECK",
  "RENAME",
  "TO",
  "JOIN",
  "WITH",
  "AS",
  "INTO",
  "VALUES",
  "\u0000",
];

for (const engine of ["mysql", "mariadb"] as const) {
  test(`${engine}: ${N} random and mutated inputs: no throw, bounded time, well-formed reports (seed ${SEED})`, async () => {
    const failures: string[] = [];
    for (const input of fuzzInputs({ seed: SEED, n: N, tokens: TOKENS, cases: MYSQL_CASES })) {
      const started = performance.now();
      try {
        const report = await assess(input, { engine, include: ["non-idempotent", "object-policy"] });
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
}
