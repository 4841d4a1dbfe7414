// The splitter against SQLite itself: statement-by-statement execution must build exactly what
// SQLite's own multi-statement exec builds, and ownSegment must match what SQLite refuses (or
// silently ignores) inside a transaction.

import { Database } from "bun:sqlite";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sqliteDialect } from "./dialect.ts";

const dir = mkdtempSync(join(tmpdir(), "mx-sqlite-dialect-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function snapshot(db: Database): unknown[] {
  return [
    db.query("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name").all(),
    db.query("SELECT * FROM users ORDER BY id").all(),
    db.query("PRAGMA foreign_keys").all(),
  ];
}

test("golden schema: split statements build what sqlite's own exec builds", () => {
  const sql = readFileSync(join(import.meta.dir, "golden", "schema.sql"), "utf8");
  const { statements, problems } = sqliteDialect.split(sql);
  expect(problems).toEqual([]);
  using split = new Database(join(dir, "split.db"));
  for (const s of statements) split.run(s.text);
  using whole = new Database(join(dir, "whole.db"));
  whole.exec(sql);
  expect(snapshot(split)).toEqual(snapshot(whole));
});

test("ownSegment matches what SQLite refuses or ignores inside a transaction", () => {
  using db = new Database(join(dir, "own.db"));
  const inTransaction = (sql: string): string => {
    db.run("BEGIN");
    try {
      db.run(sql);
      return "ok";
    } catch (err) {
      return (err as Error).message;
    } finally {
      db.run("COMMIT");
    }
  };
  const cases: Array<[string, string, () => unknown]> = [
    ["VACUUM", "cannot VACUUM from within a transaction", () => null],
    ["PRAGMA journal_mode = WAL", "cannot change into wal mode from within a transaction", () => null],
    ["PRAGMA foreign_keys = ON", "ok", () => db.query("PRAGMA foreign_keys").get()],
    ["PRAGMA user_version = 3", "ok", () => db.query("PRAGMA user_version").get()],
    [`ATTACH '${join(dir, "other.db")}' AS other`, "ok", () => db.query("PRAGMA database_list").all().length],
  ];
  const got = cases.map(([sql, , after]) => [
    sql,
    sqliteDialect.split(sql).statements.map((s) => s.ownSegment),
    inTransaction(sql),
    after(),
  ]);
  expect(got).toEqual([
    ["VACUUM", [true], "cannot VACUUM from within a transaction", null],
    ["PRAGMA journal_mode = WAL", [true], "cannot change into wal mode from within a transaction", null],
    // Accepted but ignored inside a transaction: still off afterwards.
    ["PRAGMA foreign_keys = ON", [true], "ok", { foreign_keys: 0 }],
    ["PRAGMA user_version = 3", [false], "ok", { user_version: 3 }],
    [cases[4]?.[0], [false], "ok", 2],
  ]);
});
