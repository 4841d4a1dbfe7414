// MariaDB (serving the mysql and mariadb adapters) for the conformance suite: a fresh
// test_mx_<random> database per run.
import mysql from "mysql2/promise";
import { createMysqlEngine } from "../../mysql/index.ts";
import type { SchemaSnapshot } from "../../schema/snapshot.ts";
import { type ConformanceTarget, col } from "../target.ts";

const SECRET = "s3cr3t-pw";
const USAGE = "expected mariadb://user:password@host:port/database";

export function mariadbTarget(): ConformanceTarget {
  return {
    engine: createMysqlEngine({ flavor: "mariadb" }),
    async create() {
      const name = `test_mx_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
      const admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
      await admin.query(`CREATE DATABASE ${name}`);
      return {
        url: `mariadb://root@127.0.0.1:3306/${name}`,
        database: name,
        async drop() {
          await admin.query(`DROP DATABASE IF EXISTS ${name}`);
          await admin.end();
        },
      };
    },
    secret: SECRET,
    connectErrors: [
      {
        name: "wrong scheme",
        url: `postgres://root:${SECRET}@127.0.0.1:3306/x`,
        code: "invalid_argument",
        message: `URL scheme "postgres:" is not MariaDB's (${USAGE})`,
      },
      {
        name: "bad URL",
        url: `mariadb://root:${SECRET}@127.0.0.1:notaport/x`,
        code: "invalid_argument",
        message: `not a valid MariaDB URL (${USAGE})`,
      },
      {
        name: "unreachable",
        url: `mariadb://root:${SECRET}@127.0.0.1:{port}/x`,
        code: "unavailable",
        message: "cannot reach MariaDB at 127.0.0.1:{port} (ECONNREFUSED)",
      },
      {
        name: "no answer within connectTimeoutMs",
        url: `mariadb://root:${SECRET}@127.0.0.1:{silentPort}/x`,
        connectTimeoutMs: 100,
        code: "unavailable",
        message: "cannot reach MariaDB at 127.0.0.1:{silentPort} (ETIMEDOUT)",
      },
      {
        // root has an empty password here, so any password is a wrong one.
        name: "wrong password",
        url: `mariadb://root:${SECRET}@127.0.0.1:3306/{db}`,
        code: "unauthenticated",
        // The server names the client host as it resolved it (depends on skip_name_resolve).
        message:
          /^MariaDB at 127\.0\.0\.1:3306 refused the login of user "root": Access denied for user 'root'@'[^']+' \(using password: YES\)$/,
      },
      {
        name: "missing database",
        url: "mariadb://root@127.0.0.1:3306/{db}_missing",
        code: "not_found",
        message: `database "{db}_missing" does not exist on MariaDB at 127.0.0.1:3306`,
      },
    ],
    serverVersion: /^MariaDB \d+\.\d+\.\d+$/,
    placeholder: () => "?",
    bigintType: "BIGINT",
    fixture: {
      sql: `
CREATE TABLE customers (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  email VARCHAR(255) NOT NULL,
  name TEXT,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  score DECIMAL(10,2) DEFAULT 0,
  UNIQUE KEY customers_email_uq (email)
);
CREATE TABLE orders (customer_id BIGINT NOT NULL, line INT NOT NULL, note TEXT, PRIMARY KEY (customer_id, line));
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ADD COLUMN total_cents INT NOT NULL DEFAULT 0;
CREATE INDEX orders_total_idx ON orders (total_cents DESC, line);
`,
      expected: (serverVersion, database): SchemaSnapshot => ({
        version: 1,
        engine: "mariadb",
        serverVersion,
        schemas: [{ name: database }],
        tables: [
          {
            schema: database,
            name: "customers",
            columns: [
              col("id", "bigint(20)", false, null, 1),
              col("email", "varchar(255)", false, null, 2),
              col("name", "text", true, null, 3),
              col("created_at", "datetime", false, "current_timestamp()", 4),
              col("score", "decimal(10,2)", true, "0.00", 5),
            ],
            primaryKey: { columns: ["id"] },
            indexes: [
              { name: "PRIMARY", columns: ["id"], unique: true, primary: true },
              { name: "customers_email_uq", columns: ["email"], unique: true },
            ],
          },
          {
            schema: database,
            name: "orders",
            columns: [
              col("customer_id", "bigint(20)", false, null, 1),
              col("line", "int(11)", false, null, 2),
              col("total_cents", "int(11)", false, "0", 3),
            ],
            primaryKey: { columns: ["customer_id", "line"] },
            indexes: [
              { name: "PRIMARY", columns: ["customer_id", "line"], unique: true, primary: true },
              { name: "orders_total_idx", columns: ["total_cents", "line"], unique: false },
            ],
          },
        ],
      }),
    },
    runnerTable: (name, database) => ({
      schema: database,
      name,
      columns: [col("id", "int(11)", false, null, 1), col("v", "varchar(20)", true, null, 2)],
      primaryKey: { columns: ["id"] },
      indexes: [{ name: "PRIMARY", columns: ["id"], unique: true, primary: true }],
    }),
    failingStatement: {
      sql: "INSERT INTO no_such_table (id) VALUES (1)",
      error: {
        code: "not_found",
        nativeCode: "1146",
        message: "statement 3 (line 5:1) failed: Table '{db}.no_such_table' doesn't exist",
        line: 5,
        column: 1,
      },
    },
    ddlRollsBack: false,
    ownSegment: {
      none: "MySQL and MariaDB have no transactional DDL, so every statement already runs as its own segment",
    },
  };
}
