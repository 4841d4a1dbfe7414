// The engine behaviour the SQLite rules claim, run on the real SQLite (bun:sqlite): what affinity
// stores, what ALTER TABLE refuses, what a transaction ignores. Each claim is asserted next to the
// finding assess() makes for the same SQL.
import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { testSnapshot } from "../../schema/testkit.ts";
import { sqliteDialect } from "../../sqlite/dialect.ts";
import { assess } from "../assess.ts";
import { SQLITE_CASES } from "./cases/index.ts";

let db: Database;

beforeEach(() => {
  db = new Database(":memory:");
  db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)");
  db.exec("INSERT INTO users (id, email, name) VALUES (1, 'a@x', 'A'), (2, 'b@x', NULL)");
});
afterEach(() => db.close());

/** SQLite's error message for a statement, or "" when it runs. */
function error(sql: string): string {
  try {
    db.exec(sql);
    return "";
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    return err.message;
  }
}

const checksOf = async (sql: string) =>
  (await assess(sql, { engine: "sqlite" })).statements.flatMap((s) => s.findings.map((f) => `${f.check}:${f.level}`));

describe("affinity and STRICT", () => {
  test("STRING has NUMERIC affinity: '007' is stored as 7", async () => {
    const sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, code STRING)";
    expect(await checksOf(sql)).toContain("unsupported-type:High");
    db.exec(sql);
    db.exec("INSERT INTO t (id, code) VALUES (1, '007')");
    expect(db.query("SELECT code, typeof(code) AS t FROM t").get()).toEqual({ code: 7, t: "integer" });
  });
  test("FLOATING POINT has INTEGER affinity: '1.0' is stored as 1", async () => {
    const sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, p FLOATING POINT)";
    expect(await checksOf(sql)).toContain("unsupported-type:High");
    db.exec(sql);
    db.exec("INSERT INTO t (id, p) VALUES (1, '1.0')");
    expect(db.query("SELECT p, typeof(p) AS t FROM t").get()).toEqual({ p: 1, t: "integer" });
  });
  test("a STRICT table refuses other type names", async () => {
    const sql = "CREATE TABLE t (id INTEGER PRIMARY KEY, v VARCHAR(10)) STRICT";
    expect(await checksOf(sql)).toContain("unsupported-type:High");
    expect(error(sql)).toContain("unknown datatype");
  });
});

describe("what ALTER TABLE refuses", () => {
  const cases = [
    {
      sql: "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL",
      check: "not-null-without-default:High",
      message: "Cannot add a NOT NULL column",
    },
    {
      sql: "ALTER TABLE users ADD COLUMN age INTEGER NOT NULL DEFAULT NULL",
      check: "not-null-without-default:High",
      message: "Cannot add a NOT NULL column",
    },
    {
      sql: "ALTER TABLE users ADD COLUMN code TEXT UNIQUE",
      check: "syntax-error:High",
      message: "Cannot add a UNIQUE column",
    },
    {
      sql: "ALTER TABLE users ADD COLUMN created TEXT DEFAULT (datetime('now'))",
      check: "syntax-error:High",
      message: "non-constant default",
    },
    {
      sql: "ALTER TABLE users ADD COLUMN email TEXT",
      check: "duplicate-column:High",
      message: "duplicate column name",
    },
    { sql: "TRUNCATE users", check: "truncate:High", message: "syntax error" },
    {
      sql: "CREATE TABLE sqlite_extra (id INTEGER PRIMARY KEY)",
      check: "naming:High",
      message: "reserved for internal use",
    },
  ];
  for (const c of cases) {
    test(c.sql, async () => {
      const schema = testSnapshot("sqlite", [
        { name: "users", columns: ["id", "email", "name"].map((n): [string, string] => [n, "TEXT"]) },
      ]);
      const report = await assess(c.sql, { engine: "sqlite", schema });
      expect(report.statements.flatMap((s) => s.findings.map((f) => `${f.check}:${f.level}`))).toContain(c.check);
      expect(error(c.sql)).toContain(c.message);
    });
  }
  test("DROP COLUMN fails on an indexed column", async () => {
    expect(await checksOf("ALTER TABLE users DROP COLUMN name")).toContain("drop-column:High");
    db.exec("CREATE INDEX ix_name ON users (name)");
    expect(error("ALTER TABLE users DROP COLUMN name")).toContain("no such column");
  });
});

