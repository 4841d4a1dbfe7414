// The MySQL 8 sync renderer's text, golden per statement kind: a change in any form shows here.
// Syntax only MySQL 8 runs (functional key parts) is checked only here; engines/diff/
// corpus-mysql8.int.test.ts runs the rest on MariaDB.
import { expect, test } from "bun:test";
import { col, snap, table } from "../diff/fixtures.ts";
import { planSync } from "../diff/sync.ts";
import type { SchemaObjectSnapshot, SchemaSnapshot } from "../schema/snapshot.ts";
import { inMysqlFlavour } from "./ddl.ts";
import { guarded, mysql8Forms, mysql8SyncRenderer } from "./ddl-mysql8.ts";
import { mysqlDialect } from "./dialect.ts";

const IS = "information_schema";
const where = (view: string, terms: string) =>
  `(SELECT COUNT(*) FROM ${IS}.${view} WHERE TABLE_SCHEMA = DATABASE() AND ${terms})`;
const guard = (cond: string, stmt: string) =>
  `SET @mx := IF(${cond}, '${stmt.replaceAll("'", "''")}', 'DO 0');\nPREPARE mx_stmt FROM @mx;\nEXECUTE mx_stmt;\nDEALLOCATE PREPARE mx_stmt`;
const col8 = (c: string) => where("COLUMNS", `TABLE_NAME = 't' AND COLUMN_NAME = '${c}'`);
const ix8 = (n: string) => where("STATISTICS", `TABLE_NAME = 't' AND INDEX_NAME = '${n}'`);
const con8 = (n: string, type: string) =>
  where("TABLE_CONSTRAINTS", `TABLE_NAME = 't' AND CONSTRAINT_NAME = '${n}' AND CONSTRAINT_TYPE = '${type}'`);
const f = mysql8Forms;

test.each<[string, string, string]>([
  [
    "rename table",
    f.renameTable("t", "u"),
    guard(
      `${where("TABLES", "TABLE_NAME = 't'")} > 0 AND NOT (${where("TABLES", "TABLE_NAME = 'u'")} > 0)`,
      "ALTER TABLE `t` RENAME TO `u`",
    ),
  ],
  [
    "add column",
    f.addColumn("t", "c", "`c` int"),
    guard(`NOT (${col8("c")} > 0)`, "ALTER TABLE `t` ADD COLUMN `c` int"),
  ],
  ["drop column", f.dropColumn("t", "c"), guard(`${col8("c")} > 0`, "ALTER TABLE `t` DROP COLUMN `c`")],
  [
    "rename column",
    f.changeColumn("t", "b", "c", "`c` text"),
    guard(`${col8("b")} > 0 AND NOT (${col8("c")} > 0)`, "ALTER TABLE `t` CHANGE COLUMN `b` `c` text"),
  ],
  [
    "change a column's type",
    f.modifyColumn("t", "c", "`c` bigint NOT NULL"),
    guard(`${col8("c")} > 0`, "ALTER TABLE `t` MODIFY COLUMN `c` bigint NOT NULL"),
  ],
  [
    "drop foreign key",
    f.dropForeignKey("t", "t_fk"),
    guard(`${con8("t_fk", "FOREIGN KEY")} > 0`, "ALTER TABLE `t` DROP FOREIGN KEY `t_fk`"),
  ],
  ["drop check", f.dropCheck("t", "ck"), guard(`${con8("ck", "CHECK")} > 0`, "ALTER TABLE `t` DROP CONSTRAINT `ck`")],
  ["drop unique key", f.dropKey("t", "uq"), guard(`${ix8("uq")} > 0`, "ALTER TABLE `t` DROP INDEX `uq`")],
  ["drop primary key", f.dropKey("t", "PRIMARY"), guard(`${ix8("PRIMARY")} > 0`, "ALTER TABLE `t` DROP PRIMARY KEY")],
  ["drop index", f.dropIndex("t", "ix"), guard(`${ix8("ix")} > 0`, "DROP INDEX `ix` ON `t`")],
  [
    "set primary key",
    f.setPrimaryKey("t", ["a", "b"], "`a`,`b`"),
    `SET @mx := IF((SELECT GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') FROM ${IS}.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND INDEX_NAME = 'PRIMARY') <=> 'a,b', 'DO 0', IF(${ix8("PRIMARY")} > 0, 'ALTER TABLE \`t\` DROP PRIMARY KEY, ADD PRIMARY KEY (\`a\`,\`b\`)', 'ALTER TABLE \`t\` ADD PRIMARY KEY (\`a\`,\`b\`)'));\nPREPARE mx_stmt FROM @mx;\nEXECUTE mx_stmt;\nDEALLOCATE PREPARE mx_stmt`,
  ],
  [
    "add unique key",
    f.addUnique("t", "uq", "`a`"),
    guard(`NOT (${ix8("uq")} > 0)`, "ALTER TABLE `t` ADD UNIQUE KEY `uq` (`a`)"),
  ],
  [
    "add foreign key",
    f.addForeignKey("t", "t_fk", "FOREIGN KEY (`u`) REFERENCES `u` (`id`)"),
    guard(
      `NOT (${con8("t_fk", "FOREIGN KEY")} > 0)`,
      "ALTER TABLE `t` ADD CONSTRAINT `t_fk` FOREIGN KEY (`u`) REFERENCES `u` (`id`)",
    ),
  ],
  [
    "add check",
    f.addCheck("t", "ck", "CHECK (`a` > 0)"),
    guard(`NOT (${con8("ck", "CHECK")} > 0)`, "ALTER TABLE `t` ADD CONSTRAINT `ck` CHECK (`a` > 0)"),
  ],
  [
    "add index online",
    f.addIndex("t", "ix", "KEY `ix` (`a`)", ", ALGORITHM=INPLACE, LOCK=NONE"),
    guard(`NOT (${ix8("ix")} > 0)`, "ALTER TABLE `t` ADD KEY `ix` (`a`), ALGORITHM=INPLACE, LOCK=NONE"),
  ],
])("guarded form: %s", (_name, sql, expected) => {
  expect(sql).toBe(expected);
});

