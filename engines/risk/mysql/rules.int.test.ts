// The engine behaviour the MySQL/MariaDB rules claim, run on the real MariaDB (127.0.0.1:3306):
// what fills, what fails, what copies, what commits. Each claim is asserted next to the finding
// assess() makes for the same SQL, so a rule and the server cannot drift apart unnoticed.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import mysql from "mysql2/promise";
import { mariadbDialect } from "../../mysql/dialect.ts";
import { testSnapshot } from "../../schema/testkit.ts";
import { assess } from "../assess.ts";
import { MYSQL_CASES } from "./cases/index.ts";

const db = `mx_risk_${process.pid}_${Date.now()}`;
const q = mariadbDialect.quoteIdent;
let conn: mysql.Connection;

beforeAll(async () => {
  conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", dateStrings: true });
  await conn.query(`CREATE DATABASE ${q(db)}`);
  await conn.query(`USE ${q(db)}`);
});

afterAll(async () => {
  await conn?.query(`DROP DATABASE IF EXISTS ${q(db)}`);
  await conn?.end();
});

/** A fresh, non-empty pair of tables before every test. */
beforeEach(async () => {
  await conn.query("SET SESSION sql_mode = DEFAULT");
  await conn.query("DROP TABLE IF EXISTS orders, users, parents");
  await conn.query("CREATE TABLE parents (id BIGINT PRIMARY KEY)");
  await conn.query(
    "CREATE TABLE users (id BIGINT PRIMARY KEY, parent_id BIGINT NULL, email VARCHAR(100) NULL, name VARCHAR(20) NOT NULL DEFAULT '', status ENUM('a','b') NULL, score INT NULL)",
  );
  await conn.query("INSERT INTO parents (id) VALUES (1)");
  await conn.query(
    "INSERT INTO users (id, email, status, score) VALUES (1, 'a@x', 'a', 1), (2, 'b@x', 'b', 2), (3, 'c@x', 'a', NULL)",
  );
});

async function rows(sql: string): Promise<unknown[]> {
  const [result] = await conn.query(sql);
  return (result as object[]).map((r) => ({ ...r }));
}

/** The server's errno for a statement, or 0 when it runs. */
async function errno(sql: string): Promise<number> {
  try {
    await conn.query(sql);
    return 0;
  } catch (err) {
    const n = err instanceof Error ? Reflect.get(err, "errno") : undefined;
    if (typeof n !== "number") throw err;
    return n;
  }
}

const checksOf = async (sql: string) =>
  (await assess(sql, { engine: "mariadb" })).statements.flatMap((s) => s.findings.map((f) => `${f.check}:${f.level}`));

describe("ADD COLUMN NOT NULL without DEFAULT fills a value nobody chose", () => {
  const cases = [
    { sql: "ALTER TABLE users ADD COLUMN n INT NOT NULL", column: "n", filled: 0, level: "Medium" },
    { sql: "ALTER TABLE users ADD COLUMN t VARCHAR(10) NOT NULL", column: "t", filled: "", level: "Medium" },
    { sql: "ALTER TABLE users ADD COLUMN e ENUM('x','y') NOT NULL", column: "e", filled: "x", level: "Medium" },
    {
      sql: "ALTER TABLE users ADD COLUMN d DATETIME NOT NULL",
      column: "d",
      filled: "0000-00-00 00:00:00",
      level: "High",
    },
  ];
  for (const c of cases) {
    test(c.sql, async () => {
      expect(await checksOf(c.sql)).toContain(`not-null-without-default:${c.level}`);
      await conn.query(c.sql);
      expect(await rows(`SELECT DISTINCT ${c.column} AS v FROM users`)).toEqual([{ v: c.filled }]);
    });
  }
  test("a DATE column fails under NO_ZERO_DATE (MySQL 8's default sql_mode)", async () => {
    await conn.query("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_ZERO_DATE')");
    expect(await errno("ALTER TABLE users ADD COLUMN born DATE NOT NULL")).toBe(1292);
  });
});

describe("what cannot be rolled back", () => {
  test("TRUNCATE commits at once: ROLLBACK brings no row back", async () => {
    expect(await checksOf("TRUNCATE TABLE users")).toContain("truncate:Critical");
    await conn.query("START TRANSACTION");
    await conn.query("TRUNCATE TABLE users");
    await conn.query("ROLLBACK");
    expect(await rows("SELECT COUNT(*) AS n FROM users")).toEqual([{ n: 0 }]);
  });
  test("DDL inside START TRANSACTION commits what came before it", async () => {
    const script =
      "START TRANSACTION;\nDELETE FROM users WHERE id = 1;\nCREATE TABLE side (id INT PRIMARY KEY);\nROLLBACK";
    expect(await checksOf(script)).toContain("transaction-control:Medium");
    for (const st of mariadbDialect.split(script).statements) await conn.query(st.text);
    expect(await rows("SELECT id FROM users ORDER BY id")).toEqual([{ id: 2 }, { id: 3 }]);
    await conn.query("DROP TABLE side");
  });
});

