// Options that change what a script means: where its lines are, and whether it runs in a transaction.
import { expect, test } from "bun:test";
import { assess } from "./assess.ts";

const SCRIPT =
  "SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN score bigint;\nUPDATE users SET score = 0 WHERE id < 100;";

const checksAt = async (opts: { noTransaction?: boolean; firstLine?: number }) =>
  (await assess(SCRIPT, { engine: "postgresql", ...opts })).statements.flatMap((s) =>
    s.findings.map((f) => `${f.line}:${f.column} ${f.check}`),
  );

test("in the runner's transaction the UPDATE holds the ALTER's lock; with no-transaction it does not", async () => {
  expect(await checksAt({})).toEqual(["2:1 missing-statement-timeout", "3:1 long-lock-hold", "3:1 mix-ddl-dml"]);
  expect(await checksAt({ noTransaction: true })).toEqual(["2:1 missing-statement-timeout", "3:1 mix-ddl-dml"]);
});

test("firstLine shifts every line to the file's numbering", async () => {
  expect(await checksAt({ firstLine: 10 })).toEqual([
    "11:1 missing-statement-timeout",
    "12:1 long-lock-hold",
    "12:1 mix-ddl-dml",
  ]);
});