test.each<[string, string[], string[]]>([
  [
    "a view is replaced in place",
    f.replaceObject("view", "v", "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1"),
    ["CREATE OR REPLACE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1"],
  ],
  [
    "a function is dropped and made again (no CREATE OR REPLACE FUNCTION in MySQL 8)",
    f.replaceObject("function", "f", "CREATE OR REPLACE FUNCTION `f`() RETURNS int RETURN 1"),
    ["DROP FUNCTION IF EXISTS `f`", "CREATE FUNCTION `f`() RETURNS int RETURN 1"],
  ],
  [
    "a trigger likewise",
    f.replaceObject("trigger", "tr", "CREATE TRIGGER `tr` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.a = 1"),
    ["DROP TRIGGER IF EXISTS `tr`", "CREATE TRIGGER `tr` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.a = 1"],
  ],
])("replace: %s", (_name, sql, expected) => {
  expect(sql).toEqual(expected);
});

test("a guard escapes quotes and backslashes of names and of the statement it runs", () => {
  expect(guarded("a = 'x'", "ALTER TABLE `o'k` COMMENT = 'it''s \\\\'")).toBe(
    "SET @mx := IF(a = 'x', 'ALTER TABLE `o''k` COMMENT = ''it''''s \\\\\\\\''', 'DO 0');\nPREPARE mx_stmt FROM @mx;\nEXECUTE mx_stmt;\nDEALLOCATE PREPARE mx_stmt",
  );
  expect(f.dropColumn("o'k", "c\\d")).toContain("TABLE_NAME = 'o''k' AND COLUMN_NAME = 'c\\\\d'");
});