describe("duplicate columns", () => {
  test("CREATE TABLE and INSERT reject them; UPDATE applies both, the last one wins", async () => {
    expect(await errno("CREATE TABLE dup (a INT, a INT)")).toBe(1060);
    expect(await errno("INSERT INTO users (id, id) VALUES (7, 8)")).toBe(1110);
    expect(await checksOf("UPDATE users SET score = 10, score = 20 WHERE id = 1")).toContain("duplicate-column:Medium");
    await conn.query("UPDATE users SET score = 10, score = 20 WHERE id = 1");
    expect(await rows("SELECT score FROM users WHERE id = 1")).toEqual([{ score: 20 }]);
  });
});

describe("online DDL: what copies the table and what does not", () => {
  // With ALGORITHM=INPLACE, LOCK=NONE appended the server refuses what it would have to copy or lock for.
  const copies = [
    {
      sql: "ALTER TABLE users ADD CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES parents (id)",
      check: "mysql-table-copy:High",
    },
    { sql: "ALTER TABLE users ADD FULLTEXT INDEX ft_email (email)", check: "mysql-table-copy:High" },
    { sql: "ALTER TABLE users ADD COLUMN token CHAR(36) DEFAULT (UUID())", check: "expression-default:High" },
    {
      sql: "ALTER TABLE users ADD COLUMN e2 VARCHAR(100) AS (LOWER(email)) STORED",
      check: "add-column-rewrite-type:High",
    },
    { sql: "ALTER TABLE users ADD CONSTRAINT chk_score CHECK (score >= 0)", check: "add-check-validating:High" },
    { sql: "ALTER TABLE users ADD COLUMN seq BIGINT AUTO_INCREMENT UNIQUE", check: "add-column-rewrite-type:High" },
    { sql: "ALTER TABLE users MODIFY score BIGINT", check: "alter-column-type:High", schema: true },
    { sql: "ALTER TABLE users MODIFY status ENUM('b','a')", check: "enum-change:High", schema: true },
    { sql: "ALTER TABLE users MODIFY email VARCHAR(100) CHARACTER SET latin1", check: "charset-change:High" },
  ];
  for (const c of copies) {
    test(`copies: ${c.sql}`, async () => {
      const report = await assess(c.sql, {
        engine: "mariadb",
        schema: c.schema ? SCHEMA : undefined,
      });
      expect(report.statements.flatMap((s) => s.findings.map((f) => `${f.check}:${f.level}`))).toContain(c.check);
      expect([1845, 1846]).toContain(await errno(`${c.sql}, ALGORITHM=INPLACE, LOCK=NONE`));
    });
  }
  const online = [
    "ALTER TABLE users ADD INDEX ix_email (email), ALGORITHM=INPLACE, LOCK=NONE",
    "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL, ALGORITHM=INSTANT",
    "ALTER TABLE users ADD COLUMN n INT NOT NULL, ALGORITHM=INSTANT",
    "ALTER TABLE users MODIFY status ENUM('a','b','c'), ALGORITHM=INSTANT",
    "ALTER TABLE users MODIFY email VARCHAR(200), ALGORITHM=INPLACE, LOCK=NONE",
    "ALTER TABLE users ADD COLUMN v INT AS (score * 2) VIRTUAL, ALGORITHM=INSTANT",
    "ALTER TABLE users RENAME COLUMN email TO mail, ALGORITHM=INSTANT",
  ];
  for (const sql of online) {
    test(`runs online, and no copy is reported: ${sql}`, async () => {
      const report = await assess(sql, { engine: "mariadb", schema: SCHEMA });
      const found = report.statements.flatMap((s) => s.findings.map((f) => f.check));
      expect(found.filter((c) => c === "mysql-table-copy" || c === "alter-column-type" || c === "enum-change")).toEqual(
        [],
      );
      expect(await errno(sql)).toBe(0);
    });
  }
});

