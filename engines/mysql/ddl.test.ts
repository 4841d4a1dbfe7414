import { expect, test } from "bun:test";
import type { ColumnSnapshot, SchemaSnapshot, TableSnapshot } from "../schema/snapshot.ts";
import { columnDef, indexDef, renderCreateStatements } from "./ddl.ts";
import { mariadbDialect, mysqlDialect } from "./dialect.ts";
import { stripDefiner } from "./inspect-objects.ts";

const table: TableSnapshot = {
  schema: "app",
  name: "t",
  columns: [],
  primaryKey: null,
  indexes: [],
  options: { engine: "InnoDB", charset: "utf8mb4", collation: "utf8mb4_general_ci" },
};
const col = (extra: Partial<ColumnSnapshot>): ColumnSnapshot => ({
  name: "c",
  type: "varchar(20)",
  nullable: true,
  default: null,
  ordinal: 1,
  ...extra,
});

test.each<[string, Partial<ColumnSnapshot>, boolean, string]>([
  ["plain", {}, false, "`c` varchar(20)"],
  [
    "MariaDB default is already a literal",
    { default: "'a''b'", nullable: false },
    false,
    "`c` varchar(20) NOT NULL DEFAULT 'a''b'",
  ],
  ["MySQL 8 string default gets quoted", { default: "a'b" }, true, "`c` varchar(20) DEFAULT 'a''b'"],
  ["MySQL 8 number and CURRENT_TIMESTAMP stay bare", { type: "int", default: "-1.5" }, true, "`c` int DEFAULT -1.5"],
  [
    "collation other than the table's brings the table's charset",
    { collation: "utf8mb4_bin" },
    false,
    "`c` varchar(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
  ],
  [
    "on update, auto-increment, comment",
    {
      type: "timestamp",
      nullable: false,
      default: "current_timestamp()",
      onUpdate: "current_timestamp()",
      comment: "it's",
    },
    false,
    "`c` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp() COMMENT 'it''s'",
  ],
  [
    "virtual generated",
    { type: "int(11)", generated: "`a` + 1", virtual: true },
    false,
    "`c` int(11) GENERATED ALWAYS AS (`a` + 1) VIRTUAL",
  ],
])("columnDef: %s", (_name, extra, mysql, sql) => {
  const d = mysql ? mysqlDialect : mariadbDialect;
  expect(columnDef(col(extra), table, { d, mysql })).toBe(sql);
});

test.each<[string, Parameters<typeof indexDef>[0], string]>([
  ["primary", { name: "PRIMARY", columns: ["id"], unique: true, primary: true }, "PRIMARY KEY (`id`)"],
  [
    "prefix, descending, comment",
    { name: "ix", columns: ["a", "b"], unique: false, lengths: [10, null], descending: [false, true], comment: "x" },
    "KEY `ix` (`a`(10),`b` DESC) COMMENT 'x'",
  ],
  ["fulltext", { name: "ft", columns: ["body"], unique: false, method: "FULLTEXT" }, "FULLTEXT KEY `ft` (`body`)"],
  ["unique hash", { name: "h", columns: ["blob"], unique: true, method: "HASH" }, "UNIQUE KEY `h` (`blob`) USING HASH"],
  ["MySQL 8 functional key part", { name: "f", columns: ["(lower(`a`))"], unique: false }, "KEY `f` ((lower(`a`)))"],
])("indexDef: %s", (_name, ix, sql) => {
  expect(indexDef(ix, mariadbDialect)).toBe(sql);
});

test.each<[string, string]>([
  [
    "CREATE DEFINER=`root`@`localhost` FUNCTION `f`() RETURNS int RETURN 1",
    "CREATE FUNCTION `f`() RETURNS int RETURN 1",
  ],
  [
    "CREATE ALGORITHM=UNDEFINED DEFINER=`a``b`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1",
    "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select 1",
  ],
  [
    "CREATE DEFINER='u'@'h' TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1",
    "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1",
  ],
  [
    "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1",
    "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1",
  ],
])("stripDefiner(%s)", (sql, stripped) => {
  expect(stripDefiner(sql)).toBe(stripped);
});

test("renderCreateStatements orders sequences, tables, foreign keys, routines, views by dependency, triggers", () => {
  const s: SchemaSnapshot = {
    version: 1,
    engine: "mariadb",
    serverVersion: "MariaDB 10.11.0",
    schemas: [{ name: "app" }],
    tables: [
      {
        ...table,
        columns: [col({ name: "id", type: "int(11)", nullable: false })],
        primaryKey: { columns: ["id"] },
        indexes: [{ name: "PRIMARY", columns: ["id"], unique: true, primary: true }],
        constraints: [
          {
            name: "t_self",
            kind: "foreign",
            definition: "FOREIGN KEY (`id`) REFERENCES `t` (`id`)",
            references: "app.t",
          },
        ],
      },
    ],
    objects: [
      {
        kind: "view",
        schema: "app",
        name: "a_view",
        dependsOn: ["app.b_view"],
        definition: "CREATE VIEW `a_view` AS select 1 from b_view",
      },
      {
        kind: "view",
        schema: "app",
        name: "b_view",
        dependsOn: ["app.t"],
        definition: "CREATE VIEW `b_view` AS select 1",
      },
      { kind: "trigger", schema: "app", name: "tr", table: "t", definition: "CREATE TRIGGER tr" },
      { kind: "function", schema: "app", name: "f", definition: "CREATE FUNCTION f" },
      { kind: "sequence", schema: "app", name: "s", definition: "CREATE SEQUENCE `s`" },
    ],
  };
  expect(renderCreateStatements(s)).toEqual([
    "CREATE SEQUENCE `s`",
    "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
    "ALTER TABLE `t` ADD CONSTRAINT `t_self` FOREIGN KEY (`id`) REFERENCES `t` (`id`)",
    "CREATE FUNCTION f",
    "CREATE VIEW `b_view` AS select 1",
    "CREATE VIEW `a_view` AS select 1 from b_view",
    "CREATE TRIGGER tr",
  ]);
});
