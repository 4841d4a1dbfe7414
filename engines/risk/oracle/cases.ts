// Cases for every catalog check on Oracle: SQL in, the findings of one check out (≥3 flagged, ≥3
// close cousins that must stay quiet).
import { caseTable } from "../cases/table.ts";
import type { CaseSchema, CheckCases } from "../cases/types.ts";

const ORA = ["oracle"] as const;
const PK = "id NUMBER(19) GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
const USERS: CaseSchema = {
  app_users: ["id:number(19):notnull", "email:varchar2(255):notnull", "name:varchar2(100)", "score:number(10)"],
};

const check = caseTable(ORA);

export const ORACLE_CASES: CheckCases[] = [
  check(
    "delete-without-where",
    [
      ["DELETE FROM sessions", "Critical"],
      ["DELETE sessions WHERE 1 = 1", "Critical"],
      ['DELETE FROM "APP"."SESSIONS"', "Critical"],
    ],
    [
      "DELETE FROM sessions WHERE expires_at < SYSTIMESTAMP",
      "SELECT 'DELETE FROM sessions' FROM dual",
      "BEGIN\n  DELETE FROM sessions WHERE id = 1;\nEND;\n/",
      `CREATE TABLE tmp (${PK});\nDELETE FROM tmp`,
    ],
  ),
  check(
    "update-without-where",
    [
      ["UPDATE app_users SET score = 0", "Critical"],
      ["UPDATE app_users u SET u.score = 0 WHERE 1 = 1", "Critical"],
      ["UPDATE app_users SET score = 0 WHERE 'a' = 'a'", "Critical"],
    ],
    [
      "UPDATE app_users SET score = 0 WHERE id = 7",
      "/* UPDATE app_users SET score = 0 */ SELECT 1 FROM dual",
      "CREATE OR REPLACE PROCEDURE reset_scores AS\nBEGIN\n  UPDATE app_users SET score = 0;\nEND;\n/",
    ],
  ),
  check(
    "drop-table",
    [
      ["DROP TABLE app_users", "Critical"],
      ["DROP TABLE app_users PURGE", "Critical"],
      ['DROP TABLE "APP"."APP_USERS" CASCADE CONSTRAINTS', "Critical"],
    ],
    [
      "SELECT q'[DROP TABLE app_users]' FROM dual",
      `CREATE TABLE tmp (${PK});\nDROP TABLE tmp`,
      "DROP VIEW active_users",
      "BEGIN\n  EXECUTE IMMEDIATE 'DROP TABLE x';\nEND;\n/",
    ],
  ),
  check(
    "drop-database-or-schema",
    [
      ["DROP USER app CASCADE", "Critical"],
      ["DROP USER reporting", "Critical"],
      ["DROP DATABASE", "Critical"],
    ],
    ["CREATE USER reporting IDENTIFIED BY x", "SELECT 'DROP USER app' FROM dual", "DROP SEQUENCE app_seq"],
  ),
  check(
    "truncate",
    [
      ["TRUNCATE TABLE audit_log", "Critical"],
      ["TRUNCATE TABLE app.audit_log DROP STORAGE", "Critical"],
      ['TRUNCATE TABLE "AUDIT_LOG" REUSE STORAGE', "Critical"],
    ],
    [
      `CREATE TABLE stage (${PK});\nTRUNCATE TABLE stage`,
      "DELETE FROM audit_log WHERE created_at < DATE '2020-01-01'",
      "SELECT 'TRUNCATE TABLE audit_log' FROM dual",
    ],
  ),
  check(
    "cascade",
    [
      ["DROP TABLE customers CASCADE CONSTRAINTS", "Critical"],
      ["DROP USER app CASCADE", "Critical"],
      ["TRUNCATE TABLE orders CASCADE", "Critical"],
    ],
    [
      "DROP TABLE customers",
      "SELECT 'CASCADE' FROM dual",
      "ALTER TABLE orders ADD CONSTRAINT fk_o FOREIGN KEY (user_id) REFERENCES app_users (id) ON DELETE SET NULL",
    ],
  ),
  check(
    "drop-column",
    [
      ["ALTER TABLE app_users DROP COLUMN nickname", "High"],
      ["ALTER TABLE app_users DROP (nickname, avatar)", "High", { count: 2 }],
      ["ALTER TABLE app_users SET UNUSED COLUMN nickname", "High"],
    ],
    [
      `CREATE TABLE t (${PK}, a NUMBER);\nALTER TABLE t DROP COLUMN a`,
      "ALTER TABLE app_users DROP CONSTRAINT ck_score",
      "SELECT 'ALTER TABLE app_users DROP COLUMN nickname' FROM dual",
    ],
  ),
  check(
    "drop-fk-constraint",
    [
      ["ALTER TABLE orders DROP CONSTRAINT fk_orders_users", "Medium"],
      ["ALTER TABLE orders DISABLE CONSTRAINT fk_orders_users", "Medium"],
      ["ALTER TABLE orders DROP CONSTRAINT orders_user_fk", "Medium"],
    ],
    [
      "ALTER TABLE orders DROP CONSTRAINT ck_orders_total",
      "ALTER TABLE orders ENABLE VALIDATE CONSTRAINT fk_orders_users",
      `CREATE TABLE t (${PK}, user_id NUMBER(19) CONSTRAINT fk_t_users REFERENCES app_users (id));\nALTER TABLE t DROP CONSTRAINT fk_t_users`,
    ],
  ),
  check(
    "drop-not-null",
    [
      ["ALTER TABLE app_users MODIFY (email NULL)", "Medium", { schema: USERS }],
      ["ALTER TABLE app_users MODIFY name NULL", "Medium"],
      ["ALTER TABLE app_users MODIFY (email VARCHAR2(320) NULL)", "Medium", { schema: USERS }],
    ],
    [
      { sql: "ALTER TABLE app_users MODIFY (name NULL)", schema: USERS },
      "ALTER TABLE app_users MODIFY (email NOT NULL)",
      `CREATE TABLE t (${PK}, a NUMBER NOT NULL);\nALTER TABLE t MODIFY (a NULL)`,
    ],
  ),
  check(
    "large-dml",
    [
      ["UPDATE app_users SET score = 0 WHERE score IS NULL", "Medium"],
      ["INSERT INTO app_users_archive (id, email) SELECT id, email FROM app_users", "Medium"],
      ["UPDATE app_users SET name = UPPER(name) WHERE name <> UPPER(name)", "Medium"],
    ],
    [
      "UPDATE app_users SET score = 0 WHERE id = 42",
      "INSERT INTO app_users_archive (id, email) SELECT id, email FROM app_users WHERE id < 1000",
      "UPDATE app_users SET score = 0 WHERE id BETWEEN 1 AND 5000",
    ],
  ),
  check(
    "on-delete-cascade",
    [
      [
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES app_users (id) ON DELETE CASCADE",
        "Low",
      ],
      [`CREATE TABLE items (${PK}, order_id NUMBER(19) NOT NULL REFERENCES orders (id) ON DELETE CASCADE)`, "Low"],
      [
        `CREATE TABLE notes (${PK}, user_id NUMBER(19), CONSTRAINT fk_notes FOREIGN KEY (user_id) REFERENCES app_users (id) ON DELETE CASCADE)`,
        "Low",
      ],
    ],
    [
      "ALTER TABLE orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES app_users (id)",
      "ALTER TABLE orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES app_users (id) ON DELETE SET NULL",
      "SELECT 'ON DELETE CASCADE' FROM dual",
    ],
  ),
  check(
    "syntax-error",
    [
      ["SELEC id FROM app_users", "High"],
      ["CRATE TABLE t (id NUMBER)", "High"],
      ["INSRT INTO t (id) VALUES (1)", "High"],
    ],
    [
      "SELECT id FROM app_users WHERE id = 1",
      "COMMENT ON TABLE app_users IS 'people'",
      "GRANT SELECT ON app_users TO reporting",
    ],
  ),
  check(
    "unclosed-quote",
    [
      ["SELECT 'abc FROM app_users", "High"],
      ['SELECT 1 FROM dual;\nSELECT "name FROM app_users', "High"],
      ["SELECT q'[it''s FROM dual", "High"],
    ],
    ["SELECT 'it''s' FROM dual", "SELECT q'[it's]' FROM dual", "-- don't\nSELECT 1 FROM dual"],
  ),
  check(
    "unbalanced-parens",
    [
      ["SELECT COUNT(*) FROM (SELECT id FROM app_users", "High"],
      ["SELECT id) FROM app_users", "High"],
      ["INSERT INTO t (id VALUES (1)", "High"],
    ],
    ["SELECT COUNT(*) FROM app_users WHERE id = 1", "SELECT '(' FROM dual", "SELECT q'(a(b)' FROM dual"],
  ),
  check(
    "unknown-table",
    [
      ["SELECT id FROM app_userz WHERE id = 1", "High", { schema: USERS }],
      ["ALTER TABLE accounts ADD (x NUMBER)", "High", { schema: USERS }],
      ["INSERT INTO audit (id) VALUES (1)", "High", { schema: USERS }],
    ],
    [
      { sql: "SELECT id FROM app_users WHERE id = 1", schema: USERS },
      { sql: `CREATE TABLE audit (${PK});\nINSERT INTO audit (id) VALUES (1)`, schema: USERS },
      { sql: "SELECT SYSDATE FROM dual", schema: USERS },
    ],
  ),
  check(
    "unknown-column",
    [
      ["UPDATE app_users SET emial = 'x' WHERE id = 1", "High", { schema: USERS }],
      ["INSERT INTO app_users (id, mail) VALUES (1, 'x')", "High", { schema: USERS }],
      ["ALTER TABLE app_users DROP COLUMN nickname", "High", { schema: USERS }],
    ],
    [
      { sql: "UPDATE app_users SET email = 'x' WHERE id = 1", schema: USERS },
      {
        sql: "ALTER TABLE app_users ADD (nick VARCHAR2(50));\nUPDATE app_users SET nick = 'x' WHERE id = 1",
        schema: USERS,
      },
      "UPDATE app_users SET emial = 'x' WHERE id = 1",
    ],
  ),
  check(
    "unsupported-type",
    [
      [`CREATE TABLE events (${PK}, payload TEXT)`, "High"],
      ["ALTER TABLE app_users ADD (external_id BIGINT)", "High"],
      [`CREATE TABLE events (${PK}, note VARCHAR2)`, "High"],
    ],
    [
      `CREATE TABLE events (${PK}, payload CLOB)`,
      "ALTER TABLE app_users ADD (external_id NUMBER(19))",
      `CREATE TABLE events (${PK}, note VARCHAR2(200 CHAR), at TIMESTAMP WITH TIME ZONE)`,
    ],
  ),
  check(
    "duplicate-column",
    [
      [`CREATE TABLE t (${PK}, a NUMBER, A NUMBER)`, "High"],
      ["INSERT INTO app_users (id, email, email) VALUES (1, 'a', 'b')", "High"],
      ["UPDATE app_users SET score = 1, score = 2 WHERE id = 1", "High"],
    ],
    [
      `CREATE TABLE t (${PK}, a NUMBER, b NUMBER)`,
      "INSERT INTO app_users (id, email) VALUES (1, 'a')",
      "UPDATE app_users SET score = 1, name = 'x' WHERE id = 1",
    ],
  ),
  check(
    "not-null-without-default",
    [
      ["ALTER TABLE app_users ADD (status VARCHAR2(20) NOT NULL)", "High"],
      ["ALTER TABLE app_users ADD status VARCHAR2(20) NOT NULL", "High"],
      ["ALTER TABLE app_users ADD (a NUMBER, b NUMBER(1) NOT NULL)", "High"],
    ],
    [
      "ALTER TABLE app_users ADD (status VARCHAR2(20) DEFAULT 'active' NOT NULL)",
      "ALTER TABLE app_users ADD (status VARCHAR2(20))",
      `CREATE TABLE t (${PK});\nALTER TABLE t ADD (a NUMBER NOT NULL)`,
      "ALTER TABLE app_users ADD (seq NUMBER GENERATED ALWAYS AS IDENTITY NOT NULL)",
    ],
  ),
  check(
    "transaction-control",
    [
      ["UPDATE app_users SET score = 0 WHERE id = 1;\nCOMMIT", "Medium"],
      ["ROLLBACK", "Medium"],
      ["COMMIT WORK", "Medium"],
    ],
    ["SAVEPOINT before_backfill", "ROLLBACK TO SAVEPOINT before_backfill", "SELECT 'COMMIT' FROM dual"],
  ),
  check(
    "unique-on-existing-data",
    [
      ["CREATE UNIQUE INDEX ux_users_email ON app_users (email) ONLINE", "Medium"],
      ["ALTER TABLE app_users ADD CONSTRAINT uq_users_email UNIQUE (email)", "Medium"],
      ["ALTER TABLE app_users ADD CONSTRAINT pk_app_users PRIMARY KEY (id)", "Medium"],
    ],
    [
      `CREATE TABLE t (${PK}, code VARCHAR2(10) NOT NULL);\nCREATE UNIQUE INDEX ux_t_code ON t (code)`,
      "CREATE INDEX ix_users_email ON app_users (email) ONLINE",
      "SELECT 'CREATE UNIQUE INDEX' FROM dual",
    ],
  ),
  check(
    "create-index-non-concurrent",
    [
      ["CREATE INDEX ix_users_email ON app_users (email)", "Medium"],
      ["CREATE BITMAP INDEX ix_users_score ON app_users (score) TABLESPACE idx", "Medium"],
      ["CREATE INDEX ix_users_name ON app_users (UPPER(name)) COMPUTE STATISTICS", "Medium"],
    ],
    [
      "CREATE INDEX ix_users_email ON app_users (email) ONLINE",
      "CREATE INDEX ix_users_name ON app_users (name) TABLESPACE idx ONLINE PARALLEL 4",
      `CREATE TABLE t (${PK}, a NUMBER);\nCREATE INDEX ix_t_a ON t (a)`,
    ],
  ),
  check(
    "set-not-null",
    [
      ["ALTER TABLE app_users MODIFY (name NOT NULL)", "Medium", { schema: USERS }],
      ["ALTER TABLE orders MODIFY note NOT NULL", "Medium"],
      ["ALTER TABLE app_users MODIFY (score NUMBER(10) NOT NULL)", "Medium", { schema: USERS }],
    ],
    [
      { sql: "ALTER TABLE app_users MODIFY (email NOT NULL)", schema: USERS },
      "ALTER TABLE app_users MODIFY (name NULL)",
      `CREATE TABLE t (${PK}, a NUMBER);\nALTER TABLE t MODIFY (a NOT NULL)`,
    ],
  ),
  check(
    "merge-alter-table",
    [
      ["ALTER TABLE app_users ADD (a NUMBER);\nALTER TABLE app_users ADD (b NUMBER)", "Low"],
      ["ALTER TABLE app_users DROP CONSTRAINT ck_a;\nALTER TABLE app_users ADD (c NUMBER)", "Low"],
      ["ALTER TABLE t1 ADD (a NUMBER);\nALTER TABLE t2 ADD (a NUMBER);\nALTER TABLE t1 ADD (b NUMBER)", "Low"],
    ],
    [
      "ALTER TABLE app_users ADD (a NUMBER, b NUMBER)",
      "ALTER TABLE app_users ADD (a NUMBER);\nALTER TABLE orders ADD (a NUMBER)",
      `CREATE TABLE t (${PK});\nALTER TABLE t ADD (a NUMBER);\nALTER TABLE t ADD (b NUMBER)`,
    ],
  ),
  check(
    "rename-column",
    [
      ["ALTER TABLE app_users RENAME COLUMN email TO email_address", "High"],
      ['ALTER TABLE "APP_USERS" RENAME COLUMN "NAME" TO "FULL_NAME"', "High"],
      ["ALTER TABLE app.app_users RENAME COLUMN score TO points", "High"],
    ],
    [
      `CREATE TABLE t (${PK}, a NUMBER);\nALTER TABLE t RENAME COLUMN a TO b`,
      "ALTER TABLE app_users RENAME CONSTRAINT ck_a TO ck_b",
      "SELECT 'RENAME COLUMN' FROM dual",
    ],
  ),
  check(
    "rename-table",
    [
      ["ALTER TABLE app_users RENAME TO members", "High"],
      ["RENAME app_users TO members", "High"],
      ["ALTER TABLE app.orders RENAME TO purchases", "High"],
    ],
    [
      `CREATE TABLE t (${PK});\nALTER TABLE t RENAME TO t2`,
      "SELECT 'RENAME app_users TO members' FROM dual",
      "ALTER TABLE app_users RENAME COLUMN a TO b",
    ],
  ),
  check(
    "missing-primary-key",
    [
      ["CREATE TABLE events (id NUMBER(19) NOT NULL, kind VARCHAR2(20))", "Medium"],
      ["CREATE TABLE log_lines (at TIMESTAMP NOT NULL, line CLOB)", "Medium"],
      ['CREATE TABLE "TAGS" ("NAME" VARCHAR2(50) NOT NULL UNIQUE)', "Medium"],
    ],
    [
      `CREATE TABLE events (${PK}, kind VARCHAR2(20))`,
      "CREATE TABLE log_lines (id NUMBER(19) NOT NULL, CONSTRAINT pk_log PRIMARY KEY (id))",
      "CREATE TABLE t (id NUMBER(19) NOT NULL);\nALTER TABLE t ADD CONSTRAINT pk_t PRIMARY KEY (id)",
      "CREATE TABLE users_copy AS SELECT id, email FROM app_users WHERE id < 10",
    ],
  ),
  check(
    "type-hygiene",
    [
      [`CREATE TABLE posts (${PK}, title VARCHAR(200))`, "Low"],
      ["ALTER TABLE app_users ADD (bio LONG)", "Low"],
      [`CREATE TABLE invoices (${PK}, total_amount BINARY_DOUBLE NOT NULL)`, "Low"],
    ],
    [
      `CREATE TABLE posts (${PK}, title VARCHAR2(200 CHAR))`,
      "ALTER TABLE app_users ADD (bio CLOB)",
      `CREATE TABLE invoices (${PK}, total_amount NUMBER(19,4) NOT NULL)`,
    ],
  ),
  check(
    "naming",
    [
      [`CREATE TABLE "order items" (${PK})`, "Low"],
      [`CREATE TABLE t (${PK}, "first-name" VARCHAR2(50))`, "Low"],
      [`CREATE TABLE ${"x".repeat(130)} (${PK})`, "High"],
    ],
    [
      `CREATE TABLE order_items (${PK})`,
      `CREATE TABLE t (${PK}, first_name VARCHAR2(50))`,
      `CREATE TABLE "ORDER_LINES" (${PK})`,
    ],
  ),
  check(
    "non-idempotent",
    [
      [`CREATE TABLE t (${PK})`, "Low"],
      ["CREATE INDEX ix_users_email ON app_users (email) ONLINE", "Low"],
      ["DROP TABLE old_users", "Low"],
    ],
    [
      `CREATE TABLE IF NOT EXISTS t (${PK})`,
      "CREATE INDEX IF NOT EXISTS ix_users_email ON app_users (email) ONLINE",
      "DROP TABLE IF EXISTS old_users",
    ],
  ),
  check(
    "index-hygiene",
    [
      ["CREATE INDEX ix_a ON app_users (email, name) ONLINE;\nCREATE INDEX ix_b ON app_users (email) ONLINE", "Low"],
      ["CREATE INDEX ix_dup ON app_users (email, email) ONLINE", "Low"],
      [`CREATE TABLE t (${PK}, a NUMBER, CONSTRAINT uq_a UNIQUE (a), CONSTRAINT uq_a2 UNIQUE (a))`, "Low"],
    ],
    [
      "CREATE INDEX ix_a ON app_users (email) ONLINE;\nCREATE INDEX ix_b ON app_users (name) ONLINE",
      "CREATE INDEX ix_a ON app_users (email) ONLINE;\nCREATE INDEX ix_b ON app_users (email, name) ONLINE",
      `CREATE TABLE t (${PK}, a NUMBER, b NUMBER, CONSTRAINT uq_a UNIQUE (a), CONSTRAINT uq_b UNIQUE (b))`,
    ],
  ),
  check(
    "object-policy",
    [
      [
        "CREATE OR REPLACE TRIGGER trg_users BEFORE INSERT ON app_users FOR EACH ROW\nBEGIN\n  :new.name := TRIM(:new.name);\nEND;\n/",
        "Low",
      ],
      ["CREATE OR REPLACE PROCEDURE cleanup AS\nBEGIN\n  DELETE FROM sessions WHERE id < 0;\nEND;\n/", "Low"],
      ["CREATE FUNCTION f (x NUMBER) RETURN NUMBER IS\nBEGIN\n  RETURN x;\nEND;\n/", "Low"],
    ],
    [
      "CREATE OR REPLACE VIEW v AS SELECT id FROM app_users",
      "SELECT 'CREATE TRIGGER' FROM dual",
      "DROP TRIGGER trg_users",
    ],
  ),
  check(
    "select-star",
    [
      ["SELECT * FROM app_users WHERE id = 1", "Low"],
      ["SELECT * FROM app_users FETCH FIRST 10 ROWS ONLY", "Low"],
      ["SELECT u.* FROM app_users u WHERE u.id = 1", "Low"],
    ],
    [
      "SELECT id, email FROM app_users WHERE id = 1",
      "SELECT COUNT(*) FROM app_users",
      "SELECT id FROM app_users u WHERE EXISTS (SELECT * FROM orders o WHERE o.user_id = u.id)",
    ],
  ),
  check(
    "missing-limit",
    [
      ["SELECT id, email FROM app_users", "Low"],
      ["SELECT DISTINCT name FROM app_users", "Low"],
      ["SELECT u.id FROM app_users u JOIN orders o ON o.user_id = u.id", "Low"],
    ],
    [
      "SELECT id, email FROM app_users FETCH FIRST 100 ROWS ONLY",
      "SELECT id FROM app_users WHERE id = 1",
      "SELECT SYSDATE FROM dual",
    ],
  ),
  check(
    "cartesian-join",
    [
      ["SELECT u.id FROM app_users u, orders o WHERE u.id = 1", "Medium"],
      ["SELECT u.id FROM app_users u JOIN orders o ON 1 = 1 WHERE u.id = 1", "Medium"],
      ["SELECT o.id FROM orders o, order_lines l WHERE o.status = 'open'", "Medium"],
    ],
    [
      "SELECT u.id FROM app_users u, orders o WHERE o.user_id = u.id",
      "SELECT u.id FROM app_users u JOIN orders o ON o.user_id = u.id WHERE u.id = 1",
      "SELECT u.id FROM app_users u CROSS JOIN regions r WHERE u.id = 1",
    ],
  ),
  check(
    "insert-without-columns",
    [
      ["INSERT INTO app_users VALUES (1, 'a@b.c', 'a', 0)", "Low"],
      ["INSERT INTO app.app_users VALUES (1, 'a@b.c', 'a', 0)", "Low"],
      ["INSERT INTO app_users_archive SELECT id, email, name, score FROM app_users WHERE id = 1", "Low"],
    ],
    [
      "INSERT INTO app_users (id, email) VALUES (1, 'a@b.c')",
      "INSERT INTO app_users_archive (id) SELECT id FROM app_users WHERE id = 1",
      "SELECT 'INSERT INTO app_users VALUES (1)' FROM dual",
    ],
  ),
  check(
    "non-sargable",
    [
      ["SELECT id FROM app_users WHERE email LIKE '%@example.com'", "Low"],
      ["SELECT id FROM app_users WHERE UPPER(email) = 'A@B.C'", "Low"],
      ["SELECT id FROM app_users WHERE name = NULL", "Medium"],
    ],
    [
      "SELECT id FROM app_users WHERE email LIKE 'admin%'",
      "SELECT id FROM app_users WHERE email = 'a@b.c'",
      "SELECT id FROM app_users WHERE name IS NULL",
    ],
  ),
  check(
    "mix-ddl-dml",
    [
      ["ALTER TABLE app_users ADD (a NUMBER);\nUPDATE app_users SET a = 1 WHERE id = 1", "Low"],
      ["DELETE FROM app_users WHERE id = 1;\nCREATE INDEX ix ON app_users (email) ONLINE", "Low"],
      [`CREATE TABLE t (${PK});\nINSERT INTO t (id) VALUES (1)`, "Low"],
    ],
    [
      "ALTER TABLE app_users ADD (a NUMBER)",
      "UPDATE app_users SET a = 1 WHERE id = 1;\nDELETE FROM app_users WHERE id = 2",
      "SELECT 1 FROM dual;\nCREATE INDEX ix ON app_users (email) ONLINE",
    ],
  ),
  check(
    "raw-sql-unchecked",
    [
      ["BEGIN\n  EXECUTE IMMEDIATE 'DROP TABLE x';\nEND;\n/", "Low"],
      ["DECLARE\n  n NUMBER;\nBEGIN\n  SELECT COUNT(*) INTO n FROM app_users;\nEND;\n/", "Low"],
      ["EXEC dbms_stats.gather_table_stats('APP', 'APP_USERS')", "Low"],
    ],
    [
      "SELECT 'BEGIN NULL; END;' FROM dual",
      "-- BEGIN\nSELECT 1 FROM dual",
      "COMMENT ON COLUMN app_users.email IS 'login'",
    ],
  ),
];
