// Cases for script-wide checks on MySQL and MariaDB: timeouts, held locks, repeated ALTERs, mixing.
import type { CheckCases } from "../../cases/types.ts";

const MY = ["mysql", "mariadb"] as const;
const PK = "id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY";

export const mysqlSessionCases: CheckCases[] = [
  {
    check: "missing-lock-timeout",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL", level: "Medium" },
      { sql: "CREATE INDEX ix ON users (email)", level: "Medium" },
      { sql: "RENAME TABLE users TO members", level: "Medium" },
      { sql: "SET SESSION lock_wait_timeout = 0;\nALTER TABLE users ADD COLUMN x INT NULL", level: "Medium" },
    ],
    clean: [
      "SET SESSION lock_wait_timeout = 5;\nALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL",
      "SET lock_wait_timeout = 5, max_statement_time = 60;\nCREATE INDEX ix ON users (email) ALGORITHM=INPLACE LOCK=NONE",
      `CREATE TABLE t (${PK}, a INT); ALTER TABLE t ADD COLUMN b INT NULL`,
      "SELECT id FROM users WHERE id = 1",
    ],
  },
  {
    check: "missing-lock-timeout",
    engines: ["mariadb"],
    flagged: [],
    clean: ["SET STATEMENT lock_wait_timeout = 5 FOR ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL"],
  },
  {
    check: "drop-table",
    engines: ["mariadb"],
    flagged: [{ sql: "SET STATEMENT max_statement_time = 60 FOR DROP TABLE users", level: "Critical" }],
    clean: [],
  },
  {
    check: "missing-statement-timeout",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL", level: "Low" },
      { sql: "UPDATE users SET a = 1 WHERE id = 1", level: "Low" },
      { sql: "SET lock_wait_timeout = 5;\nDELETE FROM users WHERE id = 1", level: "Low" },
    ],
    clean: [
      "SET SESSION max_statement_time = 30;\nALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL",
      "SET SESSION max_execution_time = 30000;\nUPDATE users SET a = 1 WHERE id = 1",
      `CREATE TABLE t (${PK})`,
    ],
  },
  {
    check: "long-lock-hold",
    engines: MY,
    flagged: [
      {
        sql: "START TRANSACTION;\nUPDATE accounts SET frozen = 1 WHERE id = 5;\nUPDATE ledger SET total = total + 1 WHERE kind IS NULL;\nCOMMIT",
        level: "Medium",
      },
      {
        sql: "BEGIN;\nDELETE FROM carts WHERE id = 1;\nINSERT INTO archive (id) SELECT id FROM orders;\nCOMMIT",
        level: "Medium",
      },
      { sql: "LOCK TABLES users WRITE;\nUPDATE users SET a = 1 WHERE a IS NULL;\nUNLOCK TABLES", level: "Medium" },
    ],
    clean: [
      "START TRANSACTION;\nUPDATE accounts SET frozen = 1 WHERE id = 5;\nCOMMIT;\nUPDATE ledger SET total = 0 WHERE id = 1",
      "UPDATE accounts SET frozen = 1 WHERE id = 5;\nUPDATE ledger SET total = 0 WHERE id = 1",
      "LOCK TABLES users WRITE;\nUNLOCK TABLES;\nUPDATE users SET a = 1 WHERE id = 1",
    ],
  },
  {
    check: "merge-alter-table",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN a INT NULL;\nALTER TABLE users ADD COLUMN b INT NULL", level: "Low" },
      {
        sql: "ALTER TABLE users ADD INDEX ia (a), ALGORITHM=INPLACE, LOCK=NONE;\nALTER TABLE users DROP COLUMN c",
        level: "Low",
      },
      {
        sql: "ALTER TABLE t1 ADD COLUMN a INT NULL;\nALTER TABLE t2 ADD COLUMN a INT NULL;\nALTER TABLE t1 ADD COLUMN b INT NULL",
        level: "Low",
      },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN a INT NULL, ADD COLUMN b INT NULL",
      "ALTER TABLE users ADD COLUMN a INT NULL;\nALTER TABLE orders ADD COLUMN a INT NULL",
      `CREATE TABLE t (${PK});\nALTER TABLE t ADD COLUMN a INT;\nALTER TABLE t ADD COLUMN b INT`,
    ],
  },
  {
    check: "mix-ddl-dml",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN a INT NULL;\nUPDATE users SET a = 1 WHERE id = 1", level: "Low" },
      { sql: "DELETE FROM users WHERE id = 1;\nCREATE INDEX ix ON users (email)", level: "Low" },
      { sql: `CREATE TABLE t (${PK});\nINSERT INTO t (id) VALUES (1)`, level: "Low" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN a INT NULL",
      "UPDATE users SET a = 1 WHERE id = 1;\nDELETE FROM users WHERE id = 2",
      "SELECT 1;\nALTER TABLE users ADD COLUMN a INT NULL",
    ],
  },
];