describe("duplicates and transactions", () => {
  test("INSERT keeps the first of two values for a column, UPDATE the last", async () => {
    expect(await checksOf("INSERT INTO users (id, email, email) VALUES (3, 'first', 'second')")).toContain(
      "duplicate-column:Medium",
    );
    db.exec("INSERT INTO users (id, email, email) VALUES (3, 'first', 'second')");
    db.exec("UPDATE users SET name = 'first', name = 'last' WHERE id = 3");
    expect(db.query("SELECT email, name FROM users WHERE id = 3").get()).toEqual({ email: "first", name: "last" });
  });
  test("BEGIN inside the runner's transaction fails", async () => {
    expect(await checksOf("BEGIN")).toContain("transaction-control:Medium");
    db.exec("BEGIN");
    expect(error("BEGIN")).toContain("cannot start a transaction within a transaction");
    db.exec("ROLLBACK");
  });
  test("PRAGMA foreign_keys = OFF inside a transaction does nothing", async () => {
    expect(await checksOf("PRAGMA foreign_keys = OFF")).toContain("drop-fk-constraint:Medium");
    db.exec("PRAGMA foreign_keys = ON");
    db.exec("BEGIN");
    db.exec("PRAGMA foreign_keys = OFF");
    expect(db.query("PRAGMA foreign_keys").get()).toEqual({ foreign_keys: 1 });
    db.exec("ROLLBACK");
  });
});

describe("table rebuilds", () => {
  const rebuild = (copy: boolean) =>
    `CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);\n${copy ? "INSERT INTO users_new (id, email, name) SELECT id, email, name FROM users;\n" : ""}DROP TABLE users;\nALTER TABLE users_new RENAME TO users`;
  test("a rebuild that copies keeps the rows and gets no drop-table finding", async () => {
    expect((await checksOf(rebuild(true))).filter((c) => c.startsWith("drop-table"))).toEqual([]);
    for (const st of sqliteDialect.split(rebuild(true)).statements) db.exec(st.text);
    expect(db.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 2 });
  });
  test("a rebuild without the copy loses every row, and says so", async () => {
    expect(await checksOf(rebuild(false))).toContain("drop-table:Critical");
    for (const st of sqliteDialect.split(rebuild(false)).statements) db.exec(st.text);
    expect(db.query("SELECT count(*) AS n FROM users").get()).toEqual({ n: 0 });
  });
  test("a rebuild that makes a column NOT NULL fails on the first NULL", async () => {
    const sql =
      "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL);\nINSERT INTO users_new (id, email, name) SELECT id, email, name FROM users;\nDROP TABLE users;\nALTER TABLE users_new RENAME TO users";
    const schema = testSnapshot("sqlite", [
      {
        name: "users",
        columns: [
          ["id", "INTEGER"],
          ["email", "TEXT", { nullable: false }],
          ["name", "TEXT"],
        ],
        primaryKey: ["id"],
      },
    ]);
    const report = await assess(sql, { engine: "sqlite", schema });
    expect(
      report.statements.flatMap((s) => s.findings.filter((f) => f.check === "set-not-null").map((f) => f.message)),
    ).toEqual(["the rebuilt users.name is NOT NULL: the copy fails on the first NULL in name"]);
    const [create, copy] = sqliteDialect.split(sql).statements;
    db.exec(create?.text ?? "");
    expect(error(copy?.text ?? "")).toContain("NOT NULL constraint failed");
  });
});

describe("syntax: what assess() calls invalid, SQLite refuses to compile", () => {
  const compile = (sql: string): string => {
    try {
      new Database(":memory:").prepare(sql).finalize();
      return "";
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  };
  const cases = SQLITE_CASES.filter((c) => c.check === "syntax-error");
  for (const sql of cases.flatMap((c) => c.flagged.map((f) => f.sql))) {
    test(`refused: ${sql}`, () => {
      // Run on the database that has users, so the ALTER reaches its own checks.
      expect(error(sql)).toMatch(/syntax error|incomplete input|Cannot add a UNIQUE column|non-constant default/);
    });
  }
  for (const sql of cases.flatMap((c) => c.clean.map((k) => (typeof k === "string" ? k : k.sql)))) {
    test(`compiles: ${sql}`, () => {
      expect(compile(sql)).not.toMatch(/syntax error|incomplete input|unrecognized token/);
    });
  }
});

test("the safe corpus runs on SQLite, each file in one transaction as the runner does", () => {
  const dir = join(import.meta.dir, "..", "corpus", "sqlite");
  const fresh = new Database(":memory:");
  const failed: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    fresh.exec("BEGIN");
    for (const st of sqliteDialect.split(readFileSync(join(dir, file), "utf8")).statements) {
      try {
        fresh.exec(st.text);
      } catch (err) {
        failed.push(`${file}:${st.start.line} ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    fresh.exec("COMMIT");
  }
  fresh.close();
  expect(failed).toEqual([]);
});
