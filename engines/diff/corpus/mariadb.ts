// The MariaDB round-trip corpus: schema pairs (source A, target B), each in its own pair of
// databases. sync(A → B) applied to B must leave diff(A, B) empty and SHOW CREATE of every table
// equal, and applying it again must change nothing.
import type { SyncCase } from "./postgres.ts";

const USERS = "CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NOT NULL, name text)";
const ORDERS = `${USERS};\nCREATE TABLE orders (id int PRIMARY KEY, user_id int, qty int)`;

export const MARIADB_CASES: SyncCase[] = [
  {
    name: "table-added",
    covers: ["table"],
    a: "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, email varchar(50) NOT NULL UNIQUE, n int DEFAULT 3 CHECK (n > 0), KEY t_n (n)) COMMENT 'things'",
    b: "",
  },
  { name: "table-dropped", covers: ["table"], a: "", b: USERS, allowDrop: true },
  { name: "table-drop-withheld", covers: ["table"], a: "", b: USERS, expect: "withheld" },
  {
    name: "table-renamed",
    covers: ["table"],
    a: "CREATE TABLE customers (id int PRIMARY KEY, email text)",
    b: "CREATE TABLE users (id int PRIMARY KEY, email text)",
    renames: [{ from: "users", to: "customers" }],
  },
  {
    name: "column-added",
    covers: ["column"],
    a: `${USERS};\nALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0`,
    b: USERS,
  },
  {
    name: "column-dropped",
    covers: ["column"],
    a: "CREATE TABLE users (id int PRIMARY KEY)",
    b: USERS,
    allowDrop: true,
  },
  {
    name: "column-renamed",
    covers: ["column"],
    a: "CREATE TABLE users (id int PRIMARY KEY, mail text)",
    b: "CREATE TABLE users (id int PRIMARY KEY, email text)",
    renames: [{ from: "users.email", to: "users.mail" }],
  },
  {
    name: "column-type-null-default-comment",
    covers: ["column"],
    a: "CREATE TABLE t (id int PRIMARY KEY, email text NOT NULL, n bigint DEFAULT 7 COMMENT 'count')",
    b: "CREATE TABLE t (id int PRIMARY KEY, email varchar(100), n int)",
  },
  {
    name: "auto-increment-added",
    covers: ["column"],
    a: "CREATE TABLE t (id int AUTO_INCREMENT PRIMARY KEY, x text)",
    b: "CREATE TABLE t (id int PRIMARY KEY, x text)",
  },
  {
    name: "column-collation-noise",
    covers: ["column"],
    a: "CREATE TABLE t (id int PRIMARY KEY, name varchar(20) COLLATE utf8mb4_bin)",
    b: "CREATE TABLE t (id int PRIMARY KEY, name varchar(20))",
    expect: "noise",
    filter: "collation",
  },
  {
    name: "index-added-online",
    covers: ["index"],
    a: `${USERS};\nCREATE INDEX users_name ON users (name(20));\nCREATE INDEX users_email ON users (email DESC)`,
    b: USERS,
  },
  {
    name: "index-changed",
    covers: ["index"],
    a: `${USERS};\nCREATE INDEX users_x ON users (email, id)`,
    b: `${USERS};\nCREATE INDEX users_x ON users (email)`,
  },
  {
    name: "index-dropped",
    covers: ["index"],
    a: USERS,
    b: `${USERS};\nCREATE INDEX users_email ON users (email)`,
    allowDrop: true,
  },
  {
    name: "index-generated-name",
    covers: ["index"],
    a: `${USERS};\nCREATE INDEX email ON users (email)`,
    b: `${USERS};\nCREATE INDEX email_2 ON users (email)`,
    expect: "noise",
    filter: "generated-names",
  },
  {
    name: "unique-added",
    covers: ["constraint"],
    a: `${USERS};\nALTER TABLE users ADD CONSTRAINT users_email UNIQUE (email)`,
    b: USERS,
  },
  {
    name: "check-added",
    covers: ["constraint"],
    a: "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_pos CHECK (qty > 0))",
    b: "CREATE TABLE t (id int PRIMARY KEY, qty int)",
  },
  {
    name: "column-check-added",
    covers: ["constraint"],
    a: "CREATE TABLE t (id int PRIMARY KEY, qty int CHECK (qty > 0))",
    b: "CREATE TABLE t (id int PRIMARY KEY, qty int)",
  },
  {
    name: "check-changed",
    covers: ["constraint"],
    a: "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_ok CHECK (qty > 1))",
    b: "CREATE TABLE t (id int PRIMARY KEY, qty int, CONSTRAINT qty_ok CHECK (qty > 0))",
  },
  {
    name: "foreign-key-added",
    covers: ["constraint"],
    a: `${ORDERS};\nALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE`,
    b: ORDERS,
  },
  {
    name: "foreign-key-cycle",
    covers: ["table"],
    a: `CREATE TABLE a (id int PRIMARY KEY, b_id int);
CREATE TABLE b (id int PRIMARY KEY, a_id int, CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id));
ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id)`,
    b: "",
  },
  {
    name: "foreign-key-dropped",
    covers: ["constraint"],
    a: ORDERS,
    b: `${ORDERS};\nALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id)`,
    allowDrop: true,
    dumpDiffers: "dropping a foreign key keeps the index MariaDB made for it",
  },
  {
    name: "primary-key-changed",
    covers: ["constraint"],
    a: "CREATE TABLE t (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b))",
    b: "CREATE TABLE t (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a))",
  },
  {
    name: "view-added-on-view",
    covers: ["view"],
    a: `${ORDERS};
CREATE VIEW big AS SELECT id, user_id, qty FROM orders WHERE qty > 10;
CREATE VIEW big_users AS SELECT u.email, b.qty FROM big b JOIN users u ON u.id = b.user_id`,
    b: ORDERS,
  },
  {
    name: "view-changed",
    covers: ["view"],
    a: `${ORDERS};\nCREATE VIEW big AS SELECT id, qty FROM orders WHERE qty > 100`,
    b: `${ORDERS};\nCREATE VIEW big AS SELECT id FROM orders WHERE qty > 10`,
  },
  {
    name: "view-dropped",
    covers: ["view"],
    a: USERS,
    b: `${USERS};\nCREATE VIEW v AS SELECT id FROM users`,
    allowDrop: true,
  },
  {
    name: "function-added-and-changed",
    covers: ["function"],
    a: "CREATE FUNCTION f(x int) RETURNS int DETERMINISTIC RETURN x * 3;\nCREATE FUNCTION g(x int) RETURNS int DETERMINISTIC RETURN x",
    b: "CREATE FUNCTION f(x int) RETURNS int DETERMINISTIC RETURN x * 2",
  },
  {
    name: "procedure-with-body",
    covers: ["procedure"],
    a: `${USERS};
DELIMITER $$
CREATE PROCEDURE purge_users(n int)
BEGIN
  DELETE FROM users WHERE id < n;
  SELECT ROW_COUNT();
END$$
DELIMITER ;`,
    b: USERS,
  },
  {
    name: "trigger-added-and-changed",
    covers: ["trigger"],
    a: `${ORDERS};
CREATE TRIGGER orders_qty BEFORE INSERT ON orders FOR EACH ROW SET NEW.qty = coalesce(NEW.qty, 1);
CREATE TRIGGER users_name BEFORE INSERT ON users FOR EACH ROW SET NEW.name = coalesce(NEW.name, 'x')`,
    b: `${ORDERS};\nCREATE TRIGGER orders_qty BEFORE INSERT ON orders FOR EACH ROW SET NEW.qty = coalesce(NEW.qty, 0)`,
  },
  {
    name: "trigger-dropped",
    covers: ["trigger"],
    a: ORDERS,
    b: `${ORDERS};\nCREATE TRIGGER orders_qty BEFORE INSERT ON orders FOR EACH ROW SET NEW.qty = 1`,
    allowDrop: true,
  },
];

/** Kinds of change MariaDB has (no sequences, types, materialized views, extensions or schemas to sync). */
export const MARIADB_KINDS = [
  "table",
  "column",
  "index",
  "constraint",
  "view",
  "function",
  "procedure",
  "trigger",
] as const;
