// Cases for every catalog check on SQL Server: SQL in, the findings of one check out (≥3 flagged, ≥3
// close cousins that must stay quiet).
import { caseTable } from "../cases/table.ts";
import type { CaseSchema, CheckCases } from "../cases/types.ts";

const MS = ["sqlserver"] as const;
const PK = "id bigint IDENTITY(1,1) NOT NULL PRIMARY KEY";
const USERS: CaseSchema = {
  users: ["id:bigint:notnull", "email:nvarchar(255):notnull", "name:nvarchar(100)", "score:int"],
};

const check = caseTable(MS);

export const SQLSERVER_CASES: CheckCases[] = [
  check(
    "delete-without-where",
    [
      ["DELETE FROM dbo.sessions", "Critical"],
      ["DELETE dbo.sessions WHERE 1 = 1", "Critical"],
      ["DELETE TOP (1000) FROM [dbo].[sessions]", "Critical"],
    ],
    [
      "DELETE FROM dbo.sessions WHERE expires_at < SYSUTCDATETIME()",
      "SELECT N'DELETE FROM dbo.sessions'",
      "-- DELETE FROM dbo.sessions\nSELECT 1",
      `CREATE TABLE dbo.tmp (${PK});\nDELETE FROM dbo.tmp`,
    ],
  ),
  check(
    "update-without-where",
    [
      ["UPDATE dbo.users SET score = 0", "Critical"],
      ["UPDATE u SET u.score = 0 FROM dbo.users AS u WHERE 1 = 1", "Critical"],
      ["UPDATE [users] SET [score] = 0 WHERE 'a' = 'a'", "Critical"],
    ],
    [
      "UPDATE dbo.users SET score = 0 WHERE id = 7",
      "/* UPDATE dbo.users SET score = 0 */ SELECT 1",
      "CREATE OR ALTER PROCEDURE dbo.reset_scores AS\nBEGIN\n  UPDATE dbo.users SET score = 0;\nEND",
    ],
  ),
  check(
    "drop-table",
    [
      ["DROP TABLE dbo.users", "Critical"],
      ["DROP TABLE IF EXISTS [dbo].[users]", "Critical"],
      ["IF OBJECT_ID(N'dbo.users', N'U') IS NOT NULL DROP TABLE dbo.users", "Critical"],
      // T-SQL's optional terminator: the DROP on its own line is the next statement.
      ["ALTER TABLE dbo.orders ADD note nvarchar(100) NULL\nDROP TABLE dbo.users\nGO", "Critical"],
    ],
    [
      "SELECT 'DROP TABLE dbo.users'",
      `CREATE TABLE dbo.tmp (${PK});\nDROP TABLE dbo.tmp`,
      "DROP VIEW IF EXISTS dbo.active_users",
      "DROP TABLE #staging",
    ],
  ),
  check(
    "drop-database-or-schema",
    [
      ["DROP DATABASE shop", "Critical"],
      ["DROP SCHEMA reporting", "Critical"],
      ["DROP DATABASE IF EXISTS [shop_archive]", "Critical"],
    ],
    ["CREATE SCHEMA reporting", "SELECT 'DROP DATABASE shop'", "DROP TABLE IF EXISTS #tmp"],
  ),
  check(
    "truncate",
    [
      ["TRUNCATE TABLE dbo.audit_log", "High"],
      ["TRUNCATE TABLE [dbo].[audit_log]", "High"],
      ["TRUNCATE TABLE audit_log WITH (PARTITIONS (1))", "High"],
    ],
    [
      `CREATE TABLE dbo.stage (${PK});\nTRUNCATE TABLE dbo.stage`,
      "DELETE FROM dbo.audit_log WHERE created_at < '2020-01-01'",
      "SELECT 'TRUNCATE TABLE dbo.audit_log'",
    ],
  ),
  check(
    "drop-column",
    [
      ["ALTER TABLE dbo.users DROP COLUMN nickname", "High"],
      ["ALTER TABLE dbo.users DROP COLUMN IF EXISTS nickname", "High"],
      ["ALTER TABLE dbo.users DROP COLUMN a, b", "High", { count: 2 }],
    ],
    [
      `CREATE TABLE dbo.t (${PK}, a int NULL);\nALTER TABLE dbo.t DROP COLUMN a`,
      "ALTER TABLE dbo.users DROP CONSTRAINT df_users_score",
      "SELECT 'ALTER TABLE dbo.users DROP COLUMN nickname'",
    ],
  ),
  check(
    "drop-fk-constraint",
    [
      ["ALTER TABLE dbo.orders DROP CONSTRAINT fk_orders_users", "Medium"],
      ["ALTER TABLE dbo.orders NOCHECK CONSTRAINT fk_orders_users", "Medium"],
      ["ALTER TABLE dbo.orders DROP CONSTRAINT orders_user_id_fkey", "Medium"],
    ],
    [
      "ALTER TABLE dbo.orders DROP CONSTRAINT ck_orders_total",
      "ALTER TABLE dbo.orders WITH CHECK CHECK CONSTRAINT fk_orders_users",
      `CREATE TABLE dbo.t (${PK}, user_id bigint NOT NULL CONSTRAINT fk_t_users REFERENCES dbo.users (id));\nALTER TABLE dbo.t DROP CONSTRAINT fk_t_users`,
    ],
  ),
  check(
    "drop-not-null",
    [
      ["ALTER TABLE dbo.users ALTER COLUMN email nvarchar(255) NULL", "Medium", { schema: USERS }],
      ["ALTER TABLE users ALTER COLUMN name nvarchar(100) NULL", "Medium"],
      ["ALTER TABLE [dbo].[users] ALTER COLUMN [email] nvarchar(320) NULL", "Medium", { schema: USERS }],
    ],
    [
      { sql: "ALTER TABLE dbo.users ALTER COLUMN name nvarchar(200) NULL", schema: USERS },
      "ALTER TABLE dbo.users ALTER COLUMN email nvarchar(255) NOT NULL",
      `CREATE TABLE dbo.t (${PK}, a int NOT NULL);\nALTER TABLE dbo.t ALTER COLUMN a int NULL`,
    ],
  ),
  check(
    "large-dml",
    [
      ["UPDATE dbo.users SET score = 0 WHERE score IS NULL", "Medium"],
      ["INSERT INTO dbo.users_archive (id, email) SELECT id, email FROM dbo.users", "Medium"],
      ["UPDATE dbo.users SET name = UPPER(name) WHERE name <> UPPER(name)", "Medium"],
    ],
    [
      "UPDATE dbo.users SET score = 0 WHERE id = 42",
      "INSERT INTO dbo.users_archive (id, email) SELECT id, email FROM dbo.users WHERE id < 1000",
      "UPDATE dbo.users SET score = 0 WHERE id BETWEEN 1 AND 5000",
    ],
  ),
  check(
    "dml-limit-orderby",
    [
      ["DELETE TOP (1000) FROM dbo.sessions WHERE expires_at < SYSUTCDATETIME()", "Medium"],
      ["UPDATE TOP (500) dbo.users SET score = 0 WHERE score IS NULL", "Medium"],
      ["DELETE TOP (10) PERCENT FROM dbo.sessions WHERE expires_at < '2024-01-01'", "Medium"],
    ],
    [
      "DELETE FROM dbo.sessions WHERE id IN (SELECT TOP (1000) id FROM dbo.sessions ORDER BY id)",
      "SELECT TOP (10) id FROM dbo.sessions ORDER BY id",
      "DELETE FROM dbo.sessions WHERE expires_at < SYSUTCDATETIME()",
    ],
  ),
  check(
    "on-delete-cascade",
    [
      [
        "ALTER TABLE dbo.orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES dbo.users (id) ON DELETE CASCADE",
        "Low",
      ],
      [`CREATE TABLE dbo.items (${PK}, order_id bigint NOT NULL REFERENCES dbo.orders (id) ON DELETE CASCADE)`, "Low"],
      [
        `CREATE TABLE dbo.notes (${PK}, user_id bigint NOT NULL, CONSTRAINT fk_notes FOREIGN KEY (user_id) REFERENCES dbo.users (id) ON DELETE CASCADE)`,
        "Low",
      ],
    ],
    [
      "ALTER TABLE dbo.orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES dbo.users (id)",
      "ALTER TABLE dbo.orders ADD CONSTRAINT fk_orders_users FOREIGN KEY (user_id) REFERENCES dbo.users (id) ON DELETE NO ACTION",
      "SELECT 'ON DELETE CASCADE'",
    ],
  ),
  check(
    "syntax-error",
    [
      ["SELEC id FROM dbo.users", "High"],
      ["CRATE TABLE dbo.t (id int)", "High"],
      ["ALTER TABLE dbo.users FROBNICATE COLUMN a", "High"],
    ],
    ["SELECT id FROM dbo.users WHERE id = 1", "PRINT N'done'", "SET NOCOUNT ON", "DECLARE @n int = 0"],
  ),
  check(
    "unclosed-quote",
    [
      ["SELECT 'abc FROM dbo.users", "High"],
      ["SELECT 1;\nSELECT [name FROM dbo.users", "High"],
      ['SELECT "x FROM t', "High"],
    ],
    ["SELECT 'it''s' AS a", "SELECT [a]]b] FROM t", "-- don't\nSELECT 1"],
  ),
  check(
    "unbalanced-parens",
    [
      ["SELECT COUNT(*) FROM (SELECT id FROM dbo.users", "High"],
      ["SELECT id) FROM dbo.users", "High"],
      ["CREATE TABLE dbo.t (id int", "High"],
    ],
    ["SELECT COUNT(*) FROM dbo.users WHERE id = 1", "SELECT '(' AS p", "SELECT [a(] FROM t WHERE id = 1"],
  ),
  check(
    "unknown-table",
    [
      ["SELECT id FROM dbo.userz WHERE id = 1", "High", { schema: USERS }],
      ["ALTER TABLE dbo.accounts ADD x int NULL", "High", { schema: USERS }],
      ["INSERT INTO dbo.audit (id) VALUES (1)", "High", { schema: USERS }],
    ],
    [
      { sql: "SELECT id FROM dbo.users WHERE id = 1", schema: USERS },
      { sql: `CREATE TABLE dbo.audit (${PK});\nINSERT INTO dbo.audit DEFAULT VALUES`, schema: USERS },
      "SELECT id FROM dbo.userz WHERE id = 1",
    ],
  ),
  check(
    "unknown-column",
    [
      ["UPDATE dbo.users SET emial = N'x' WHERE id = 1", "High", { schema: USERS }],
      ["INSERT INTO dbo.users (id, mail) VALUES (1, N'x')", "High", { schema: USERS }],
      ["ALTER TABLE dbo.users DROP COLUMN nickname", "High", { schema: USERS }],
    ],
    [
      { sql: "UPDATE dbo.users SET email = N'x' WHERE id = 1", schema: USERS },
      {
        sql: "ALTER TABLE dbo.users ADD nick nvarchar(50) NULL;\nUPDATE dbo.users SET nick = N'x' WHERE id = 1",
        schema: USERS,
      },
      "UPDATE dbo.users SET emial = 'x' WHERE id = 1",
    ],
  ),
  check(
    "unsupported-type",
    [
      [`CREATE TABLE dbo.flags (${PK}, enabled boolean NOT NULL)`, "High"],
      ["ALTER TABLE dbo.users ADD external_id uuid NULL", "High"],
      [`CREATE TABLE dbo.events (${PK}, created_at timestamp NOT NULL)`, "High"],
    ],
    [
      `CREATE TABLE dbo.flags (${PK}, enabled bit NOT NULL)`,
      "ALTER TABLE dbo.users ADD external_id uniqueidentifier NULL",
      `CREATE TABLE dbo.events (${PK}, created_at datetime2 NOT NULL, version rowversion)`,
    ],
  ),
  check(
    "duplicate-column",
    [
      [`CREATE TABLE dbo.t (${PK}, a int NULL, A int NULL)`, "High"],
      ["INSERT INTO dbo.users (id, email, email) VALUES (1, N'a', N'b')", "High"],
      ["UPDATE dbo.users SET score = 1, score = 2 WHERE id = 1", "High"],
    ],
    [
      `CREATE TABLE dbo.t (${PK}, a int NULL, b int NULL)`,
      "INSERT INTO dbo.users (id, email) VALUES (1, N'a')",
      "UPDATE dbo.users SET score = 1, name = N'x' WHERE id = 1",
    ],
  ),
  check(
    "not-null-without-default",
    [
      ["ALTER TABLE dbo.users ADD status nvarchar(20) NOT NULL", "High"],
      ["ALTER TABLE dbo.users ADD a int NULL, b int NOT NULL", "High"],
      ["ALTER TABLE [users] ADD [flag] bit NOT NULL", "High"],
    ],
    [
      "ALTER TABLE dbo.users ADD status nvarchar(20) NOT NULL CONSTRAINT df_users_status DEFAULT N'active'",
      "ALTER TABLE dbo.users ADD status nvarchar(20) NULL",
      `CREATE TABLE dbo.t (${PK});\nALTER TABLE dbo.t ADD a int NOT NULL`,
      "ALTER TABLE dbo.users ADD seq bigint IDENTITY(1,1) NOT NULL",
    ],
  ),
  check(
    "transaction-control",
    [
      ["BEGIN TRANSACTION;\nUPDATE dbo.users SET score = 0 WHERE id = 1;\nCOMMIT", "Medium", { count: 2 }],
      ["BEGIN TRAN", "Medium"],
      ["ROLLBACK TRANSACTION", "Medium"],
    ],
    [
      "SELECT 'BEGIN TRAN'",
      "UPDATE dbo.users SET score = 0 WHERE id = 1",
      "CREATE OR ALTER PROCEDURE dbo.p AS\nBEGIN\n  BEGIN TRAN;\n  COMMIT;\nEND",
    ],
  ),
  check(
    "unique-on-existing-data",
    [
      ["CREATE UNIQUE INDEX ux_users_email ON dbo.users (email) WITH (ONLINE = ON)", "Medium"],
      ["ALTER TABLE dbo.users ADD CONSTRAINT uq_users_email UNIQUE (email)", "Medium"],
      ["CREATE UNIQUE NONCLUSTERED INDEX ux_users_name ON [dbo].[users] ([name]) WITH (ONLINE = ON)", "Medium"],
    ],
    [
      `CREATE TABLE dbo.t (${PK}, code nvarchar(10) NOT NULL);\nCREATE UNIQUE INDEX ux_t_code ON dbo.t (code)`,
      "CREATE INDEX ix_users_email ON dbo.users (email) WITH (ONLINE = ON)",
      "SELECT 'CREATE UNIQUE INDEX'",
    ],
  ),
  check(
    "create-index-non-concurrent",
    [
      ["CREATE INDEX ix_users_email ON dbo.users (email)", "Medium"],
      ["CREATE NONCLUSTERED INDEX ix_users_name ON dbo.users (name) INCLUDE (email)", "Medium"],
      ["CREATE INDEX ix_users_score ON dbo.users (score) WITH (ONLINE = OFF, FILLFACTOR = 90)", "Medium"],
    ],
    [
      "CREATE INDEX ix_users_email ON dbo.users (email) WITH (ONLINE = ON)",
      "CREATE NONCLUSTERED INDEX ix_users_name ON dbo.users (name) INCLUDE (email) WITH (ONLINE = ON, MAXDOP = 2)",
      `CREATE TABLE dbo.t (${PK}, a int NULL);\nCREATE INDEX ix_t_a ON dbo.t (a)`,
    ],
  ),
  check(
    "alter-column-type",
    [
      ["ALTER TABLE dbo.users ALTER COLUMN score bigint NULL", "High", { schema: USERS }],
      ["ALTER TABLE dbo.users ALTER COLUMN name nvarchar(50) NULL", "High", { schema: USERS }],
      ["ALTER TABLE dbo.orders ALTER COLUMN total decimal(19,4) NOT NULL", "High"],
    ],
    [
      { sql: "ALTER TABLE dbo.users ALTER COLUMN name nvarchar(200) NULL", schema: USERS },
      { sql: "ALTER TABLE dbo.users ALTER COLUMN email nvarchar(max) NOT NULL", schema: USERS },
      `CREATE TABLE dbo.t (${PK}, a int NULL);\nALTER TABLE dbo.t ALTER COLUMN a bigint NULL`,
    ],
  ),
  check(
    "set-not-null",
    [
      ["ALTER TABLE dbo.users ALTER COLUMN name nvarchar(100) NOT NULL", "Medium", { schema: USERS }],
      ["ALTER TABLE dbo.orders ALTER COLUMN note nvarchar(200) NOT NULL", "Medium"],
      ["ALTER TABLE [dbo].[users] ALTER COLUMN [score] int NOT NULL", "Medium", { schema: USERS }],
    ],
    [
      { sql: "ALTER TABLE dbo.users ALTER COLUMN email nvarchar(320) NOT NULL", schema: USERS },
      "ALTER TABLE dbo.users ALTER COLUMN name nvarchar(100) NULL",
      `CREATE TABLE dbo.t (${PK}, a int NULL);\nALTER TABLE dbo.t ALTER COLUMN a int NOT NULL`,
    ],
  ),
  check(
    "merge-alter-table",
    [
      ["ALTER TABLE dbo.users ADD a int NULL;\nALTER TABLE dbo.users ADD b int NULL", "Low"],
      ["ALTER TABLE dbo.users DROP CONSTRAINT ck_a;\nALTER TABLE dbo.users ADD c int NULL", "Low"],
      [
        "ALTER TABLE dbo.t1 ADD a int NULL;\nALTER TABLE dbo.t2 ADD a int NULL;\nALTER TABLE dbo.t1 ADD b int NULL",
        "Low",
      ],
    ],
    [
      "ALTER TABLE dbo.users ADD a int NULL, b int NULL",
      "ALTER TABLE dbo.users ADD a int NULL;\nALTER TABLE dbo.orders ADD a int NULL",
      `CREATE TABLE dbo.t (${PK});\nALTER TABLE dbo.t ADD a int NULL;\nALTER TABLE dbo.t ADD b int NULL`,
    ],
  ),
  check(
    "rename-column",
    [
      ["EXEC sp_rename 'dbo.users.email', 'email_address', 'COLUMN'", "High"],
      ["EXEC sp_rename N'users.name', N'full_name', N'COLUMN'", "High"],
      ["EXECUTE sys.sp_rename @objname = N'dbo.users.score', @newname = N'points', @objtype = N'COLUMN'", "High"],
    ],
    [
      `CREATE TABLE dbo.t (${PK}, a int NULL);\nEXEC sp_rename 'dbo.t.a', 'b', 'COLUMN'`,
      "SELECT 'sp_rename'",
      "EXEC sp_rename 'dbo.users.ix_users_email', 'ix_users_mail', 'INDEX'",
    ],
  ),
  check(
    "rename-table",
    [
      ["EXEC sp_rename 'dbo.users', 'members'", "High"],
      ["EXEC sp_rename N'users', N'people', 'OBJECT'", "High"],
      ["EXEC dbo.sp_rename 'dbo.orders', 'purchases'", "High"],
    ],
    [
      `CREATE TABLE dbo.t (${PK});\nEXEC sp_rename 'dbo.t', 't2'`,
      "SELECT 'EXEC sp_rename'",
      "EXEC sp_rename 'dbo.users.email', 'mail', 'COLUMN'",
    ],
  ),
  check(
    "missing-primary-key",
    [
      ["CREATE TABLE dbo.events (id bigint NOT NULL, kind nvarchar(20) NULL)", "Medium"],
      ["CREATE TABLE dbo.log (at datetime2 NOT NULL, line nvarchar(max) NULL)", "Medium"],
      ["CREATE TABLE [dbo].[tags] ([name] nvarchar(50) NOT NULL UNIQUE)", "Medium"],
    ],
    [
      `CREATE TABLE dbo.events (${PK}, kind nvarchar(20) NULL)`,
      "CREATE TABLE dbo.log (id bigint NOT NULL, CONSTRAINT pk_log PRIMARY KEY CLUSTERED (id))",
      "CREATE TABLE #scratch (id int NOT NULL)",
      "CREATE TABLE dbo.t (id bigint NOT NULL);\nALTER TABLE dbo.t ADD CONSTRAINT pk_t PRIMARY KEY (id)",
    ],
  ),
  check(
    "type-hygiene",
    [
      [`CREATE TABLE dbo.posts (${PK}, body text NULL)`, "Low"],
      ["ALTER TABLE dbo.users ADD last_seen datetime NULL", "Low"],
      [`CREATE TABLE dbo.invoices (${PK}, total_amount float NOT NULL)`, "Low"],
    ],
    [
      `CREATE TABLE dbo.posts (${PK}, body nvarchar(max) NULL)`,
      "ALTER TABLE dbo.users ADD last_seen datetime2 NULL",
      `CREATE TABLE dbo.invoices (${PK}, total_amount decimal(19,4) NOT NULL)`,
    ],
  ),
  check(
    "naming",
    [
      [`CREATE TABLE dbo.[order items] (${PK})`, "Low"],
      [`CREATE TABLE dbo.t (${PK}, [first-name] nvarchar(50) NULL)`, "Low"],
      [`CREATE TABLE dbo.${"x".repeat(130)} (${PK})`, "High"],
    ],
    [
      `CREATE TABLE dbo.order_items (${PK})`,
      `CREATE TABLE dbo.t (${PK}, first_name nvarchar(50) NULL)`,
      `CREATE TABLE dbo.[Order] (${PK})`,
    ],
  ),
  check(
    "non-idempotent",
    [
      [`CREATE TABLE dbo.t (${PK})`, "Low"],
      ["CREATE INDEX ix_users_email ON dbo.users (email) WITH (ONLINE = ON)", "Low"],
      ["DROP TABLE dbo.old_users", "Low"],
    ],
    [
      `IF OBJECT_ID(N'dbo.t', N'U') IS NULL CREATE TABLE dbo.t (${PK})`,
      "IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE name = N'ix_users_email') CREATE INDEX ix_users_email ON dbo.users (email) WITH (ONLINE = ON)",
      "DROP TABLE IF EXISTS dbo.old_users",
    ],
  ),
  check(
    "index-hygiene",
    [
      [
        "CREATE INDEX ix_a ON dbo.users (email, name) WITH (ONLINE = ON);\nCREATE INDEX ix_b ON dbo.users (email) WITH (ONLINE = ON)",
        "Low",
      ],
      ["CREATE INDEX ix_users_dup ON dbo.users (email, email) WITH (ONLINE = ON)", "Low"],
      [`CREATE TABLE dbo.t (${PK}, a int NULL, INDEX ix_t_a (a), INDEX ix_t_a2 (a))`, "Low"],
    ],
    [
      "CREATE INDEX ix_a ON dbo.users (email) WITH (ONLINE = ON);\nCREATE INDEX ix_b ON dbo.users (name) WITH (ONLINE = ON)",
      "CREATE INDEX ix_a ON dbo.users (email) WITH (ONLINE = ON);\nCREATE INDEX ix_b ON dbo.users (email, name) WITH (ONLINE = ON)",
      `CREATE TABLE dbo.t (${PK}, a int NULL, b int NULL, INDEX ix_t_a (a), INDEX ix_t_b (b))`,
    ],
  ),
  check(
    "object-policy",
    [
      ["CREATE TRIGGER dbo.trg_users ON dbo.users AFTER INSERT AS\nBEGIN\n  SET NOCOUNT ON;\nEND", "Low"],
      ["CREATE OR ALTER PROCEDURE dbo.cleanup AS\nBEGIN\n  DELETE FROM dbo.sessions WHERE id < 0;\nEND", "Low"],
      ["CREATE FUNCTION dbo.f (@x int) RETURNS int AS\nBEGIN\n  RETURN @x;\nEND", "Low"],
    ],
    [
      "CREATE VIEW dbo.v AS SELECT id FROM dbo.users",
      "SELECT 'CREATE TRIGGER'",
      "DROP TRIGGER IF EXISTS dbo.trg_users",
    ],
  ),
  check(
    "select-star",
    [
      ["SELECT * FROM dbo.users WHERE id = 1", "Low"],
      ["SELECT TOP 10 * FROM [dbo].[users]", "Low"],
      ["SELECT u.* FROM dbo.users AS u WHERE u.id = 1", "Low"],
    ],
    [
      "SELECT id, email FROM dbo.users WHERE id = 1",
      "SELECT COUNT(*) FROM dbo.users",
      "SELECT id FROM dbo.users AS u WHERE EXISTS (SELECT * FROM dbo.orders AS o WHERE o.user_id = u.id)",
    ],
  ),
  check(
    "missing-limit",
    [
      ["SELECT id, email FROM dbo.users", "Low"],
      ["SELECT DISTINCT name FROM dbo.users", "Low"],
      ["SELECT u.id FROM dbo.users AS u JOIN dbo.orders AS o ON o.user_id = u.id", "Low"],
    ],
    [
      "SELECT TOP (100) id, email FROM dbo.users",
      "SELECT id FROM dbo.users WHERE id = 1",
      "SELECT id FROM dbo.users ORDER BY id OFFSET 0 ROWS FETCH NEXT 50 ROWS ONLY",
    ],
  ),
  check(
    "cartesian-join",
    [
      ["SELECT u.id FROM dbo.users AS u, dbo.orders AS o WHERE u.id = 1", "Medium"],
      ["SELECT u.id FROM dbo.users AS u JOIN dbo.orders AS o ON 1 = 1 WHERE u.id = 1", "Medium"],
      ["UPDATE u SET u.score = 1 FROM dbo.users AS u, dbo.orders AS o WHERE u.id = 5", "Medium"],
    ],
    [
      "SELECT u.id FROM dbo.users AS u, dbo.orders AS o WHERE o.user_id = u.id",
      "SELECT u.id FROM dbo.users AS u JOIN dbo.orders AS o ON o.user_id = u.id WHERE u.id = 1",
      "SELECT u.id FROM dbo.users AS u CROSS JOIN dbo.regions AS r WHERE u.id = 1",
    ],
  ),
  check(
    "insert-without-columns",
    [
      ["INSERT INTO dbo.users VALUES (1, N'a@b.c', N'a', 0)", "Low"],
      ["INSERT dbo.users VALUES (1, N'a@b.c', N'a', 0)", "Low"],
      ["INSERT INTO dbo.users_archive SELECT id, email, name, score FROM dbo.users WHERE id = 1", "Low"],
    ],
    [
      "INSERT INTO dbo.users (id, email) VALUES (1, N'a@b.c')",
      "INSERT INTO dbo.users_archive (id) SELECT id FROM dbo.users WHERE id = 1",
      "SELECT 'INSERT INTO dbo.users VALUES (1)'",
    ],
  ),
  check(
    "non-sargable",
    [
      ["SELECT id FROM dbo.users WHERE email LIKE '%@example.com'", "Low"],
      ["SELECT id FROM dbo.users WHERE UPPER(email) = N'A@B.C'", "Low"],
      ["SELECT id FROM dbo.users WHERE name = NULL", "Medium"],
    ],
    [
      "SELECT id FROM dbo.users WHERE email LIKE 'admin%'",
      "SELECT id FROM dbo.users WHERE email = N'a@b.c'",
      "SELECT id FROM dbo.users WHERE name IS NULL",
    ],
  ),
  check(
    "mix-ddl-dml",
    [
      ["ALTER TABLE dbo.users ADD a int NULL;\nUPDATE dbo.users SET a = 1 WHERE id = 1", "Low"],
      ["DELETE FROM dbo.users WHERE id = 1;\nCREATE INDEX ix ON dbo.users (email) WITH (ONLINE = ON)", "Low"],
      [`CREATE TABLE dbo.t (${PK});\nINSERT INTO dbo.t DEFAULT VALUES`, "Low"],
    ],
    [
      "ALTER TABLE dbo.users ADD a int NULL",
      "UPDATE dbo.users SET a = 1 WHERE id = 1;\nDELETE FROM dbo.users WHERE id = 2",
      "SELECT 1;\nCREATE INDEX ix ON dbo.users (email) WITH (ONLINE = ON)",
    ],
  ),
  check(
    "raw-sql-unchecked",
    [
      ["EXEC dbo.archive_orders @before = '2024-01-01'", "Low"],
      ["EXEC sp_executesql N'DELETE FROM dbo.t WHERE id = @id', N'@id int', @id = 1", "Low"],
      ["BEGIN TRY\n  DELETE FROM dbo.t WHERE id = 1;\nEND TRY\nBEGIN CATCH\n  THROW;\nEND CATCH", "Low"],
    ],
    ["SELECT 'EXEC dbo.archive_orders'", "PRINT N'EXEC x'", "SET XACT_ABORT ON"],
  ),
];
