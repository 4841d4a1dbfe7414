// SQLite transaction control depends on where the migration runs: inside the runner's transaction
// any BEGIN/COMMIT is wrong; with -- migratrix:no-transaction the script may run its own.
import { expect, test } from "bun:test";
import { assess } from "../assess.ts";

const SCRIPT = "BEGIN;\nUPDATE users SET a = 1 WHERE id = 1;\nCOMMIT;\nBEGIN;\nUPDATE users SET a = 2 WHERE id = 2;";

const found = async (noTransaction: boolean) =>
  (await assess(SCRIPT, { engine: "sqlite", noTransaction })).statements.flatMap((s) =>
    s.findings.filter((f) => f.check === "transaction-control").map((f) => `${f.line}:${f.column} ${f.message}`),
  );

test("in the runner's transaction every BEGIN and COMMIT is a finding", async () => {
  expect(await found(false)).toEqual([
    "1:1 BEGIN in a migration: Migratrix already runs it in a transaction, where BEGIN fails (cannot start a transaction within a transaction)",
    "3:1 COMMIT in a migration ends Migratrix's transaction early: what follows is no longer undone with what came before",
    "4:1 BEGIN in a migration: Migratrix already runs it in a transaction, where BEGIN fails (cannot start a transaction within a transaction)",
  ]);
});

test("with no-transaction only the BEGIN left open is one", async () => {
  expect(await found(true)).toEqual([
    "4:1 BEGIN without COMMIT: the migration ends with the transaction open, and its changes are rolled back when the connection closes",
  ]);
});
