// MariaDB introspection against the real server: the coverage list (one of every object kind,
// found in the snapshot as a whole value) and the DDL round trip (snapshot → renderCreateStatements
// → an empty database: the same snapshot, and SHOW CREATE of every object agrees).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { CoverageList } from "../schema/coverage.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { coverageTests, expectedColumn, runScript, snapshotFinders } from "../schema/testkit.ts";
import type { Session } from "../types.ts";
import { renderCreateDdl, renderCreateStatements } from "./ddl.ts";
import { createMysqlEngine } from "./index.ts";
import { stripDefiner } from "./inspect-objects.ts";

const engine = createMysqlEngine({ flavor: "mariadb" });
const q = engine.dialect.quoteIdent;
const tag = crypto.randomUUID().replaceAll("-", "").slice(0, 10);
const dbX = `mx_inspect_x_${tag}`;
const dbY = `mx_inspect_y_${tag}`;
const url = (db: string) => `mariadb://root@127.0.0.1:3306/${db}`;

const SCHEMA = `
CREATE TABLE users (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  email VARCHAR(190) CHARACTER SET ascii COLLATE ascii_bin NOT NULL COMMENT 'login',
  name VARCHAR(100) COLLATE utf8mb4_bin DEFAULT 'anon',
  mood ENUM('sad','ok','happy') NOT NULL DEFAULT 'ok',
  score DECIMAL(10,2) DEFAULT 0,
  bio TEXT,
  updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  name_len INT AS (CHAR_LENGTH(name)) VIRTUAL,
  email_lower VARCHAR(190) AS (LOWER(email)) STORED,
  PRIMARY KEY (id),
  UNIQUE KEY users_email_uq (email),
  KEY users_name_prefix (name(10), mood DESC) COMMENT 'prefix',
  FULLTEXT KEY users_bio_ft (bio),
  CONSTRAINT users_score_ck CHECK (score >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='people';
CREATE TABLE orders (
  id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT UNSIGNED NOT NULL,
  qty INT NOT NULL CHECK (qty > 0),
  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE ON UPDATE NO ACTION
) ENGINE=InnoDB ROW_FORMAT=DYNAMIC;
CREATE TABLE geo (id INT PRIMARY KEY, pt POINT NOT NULL, SPATIAL INDEX geo_pt (pt)) ENGINE=MyISAM;
CREATE TABLE long_keys (id INT PRIMARY KEY, body BLOB, UNIQUE KEY long_keys_body (body) USING HASH);
INSERT INTO users (email) VALUES ('a@example.com');
CREATE SEQUENCE ticket_seq START WITH 100 INCREMENT BY 5;
CREATE VIEW big_orders AS SELECT o.id, o.qty, u.email FROM orders o JOIN users u ON u.id = o.user_id WHERE o.qty > 10 WITH CHECK OPTION;
CREATE VIEW big_order_emails AS SELECT DISTINCT email FROM big_orders;
CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.qty = GREATEST(NEW.qty, 1);
CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC COMMENT 'x2' RETURN x * 2;
CREATE PROCEDURE reset_orders(IN n INT) BEGIN DELETE FROM orders WHERE qty < n; END;
`;

let admin: Session;
let x: Session;
let y: Session;
let snap: SchemaSnapshot;

const run = (session: Session, script: string) => runScript(engine.dialect, session, script);

beforeAll(async () => {
  admin = await engine.driver.connect(url("test"));
  await admin.exec(`CREATE DATABASE ${q(dbX)}`);
  await admin.exec(`CREATE DATABASE ${q(dbY)}`);
  x = await engine.driver.connect(url(dbX));
  y = await engine.driver.connect(url(dbY));
  await run(x, SCHEMA);
  snap = await engine.inspector.inspect(x, { objects: true });
});

afterAll(async () => {
  await x?.close();
  await y?.close();
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbX)}`);
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbY)}`);
  await admin?.close();
});

const { table, column, index, constraint, object } = snapshotFinders();
const col = expectedColumn;