test("the script: a guard is four statements, a routine body sits between DELIMITER lines", () => {
  const script = mysql8SyncRenderer.script?.([
    "SET SESSION lock_wait_timeout = 5",
    f.dropColumn("t", "c"),
    "CREATE PROCEDURE `p`()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND",
    "CREATE OR REPLACE VIEW `v` AS select 1",
  ]);
  expect(script).toBe(
    `SET SESSION lock_wait_timeout = 5;\n${f.dropColumn("t", "c")};\nDELIMITER $$\nCREATE PROCEDURE \`p\`()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND$$\nDELIMITER ;\nCREATE OR REPLACE VIEW \`v\` AS select 1;\n`,
  );
  const split = mysqlDialect.split(script ?? "");
  expect({ problems: split.problems, heads: split.statements.map((s) => s.text.split(/[\s(]/)[0]) }).toEqual({
    problems: [],
    heads: ["SET", "SET", "PREPARE", "EXECUTE", "DEALLOCATE", "CREATE", "CREATE"],
  });
});

const mysql = (s: SchemaSnapshot): SchemaSnapshot => ({
  ...s,
  engine: "mysql",
  serverVersion: "MySQL 8.0.36",
  schemas: [{ name: "app" }],
  tables: s.tables.map((t) => ({ ...t, schema: "app" })),
  objects: (s.objects ?? []).map((o) => ({ ...o, schema: "app" })),
});
const id = col("id", "int", { nullable: false });
const base = (extra: Parameters<typeof table>[2] = {}) =>
  table("t", [id, col("a", "varchar(20)")], {
    primaryKey: { columns: ["id"] },
    indexes: [{ name: "PRIMARY", columns: ["id"], unique: true, primary: true }],
    ...extra,
  });
const trigger = (body: string): SchemaObjectSnapshot => ({
  kind: "trigger",
  schema: "app",
  name: "tr",
  table: "t",
  definition: `CREATE TRIGGER \`tr\` BEFORE INSERT ON \`t\` FOR EACH ROW SET NEW.a = ${body}`,
});

test("a plan for MySQL 8: functional index (MySQL 8 only), a trigger re-made, a sequence it cannot hold", async () => {
  const functional = { name: "t_lower_a", columns: ["(lower(`a`))"], unique: false };
  const source = mysql(
    snap(
      [base({ indexes: [...base().indexes, functional] })],
      [trigger("'x'"), { kind: "sequence", schema: "app", name: "s", definition: "CREATE SEQUENCE `s`" }],
    ),
  );
  const target = mysql(snap([base()], [trigger("'y'")]));
  const plan = await planSync(source, target);
  expect({ statements: plan.statements, unsupported: plan.unsupported }).toEqual({
    statements: [
      "SET SESSION lock_wait_timeout = 5",
      guard(`NOT (${ix8("t_lower_a")} > 0)`, "ALTER TABLE `t` ADD KEY `t_lower_a` ((lower(`a`)))"),
      "DROP TRIGGER IF EXISTS `tr`",
      "CREATE TRIGGER `tr` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.a = 'x'",
    ],
    unsupported: ["sequence app.s: not a MySQL 8 object this version syncs"],
  });
  // The risk report reads the statements the guards run, not the guards.
  expect(plan.risk?.statements.map((s) => s.sql.split("\n")[0])).toEqual([
    "SET SESSION lock_wait_timeout = 5",
    "ALTER TABLE `t` ADD KEY `t_lower_a` ((lower(`a`)))",
    "DROP TRIGGER IF EXISTS `tr`",
    "CREATE TRIGGER `tr` BEFORE INSERT ON `t` FOR EACH ROW SET NEW.a = 'x'",
  ]);
});

test("a dropped column is seen by the risk report through its guard", async () => {
  const plan = await planSync(
    mysql(snap([base()])),
    mysql(snap([base({ columns: [id, col("a", "varchar(20)"), col("old", "int")] })])),
    {
      allowDrop: true,
    },
  );
  expect(plan.statements).toEqual(["SET SESSION lock_wait_timeout = 5", f.dropColumn("t", "old")]);
  expect(plan.risk?.statements[1]?.sql).toBe("ALTER TABLE `t` DROP COLUMN `old`");
  expect(plan.risk?.level).not.toBe("Low");
});

test("PostgreSQL → MySQL 8: a string default compares with MySQL 8's unquoted one and is quoted once", async () => {
  const pg = snap([
    table(
      "t",
      [
        col("id", "integer", { nullable: false }),
        col("a", "character varying(20)", { default: "'it''s'::character varying" }),
        col("b", "text"),
      ],
      {
        primaryKey: { columns: ["id"] },
        constraints: [{ name: "t_pkey", kind: "primary", definition: "PRIMARY KEY (id)" }],
      },
    ),
  ]);
  pg.tables[0]?.columns.push(col("c", "character varying(5)", { default: "'x'::character varying", ordinal: 4 }));
  const target = mysql(
    snap([
      base({
        columns: [id, col("a", "varchar(20)", { default: "it's" }), col("b", "longtext")],
        constraints: [{ name: "PRIMARY", kind: "primary", definition: "PRIMARY KEY (`id`)" }],
      }),
    ]),
  );
  const plan = await planSync(pg, target, { risk: false });
  expect(plan.statements).toEqual([
    "SET SESSION lock_wait_timeout = 5",
    guard(`NOT (${col8("c")} > 0)`, "ALTER TABLE `t` ADD COLUMN `c` varchar(5) DEFAULT 'x'"),
  ]);
});

test("inMysqlFlavour: MariaDB's literal defaults and column checks in MySQL 8's conventions, and back", () => {
  const columns = (...defaults: (string | null)[]) =>
    defaults.map((d, i) => col(`c${i}`, "varchar(9)", { default: d }));
  const check = { name: "c0", kind: "check" as const, definition: "CHECK (`c0` <> '')" };
  const mariadb = {
    ...mysql(
      snap([
        base({
          columns: columns("'it''s'", "'a\\\\b'", "5", "current_timestamp()", null),
          constraints: [{ ...check, column: "c0" }],
        }),
      ]),
    ),
    engine: "mariadb" as const,
  };
  const my = inMysqlFlavour(mariadb, "mysql");
  const [t] = mariadb.tables;
  expect({ engine: my.engine, table: my.tables[0] }).toEqual({
    engine: "mysql",
    table: t && {
      ...t,
      columns: columns("it's", "a\\b", "5", "current_timestamp()", null),
      constraints: [check],
    },
  });
  expect(inMysqlFlavour(my, "mariadb").tables[0]?.columns).toEqual(
    columns("'it''s'", "'a\\\\b'", "5", "current_timestamp()", null),
  );
  expect(inMysqlFlavour(my, "mysql")).toBe(my);
});