describe("other claims", () => {
  test("MariaDB creates a column-level REFERENCES (MySQL before 9.0 ignores it)", async () => {
    await conn.query("CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT REFERENCES users (id))");
    expect(
      await rows(
        `SELECT COUNT(*) AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = '${db}' AND TABLE_NAME = 'orders'`,
      ),
    ).toEqual([{ n: 1 }]);
  });
  test("MODIFY without NOT NULL makes a NOT NULL column nullable", async () => {
    const sql = "ALTER TABLE users MODIFY name VARCHAR(20)";
    const report = await assess(sql, { engine: "mariadb", schema: SCHEMA });
    expect(report.statements[0]?.findings.map((f) => `${f.check}:${f.level}`)).toContain("drop-not-null:Medium");
    await conn.query(sql);
    expect(
      await rows(
        `SELECT IS_NULLABLE AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '${db}' AND TABLE_NAME = 'users' AND COLUMN_NAME = 'name'`,
      ),
    ).toEqual([{ n: "YES" }]);
  });
  test("ALTER IGNORE TABLE … ADD UNIQUE deletes the duplicate rows", async () => {
    const sql = "ALTER IGNORE TABLE users ADD UNIQUE KEY ux_status (status)";
    expect(await checksOf(sql)).toContain("unique-on-existing-data:Critical");
    await conn.query(sql);
    expect(await rows("SELECT id FROM users ORDER BY id")).toEqual([{ id: 1 }, { id: 2 }]);
  });
  test("names over 64 characters are rejected", async () => {
    const sql = `CREATE TABLE ${"t".repeat(65)} (id INT PRIMARY KEY)`;
    expect(await checksOf(sql)).toContain("naming:High");
    expect([1059, 1103]).toContain(await errno(sql));
  });
});

describe("syntax and types: what assess() calls invalid, the server rejects", () => {
  const syntax = MYSQL_CASES.filter((c) => c.check === "syntax-error").flatMap((c) => c.flagged.map((f) => f.sql));
  for (const sql of syntax) {
    test(`rejected as a syntax error: ${sql}`, async () => {
      expect(await errno(sql)).toBe(1064);
    });
  }
  const valid = MYSQL_CASES.filter((c) => c.check === "syntax-error").flatMap((c) =>
    c.clean.map((k) => (typeof k === "string" ? k : k.sql)),
  );
  for (const sql of valid) {
    test(`parses on the server: ${sql}`, async () => {
      expect(await errno(sql)).not.toBe(1064);
    });
  }
  const types = MYSQL_CASES.filter((c) => c.check === "unsupported-type" && c.engines.includes("mariadb")).flatMap(
    (c) => c.flagged.map((f) => f.sql),
  );
  for (const sql of types) {
    test(`type rejected: ${sql}`, async () => {
      expect([1064, 4161]).toContain(await errno(sql));
    });
  }
  const goodTypes = MYSQL_CASES.filter((c) => c.check === "unsupported-type" && c.engines.includes("mariadb"))
    .flatMap((c) => c.clean.map((k) => (typeof k === "string" ? k : k.sql)))
    .filter((sql) => sql.startsWith("CREATE TABLE"));
  for (const sql of goodTypes) {
    test(`type accepted: ${sql}`, async () => {
      expect(await errno(sql)).toBe(0);
      await conn.query("DROP TABLE IF EXISTS t");
    });
  }
});

/** The tables beforeEach creates, as a snapshot (what --schema would give). */
const SCHEMA = testSnapshot("mariadb", [
  {
    name: "users",
    columns: [
      ["id", "bigint(20)", { nullable: false }],
      ["parent_id", "bigint(20)"],
      ["email", "varchar(100)"],
      ["name", "varchar(20)", { nullable: false, default: "''" }],
      ["status", "enum('a','b')"],
      ["score", "int(11)"],
    ],
    primaryKey: ["id"],
  },
]);

test("the safe corpus runs on MariaDB, file after file, statement by statement", async () => {
  const { readdirSync, readFileSync } = await import("node:fs");
  const { join } = await import("node:path");
  const dir = join(import.meta.dir, "..", "corpus", "mysql");
  const corpusDb = `${db}_corpus`;
  await conn.query(`CREATE DATABASE ${q(corpusDb)}`);
  const failed: string[] = [];
  try {
    await conn.query(`USE ${q(corpusDb)}`);
    for (const file of readdirSync(dir).sort()) {
      for (const st of mariadbDialect.split(readFileSync(join(dir, file), "utf8")).statements) {
        const n = await errno(st.text);
        if (n !== 0) failed.push(`${file}:${st.start.line} errno ${n}`);
      }
    }
  } finally {
    await conn.query(`DROP DATABASE ${q(corpusDb)}`);
    await conn.query(`USE ${q(db)}`);
  }
  expect(failed).toEqual([]);
});