const COVERAGE: CoverageList<SchemaSnapshot> = {
  schema: { find: (s) => s.schemas, expected: [{ name: dbX }] },
  "schema.comment": { none: "MariaDB databases have no comments" },
  table: { find: (s) => s.tables.map((t) => t.name), expected: ["geo", "long_keys", "orders", "users"] },
  "table.comment": { find: (s) => table(s, "users")?.comment, expected: "people" },
  "table.options": {
    find: (s) => [table(s, "users")?.options, table(s, "orders")?.options],
    expected: [
      { engine: "InnoDB", charset: "utf8mb4", collation: "utf8mb4_unicode_ci" },
      { engine: "InnoDB", charset: "utf8mb4", collation: "utf8mb4_general_ci", row_format: "DYNAMIC" },
    ],
  },
  "table.partitioned": { none: "partitioned tables are not read yet on MariaDB" },
  "table.partition": { none: "partitioned tables are not read yet on MariaDB" },
  "column.type": {
    find: (s) => column(s, "users", "score"),
    expected: col("score", "decimal(10,2)", 5, { default: "0.00" }),
  },
  "column.nullable": {
    find: (s) => column(s, "orders", "user_id"),
    expected: col("user_id", "bigint(20) unsigned", 2, { nullable: false }),
  },
  "column.default": {
    find: (s) => column(s, "users", "name"),
    expected: col("name", "varchar(100)", 3, { default: "'anon'", collation: "utf8mb4_bin" }),
  },
  "column.identity": { none: "MariaDB has AUTO_INCREMENT (column.auto_increment), no identity columns" },
  "column.auto_increment": {
    find: (s) => column(s, "users", "id"),
    expected: col("id", "bigint(20) unsigned", 1, { nullable: false, autoIncrement: true }),
  },
  "column.generated": {
    find: (s) => column(s, "users", "email_lower"),
    expected: col("email_lower", "varchar(190)", 9, { generated: "lcase(`email`)" }),
  },
  "column.generated_virtual": {
    find: (s) => column(s, "users", "name_len"),
    expected: col("name_len", "int(11)", 8, { generated: "char_length(`name`)", virtual: true }),
  },
  "column.collation": { find: (s) => column(s, "users", "name")?.collation, expected: "utf8mb4_bin" },
  "column.charset": {
    find: (s) => column(s, "users", "email"),
    expected: col("email", "varchar(190)", 2, {
      nullable: false,
      charset: "ascii",
      collation: "ascii_bin",
      comment: "login",
    }),
  },
  "column.comment": { find: (s) => column(s, "users", "email")?.comment, expected: "login" },
  "column.on_update": {
    find: (s) => column(s, "users", "updated_at"),
    expected: col("updated_at", "timestamp", 7, {
      nullable: false,
      default: "current_timestamp()",
      onUpdate: "current_timestamp()",
    }),
  },
  primary_key: {
    find: (s) => [table(s, "users")?.primaryKey, constraint(s, "users", "PRIMARY")],
    expected: [{ columns: ["id"] }, { name: "PRIMARY", kind: "primary", definition: "PRIMARY KEY (`id`)" }],
  },
  unique: {
    find: (s) => [index(s, "users", "users_email_uq"), constraint(s, "users", "users_email_uq")],
    expected: [
      { name: "users_email_uq", columns: ["email"], unique: true },
      { name: "users_email_uq", kind: "unique", definition: "UNIQUE (`email`)" },
    ],
  },
  check: {
    find: (s) => [constraint(s, "users", "users_score_ck"), constraint(s, "orders", "qty")],
    expected: [
      { name: "users_score_ck", kind: "check", definition: "CHECK (`score` >= 0)" },
      { name: "qty", kind: "check", definition: "CHECK (`qty` > 0)", column: "qty" },
    ],
  },
  foreign_key: {
    find: (s) => constraint(s, "orders", "orders_user_fk"),
    expected: {
      name: "orders_user_fk",
      kind: "foreign",
      definition: "FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE NO ACTION",
      references: `${dbX}.users`,
      columns: ["user_id"],
      referencedColumns: ["id"],
      onDelete: "CASCADE",
      onUpdate: "NO ACTION",
    },
  },
  exclusion: { none: "MariaDB has no exclusion constraints" },
  index: {
    find: (s) => index(s, "orders", "orders_user_fk"),
    expected: { name: "orders_user_fk", columns: ["user_id"], unique: false },
  },
  "index.method": {
    find: (s) => [
      index(s, "users", "users_bio_ft"),
      index(s, "geo", "geo_pt"),
      index(s, "long_keys", "long_keys_body"),
    ],
    expected: [
      { name: "users_bio_ft", columns: ["bio"], unique: false, method: "FULLTEXT" },
      { name: "geo_pt", columns: ["pt"], unique: false, method: "SPATIAL" },
      { name: "long_keys_body", columns: ["body"], unique: true, method: "HASH" },
    ],
  },
  "index.partial": { none: "MariaDB has no partial indexes" },
  "index.expression": { none: "MariaDB has no functional key parts (index a generated column instead)" },
  "index.include": { none: "MariaDB has no INCLUDE columns" },
  "index.descending": { find: (s) => index(s, "users", "users_name_prefix")?.descending, expected: [false, true] },
  "index.prefix": {
    find: (s) => index(s, "users", "users_name_prefix"),
    expected: {
      name: "users_name_prefix",
      columns: ["name", "mood"],
      unique: false,
      lengths: [10, null],
      descending: [false, true],
      comment: "prefix",
    },
  },
  view: {
    find: (s) => object(s, "view", "big_order_emails"),
    expected: {
      kind: "view",
      schema: dbX,
      name: "big_order_emails",
      dependsOn: [`${dbX}.big_orders`],
      definition:
        "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `big_order_emails` AS select distinct `big_orders`.`email` AS `email` from `big_orders`",
    },
  },
  materialized_view: { none: "MariaDB has no materialized views" },
  sequence: {
    find: (s) => object(s, "sequence", "ticket_seq"),
    expected: {
      kind: "sequence",
      schema: dbX,
      name: "ticket_seq",
      definition:
        "CREATE SEQUENCE `ticket_seq` start with 100 minvalue 1 maxvalue 9223372036854775806 increment by 5 cache 1000 nocycle ENGINE=InnoDB",
    },
  },
  enum: { find: (s) => column(s, "users", "mood")?.type, expected: "enum('sad','ok','happy')" },
  composite_type: { none: "MariaDB has no user-defined types" },
  domain: { none: "MariaDB has no domains" },
  range_type: { none: "MariaDB has no range types" },
  function: {
    find: (s) => object(s, "function", "twice"),
    expected: {
      kind: "function",
      schema: dbX,
      name: "twice",
      definition: "CREATE FUNCTION `twice`(x INT) RETURNS int(11)\n    DETERMINISTIC\n    COMMENT 'x2'\nRETURN x * 2",
    },
  },
  procedure: {
    find: (s) => object(s, "procedure", "reset_orders"),
    expected: {
      kind: "procedure",
      schema: dbX,
      name: "reset_orders",
      definition: "CREATE PROCEDURE `reset_orders`(IN n INT)\nBEGIN DELETE FROM orders WHERE qty < n; END",
    },
  },
  trigger: {
    find: (s) => object(s, "trigger", "orders_bi"),
    expected: {
      kind: "trigger",
      schema: dbX,
      name: "orders_bi",
      table: "orders",
      definition: "CREATE TRIGGER orders_bi BEFORE INSERT ON orders FOR EACH ROW SET NEW.qty = GREATEST(NEW.qty, 1)",
    },
  },
  event: { none: "events are not read yet: the snapshot has no object kind for them (engines/diff ranks every kind)" },
  extension: { none: "MariaDB has no extensions (plugins are server-wide)" },
};

