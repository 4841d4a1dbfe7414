// Cases for online DDL on MySQL and MariaDB: copies, rebuilds and locks on existing tables.
import type { CheckCases } from "../../cases/types.ts";

const MY = ["mysql", "mariadb"] as const;
const PK = "id BIGINT UNSIGNED AUTO_INCREMENT PRIMARY KEY";
const S = {
  users: ["id:bigint", "email:varchar(100)", "score:int", "status:enum('a','b')", "name:varchar(20):notnull"],
};

export const mysqlOnlineCases: CheckCases[] = [
  {
    check: "alter-column-type",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users MODIFY score BIGINT", level: "High", schema: S },
      { sql: "ALTER TABLE users MODIFY email VARCHAR(50)", level: "High", schema: S },
      { sql: "ALTER TABLE users MODIFY COLUMN score VARCHAR(20)", level: "High", schema: S },
      { sql: "ALTER TABLE users MODIFY score BIGINT", level: "Medium" },
    ],
    clean: [
      { sql: "ALTER TABLE users MODIFY email VARCHAR(200), ALGORITHM=INPLACE, LOCK=NONE", schema: S },
      { sql: "ALTER TABLE users MODIFY score INT NOT NULL", schema: S },
      `CREATE TABLE t (${PK}, a INT); ALTER TABLE t MODIFY a BIGINT`,
      "ALTER TABLE users ALTER COLUMN score SET DEFAULT 0",
    ],
  },
  {
    check: "add-column-rewrite-type",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN seq BIGINT AUTO_INCREMENT UNIQUE", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN email_lower VARCHAR(100) AS (LOWER(email)) STORED", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN total INT GENERATED ALWAYS AS (a + b) STORED", level: "High" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN email_lower VARCHAR(100) AS (LOWER(email)) VIRTUAL",
      "ALTER TABLE users ADD COLUMN score INT NULL",
      `CREATE TABLE t (${PK}, a INT, b INT AS (a * 2) STORED)`,
    ],
  },
  {
    check: "add-check-validating",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE orders ADD CONSTRAINT chk_total CHECK (total >= 0)", level: "High" },
      { sql: "ALTER TABLE orders ADD CHECK (qty > 0)", level: "High" },
      { sql: "ALTER TABLE orders ADD COLUMN qty INT NULL CHECK (qty > 0)", level: "High" },
    ],
    clean: [
      "ALTER TABLE orders ADD CONSTRAINT chk_total CHECK (total >= 0) NOT ENFORCED",
      `CREATE TABLE t (${PK}, qty INT, CHECK (qty > 0))`,
      "ALTER TABLE orders DROP CHECK chk_total",
    ],
  },
  {
    check: "set-not-null",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users MODIFY email VARCHAR(100) NOT NULL", level: "Medium", schema: S },
      { sql: "ALTER TABLE users MODIFY score INT NOT NULL DEFAULT 0", level: "Medium", schema: S },
      { sql: "ALTER TABLE users CHANGE email email VARCHAR(100) NOT NULL", level: "Medium", schema: S },
    ],
    clean: [
      { sql: "ALTER TABLE users MODIFY name VARCHAR(20) NOT NULL", schema: S },
      { sql: "ALTER TABLE users MODIFY email VARCHAR(100) NULL", schema: S },
      `CREATE TABLE t (${PK}, a INT); ALTER TABLE t MODIFY a INT NOT NULL`,
    ],
  },
  {
    check: "add-primary-key-existing",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE events ADD PRIMARY KEY (id)", level: "High" },
      { sql: "ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id, created_at)", level: "High" },
      { sql: "ALTER TABLE events ADD COLUMN id BIGINT NOT NULL PRIMARY KEY", level: "High" },
    ],
    clean: [
      `CREATE TABLE events (${PK})`,
      "CREATE TABLE events (id BIGINT NOT NULL, created_at DATETIME NOT NULL, PRIMARY KEY (id, created_at))",
      "ALTER TABLE events ADD INDEX ix_created (created_at), ALGORITHM=INPLACE, LOCK=NONE",
    ],
  },
  {
    check: "enum-change",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users MODIFY status ENUM('b','a')", level: "High", schema: S },
      { sql: "ALTER TABLE users MODIFY status ENUM('a')", level: "High", schema: S },
      { sql: "ALTER TABLE users MODIFY status ENUM('a','x','b')", level: "High", schema: S },
      { sql: "ALTER TABLE users MODIFY status ENUM('a','b','c')", level: "Medium" },
    ],
    clean: [
      { sql: "ALTER TABLE users MODIFY status ENUM('a','b','c'), ALGORITHM=INSTANT", schema: S },
      { sql: "ALTER TABLE users MODIFY status ENUM('a','b')", schema: S },
      `CREATE TABLE t (${PK}, s ENUM('a','b')); ALTER TABLE t MODIFY s ENUM('b','a')`,
    ],
  },
  {
    check: "mysql-table-copy",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD INDEX ix_email (email)", level: "Medium" },
      { sql: "CREATE INDEX ix_email ON users (email)", level: "Medium" },
      { sql: "ALTER TABLE users ADD INDEX ix_email (email), ALGORITHM=COPY", level: "High" },
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id)",
        level: "High",
      },
      { sql: "ALTER TABLE users ENGINE=InnoDB", level: "High" },
      { sql: "ALTER TABLE posts ADD FULLTEXT INDEX ft_body (body)", level: "High" },
      { sql: "ALTER TABLE users DROP PRIMARY KEY", level: "High" },
      { sql: "ALTER TABLE events PARTITION BY HASH (id) PARTITIONS 8", level: "High" },
      { sql: "ALTER TABLE users ADD INDEX ix_email (email), LOCK=SHARED", level: "High" },
      { sql: "OPTIMIZE TABLE users", level: "Medium" },
    ],
    clean: [
      "ALTER TABLE users ADD INDEX ix_email (email), ALGORITHM=INPLACE, LOCK=NONE",
      "CREATE INDEX ix_email ON users (email) ALGORITHM=INPLACE LOCK=NONE",
      "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL, ALGORITHM=INSTANT",
      "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL",
      "ALTER TABLE users DROP INDEX ix_old",
      `CREATE TABLE t (${PK}, email VARCHAR(100)); CREATE INDEX ix ON t (email)`,
      "ALTER TABLE orders ADD CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id), ALGORITHM=INPLACE",
    ],
  },
  {
    check: "mysql-non-innodb",
    engines: MY,
    flagged: [
      { sql: `CREATE TABLE cache (${PK}) ENGINE=MyISAM`, level: "Medium" },
      { sql: `CREATE TABLE cache (${PK}) ENGINE = MEMORY`, level: "Medium" },
      { sql: "ALTER TABLE logs ENGINE=Aria", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE cache (${PK}) ENGINE=InnoDB`,
      `CREATE TABLE cache (${PK})`,
      "SELECT 'ENGINE=MyISAM'",
      "ALTER TABLE logs ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE",
    ],
  },
  {
    check: "mysql-inline-references",
    engines: ["mysql"],
    flagged: [
      { sql: `CREATE TABLE orders (${PK}, user_id BIGINT UNSIGNED REFERENCES users (id))`, level: "Medium" },
      {
        sql: `CREATE TABLE orders (${PK}, user_id BIGINT UNSIGNED NOT NULL REFERENCES users (id) ON DELETE CASCADE)`,
        level: "Medium",
      },
      { sql: "ALTER TABLE orders ADD COLUMN user_id BIGINT UNSIGNED NULL REFERENCES users (id)", level: "Medium" },
    ],
    clean: [
      `CREATE TABLE orders (${PK}, user_id BIGINT UNSIGNED, INDEX (user_id), FOREIGN KEY (user_id) REFERENCES users (id))`,
      "ALTER TABLE orders ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id)",
      "SELECT 'REFERENCES users (id)'",
    ],
  },
  {
    check: "mysql-inline-references",
    engines: ["mariadb"],
    flagged: [
      { sql: `CREATE TABLE orders (${PK}, user_id BIGINT UNSIGNED REFERENCES users (id))`, level: "Low" },
      {
        sql: `CREATE TABLE orders (${PK}, user_id BIGINT UNSIGNED NOT NULL REFERENCES users (id) ON DELETE CASCADE)`,
        level: "Low",
      },
      { sql: "ALTER TABLE orders ADD COLUMN user_id BIGINT UNSIGNED NULL REFERENCES users (id)", level: "Low" },
    ],
    clean: [
      `CREATE TABLE orders (${PK}, user_id BIGINT UNSIGNED, INDEX (user_id), FOREIGN KEY (user_id) REFERENCES users (id))`,
      "ALTER TABLE orders ADD CONSTRAINT fk_u FOREIGN KEY (user_id) REFERENCES users (id)",
      "SELECT 'REFERENCES users (id)'",
    ],
  },
  {
    check: "change-column",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users CHANGE email email_address VARCHAR(100)", level: "Medium" },
      { sql: "ALTER TABLE users CHANGE COLUMN score score BIGINT NOT NULL", level: "Medium" },
      {
        sql: "ALTER TABLE users CHANGE `name` `name` VARCHAR(30) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
        level: "Medium",
      },
    ],
    clean: [
      "ALTER TABLE users RENAME COLUMN email TO email_address",
      "ALTER TABLE users MODIFY score BIGINT NOT NULL",
      `CREATE TABLE t (${PK}, a INT); ALTER TABLE t CHANGE a b INT`,
    ],
  },
  {
    check: "column-order",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL AFTER email", level: "Low" },
      { sql: "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL FIRST", level: "Low" },
      { sql: "ALTER TABLE users MODIFY score INT NULL AFTER id", level: "Low" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN nick VARCHAR(20) NULL",
      `CREATE TABLE t (${PK}, a INT); ALTER TABLE t ADD COLUMN b INT FIRST`,
      "SELECT 'AFTER email' AS a",
    ],
  },
  {
    check: "expression-default",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users ADD COLUMN token CHAR(36) DEFAULT (UUID())", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN created DATE DEFAULT (CURRENT_DATE + INTERVAL 1 DAY)", level: "High" },
      { sql: "ALTER TABLE users ADD COLUMN r DOUBLE DEFAULT (RAND())", level: "High" },
    ],
    clean: [
      "ALTER TABLE users ADD COLUMN created_at DATETIME NULL DEFAULT CURRENT_TIMESTAMP",
      "ALTER TABLE users ADD COLUMN n INT NOT NULL DEFAULT (0)",
      `CREATE TABLE t (${PK}, token CHAR(36) DEFAULT (UUID()))`,
    ],
  },
  {
    check: "charset-change",
    engines: MY,
    flagged: [
      { sql: "ALTER TABLE users CONVERT TO CHARACTER SET utf8mb4", level: "High" },
      { sql: "ALTER TABLE users MODIFY email VARCHAR(100) CHARACTER SET latin1", level: "High" },
      { sql: "ALTER TABLE users MODIFY email VARCHAR(100) COLLATE utf8mb4_bin", level: "High" },
      { sql: "ALTER TABLE users DEFAULT CHARACTER SET utf8mb4", level: "Low" },
    ],
    clean: [
      `CREATE TABLE t (${PK}, name VARCHAR(10) CHARACTER SET utf8mb4) DEFAULT CHARSET=utf8mb4`,
      "ALTER TABLE users ADD COLUMN nick VARCHAR(20) CHARACTER SET utf8mb4 NULL",
      "SET NAMES utf8mb4",
    ],
  },
];
