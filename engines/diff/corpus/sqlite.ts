// The SQLite round-trip corpus: schema pairs (source A, target B) in two in-memory databases.
// Column, key and check changes rebuild the table; sync(A → B) applied to B must leave diff(A, B)
// empty and the stored schema equal, and applying it again must change nothing.
import type { SyncCase } from "./postgres.ts";

const USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)";
const ORDERS = `${USERS};\nCREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, qty INTEGER)`;

export const SQLITE_CASES: SyncCase[] = [
  {
    name: "table-added",
    covers: ["table"],
    a: "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT NOT NULL UNIQUE, n INT DEFAULT 3 CHECK (n > 0))",
    b: "",
  },
  { name: "table-dropped", covers: ["table"], a: "", b: USERS, allowDrop: true },
  { name: "table-drop-withheld", covers: ["table"], a: "", b: USERS, expect: "withheld" },
  {
    name: "column-added",
    covers: ["column"],
    a: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, age INT NOT NULL DEFAULT 0)",
    b: USERS,
  },
  {
    name: "column-dropped",
    covers: ["column"],
    a: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)",
    b: USERS,
    allowDrop: true,
  },
  {
    name: "column-type-null-default",
    covers: ["column"],
    a: "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT NOT NULL, n REAL DEFAULT 1.5)",
    b: "CREATE TABLE t (id INTEGER PRIMARY KEY, email VARCHAR(10), n INT)",
  },
  {
    name: "column-rebuild-keeps-rows-and-view",
    covers: ["column"],
    a: `${USERS.replace("name TEXT", "name TEXT NOT NULL DEFAULT ''")};\nCREATE VIEW emails AS SELECT email FROM users`,
    b: `${USERS};\nCREATE VIEW emails AS SELECT email FROM users;\nINSERT INTO users VALUES (1, 'a@x', 'a')`,
  },
  {
    name: "check-added",
    covers: ["constraint"],
    a: "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INT, CONSTRAINT qty_pos CHECK (qty > 0))",
    b: "CREATE TABLE t (id INTEGER PRIMARY KEY, qty INT)",
  },
  {
    name: "unique-added",
    covers: ["constraint"],
    a: "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT, UNIQUE (email))",
    b: "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT)",
  },
  {
    name: "foreign-key-added",
    covers: ["constraint"],
    a: ORDERS.replace("user_id INTEGER", "user_id INTEGER REFERENCES users (id) ON DELETE CASCADE"),
    b: ORDERS,
  },
  {
    name: "primary-key-changed",
    covers: ["constraint"],
    a: "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a, b))",
    b: "CREATE TABLE t (a INT NOT NULL, b INT NOT NULL, PRIMARY KEY (a))",
  },
  {
    name: "index-added",
    covers: ["index"],
    a: `${USERS};\nCREATE INDEX users_name ON users (name);\nCREATE UNIQUE INDEX users_email ON users (lower(email)) WHERE name IS NOT NULL`,
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
    b: `${USERS};\nCREATE INDEX users_x ON users (email)`,
    allowDrop: true,
  },
  {
    name: "view-added-on-view",
    covers: ["view"],
    a: `${ORDERS};\nCREATE VIEW big AS SELECT id, user_id FROM orders WHERE qty > 10;\nCREATE VIEW big_users AS SELECT u.email FROM big b JOIN users u ON u.id = b.user_id`,
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
    name: "trigger-added-and-changed",
    covers: ["trigger"],
    a: `${ORDERS};\nCREATE TRIGGER orders_qty AFTER INSERT ON orders BEGIN UPDATE orders SET qty = 2 WHERE id = NEW.id AND qty IS NULL; END`,
    b: `${ORDERS};\nCREATE TRIGGER orders_qty AFTER INSERT ON orders BEGIN UPDATE orders SET qty = 1 WHERE id = NEW.id AND qty IS NULL; END`,
  },
  {
    name: "trigger-on-rebuilt-table",
    covers: ["trigger", "column"],
    a: `CREATE TABLE t (id INTEGER PRIMARY KEY, n INT NOT NULL DEFAULT 0);\nCREATE TRIGGER t_n AFTER INSERT ON t BEGIN UPDATE t SET n = 1 WHERE id = NEW.id; END`,
    b: "CREATE TABLE t (id INTEGER PRIMARY KEY, n INT)",
  },
  {
    name: "trigger-dropped",
    covers: ["trigger"],
    a: ORDERS,
    b: `${ORDERS};\nCREATE TRIGGER tr AFTER INSERT ON orders BEGIN SELECT 1; END`,
    allowDrop: true,
  },
];

export const SQLITE_KINDS = ["table", "column", "constraint", "index", "view", "trigger"] as const;