coverageTests(COVERAGE, () => snap);

/** SHOW CREATE of every table, view, routine and trigger; the AUTO_INCREMENT counter is data, not schema. */
async function showCreateAll(session: Session, s: SchemaSnapshot): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const show = async (what: string, name: string, column: string) => {
    const [row] = await session.query<Record<string, string>>(`SHOW CREATE ${what} ${q(name)}`);
    out[`${what} ${name}`] = stripDefiner(String(row?.[column])).replace(/ AUTO_INCREMENT=\d+/, "");
  };
  for (const t of s.tables) await show("TABLE", t.name, "Create Table");
  for (const o of s.objects ?? []) {
    if (o.kind === "view") await show("VIEW", o.name, "Create View");
    if (o.kind === "sequence") await show("SEQUENCE", o.name, "Create Table");
    if (o.kind === "function") await show("FUNCTION", o.name, "Create Function");
    if (o.kind === "procedure") await show("PROCEDURE", o.name, "Create Procedure");
    if (o.kind === "trigger") await show("TRIGGER", o.name, "SQL Original Statement");
  }
  return out;
}

test("snapshot → renderCreateStatements → empty database: the same snapshot and the same SHOW CREATE", async () => {
  for (const st of renderCreateStatements(snap)) await y.exec(st);
  const after = await engine.inspector.inspect(y, { objects: true });
  // The database name is the snapshot's schema; everything else must be equal.
  expect(JSON.parse(JSON.stringify(after).replaceAll(dbY, dbX))).toEqual(snap);
  const [showX, showY] = [await showCreateAll(x, snap), await showCreateAll(y, after)];
  expect(showY).toEqual(showX);
  expect(Object.keys(showX).length).toBe(10);
});

test("renderCreateDdl is a script the splitter reads back into the same statements", () => {
  const { statements, problems } = engine.dialect.split(renderCreateDdl(snap));
  expect({ problems, statements: statements.map((st) => st.text) }).toEqual({
    problems: [],
    statements: renderCreateStatements(snap),
  });
});
