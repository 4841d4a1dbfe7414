// Fuzz for MySQL/MariaDB: random token soup and mutated case SQL through assess(). Never throws,
// stays bounded in time per input, always a well-formed report. Seeded; FUZZ_N raises the count.
import { expect, test } from "bun:test";
import { fuzzFailures, fuzzInputs } from "../tokens/fuzzkit.ts";
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
    const inputs = fuzzInputs({ seed: SEED, n: N, tokens: TOKENS, cases: MYSQL_CASES });
    expect(await fuzzFailures({ engine, inputs, maxMsPerInput: MAX_MS_PER_INPUT })).toEqual([]);
  }, 60_000);
}
