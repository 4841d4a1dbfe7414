// generateDown for MariaDB from SQL and a snapshot, offline: statement in → inverse steps out.
import { expect, test } from "bun:test";
import type { SchemaSnapshot } from "../../schema/snapshot.ts";
import { generateDown } from "../generate.ts";

const snapshot: SchemaSnapshot = {
  version: 1,
  engine: "mariadb",
  serverVersion: "MariaDB 10.11",
  schemas: [{ name: "app" }],
  tables: [
    {
      schema: "app",
      name: "users",
      columns: [
        { name: "id", type: "int(11)", nullable: false, default: null, ordinal: 1, autoIncrement: true },
        {
          name: "email",
          type: "varchar(100)",
          nullable: false,
          default: null,
          ordinal: 2,
          charset: "latin1",
          collation: "latin1_bin",
          comment: "login",
        },
        { name: "name", type: "varchar(50)", nullable: true, default: "'anon'", ordinal: 3 },
        {
          name: "seen",
          type: "timestamp",
          nullable: false,
          default: "current_timestamp()",
          ordinal: 4,
          onUpdate: "current_timestamp()",
        },
      ],
      primaryKey: { columns: ["id"] },
      indexes: [
        { name: "PRIMARY", columns: ["id"], unique: true, primary: true },
        { name: "users_name_ix", columns: ["name", "email"], unique: false, lengths: [10, null] },
      ],
      constraints: [{ name: "users_email_ck", kind: "check", definition: "CHECK (`email` like '%@%')" }],
      options: { engine: "InnoDB", charset: "utf8mb4", collation: "utf8mb4_general_ci" },
    },
    {
      schema: "app",
      name: "log",
      columns: [{ name: "line", type: "text", nullable: true, default: null, ordinal: 1 }],
      primaryKey: null,
      indexes: [],
      options: { engine: "InnoDB", charset: "utf8mb4", collation: "utf8mb4_general_ci" },
    },
  ],
  objects: [
    { kind: "view", schema: "app", name: "v_users", definition: "CREATE VIEW `v_users` AS select `id` from `users`" },
  ],
};

const gen = (sql: string) => generateDown(sql, { engine: "mariadb", schemaBefore: snapshot, migrationId: "m1" });
const BK = "`migratrix_backup`.`app__m1__s1`";

const CASES: Array<{ name: string; up: string; sql: string[]; reversibility: string; reason?: string }> = [
  { name: "create table", up: "CREATE TABLE t (id int PRIMARY KEY)", sql: ["DROP TABLE `t`"], reversibility: "exact" },
  {
    name: "add column, then index it: both undone in reverse",
    up: "ALTER TABLE users ADD COLUMN phone varchar(20) AFTER email, ADD INDEX users_phone_ix (phone)",
    sql: ["ALTER TABLE `users` DROP KEY `users_phone_ix`", "ALTER TABLE `users` DROP COLUMN `phone`"],
    reversibility: "exact",
  },
  {
    name: "drop column: re-added in place with its whole definition, index rebuilt, values restored",
    up: "ALTER TABLE users DROP COLUMN email",
    sql: [
      "ALTER TABLE `users` ADD COLUMN `email` varchar(100) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL COMMENT 'login' AFTER `id`, DROP KEY `users_name_ix`, ADD KEY `users_name_ix` (`name`(10),`email`)",
      `UPDATE \`users\` AS t JOIN ${BK} AS b ON t.\`id\` = b.\`id\` SET t.\`email\` = b.\`email\`, t.\`seen\` = t.\`seen\``,
    ],
    reversibility: "exact",
  },
  {
    name: "set default: the previous definition back",
    up: "ALTER TABLE users ALTER COLUMN name SET DEFAULT 'x'",
    sql: ["ALTER TABLE `users` MODIFY COLUMN `name` varchar(50) DEFAULT 'anon'"],
    reversibility: "exact",
  },
  {
    name: "type change: definition and values back",
    up: "ALTER TABLE users MODIFY name varchar(5)",
    sql: [
      "ALTER TABLE `users` CHANGE COLUMN `name` `name` varchar(50) DEFAULT 'anon' AFTER `email`",
      `UPDATE \`users\` AS t JOIN ${BK} AS b ON t.\`id\` = b.\`id\` SET t.\`name\` = b.\`name\`, t.\`seen\` = t.\`seen\``,
    ],
    reversibility: "exact",
  },
  {
    name: "drop check and view: re-created from the snapshot",
    up: "ALTER TABLE users DROP CONSTRAINT users_email_ck",
    sql: ["ALTER TABLE `users` ADD CONSTRAINT `users_email_ck` CHECK (`email` like '%@%')"],
    reversibility: "exact",
  },
  {
    name: "drop view",
    up: "DROP VIEW v_users",
    sql: ["CREATE VIEW `v_users` AS select `id` from `users`"],
    reversibility: "exact",
  },
  {
    name: "rename table",
    up: "RENAME TABLE users TO people",
    sql: ["RENAME TABLE `people` TO `users`"],
    reversibility: "exact",
  },
  {
    name: "delete: rows re-inserted from the backup",
    up: "DELETE FROM users WHERE id > 10",
    sql: [
      `INSERT INTO \`users\` (\`id\`, \`email\`, \`name\`, \`seen\`) SELECT \`id\`, \`email\`, \`name\`, \`seen\` FROM ${BK}`,
    ],
    reversibility: "exact",
  },
  {
    name: "insert with constant keys: deleted by key; the AUTO_INCREMENT counter stays",
    up: "INSERT INTO users (id, email) VALUES (7, 'a@b'), (8, 'c@d')",
    sql: ["DELETE FROM `users` WHERE `id` IN (7, 8)"],
    reversibility: "partly",
    reason: "the AUTO_INCREMENT counter of users is not moved back",
  },
  {
    name: "update without a primary key: irreversible, with its reason",
    up: "UPDATE log SET line = 'x'",
    sql: [],
    reversibility: "irreversible",
    reason: "UPDATE on log: the table has no primary key to key its backup by",
  },
  {
    name: "an unnamed CHECK: irreversible, it gets a server-chosen name",
    up: "ALTER TABLE users ADD CHECK (id > 0)",
    sql: [],
    reversibility: "irreversible",
    reason: "an unnamed CHECK gets a server-chosen name; name it (CONSTRAINT name CHECK …) to make it reversible",
  },
  {
    name: "a statement kind without an inverse",
    up: "GRANT SELECT ON users TO 'u'@'%'",
    sql: [],
    reversibility: "irreversible",
    reason: "no inverse is known for GRANT statements",
  },
];

for (const c of CASES) {
  test(c.name, async () => {
    const d = await gen(c.up);
    const [step] = d.steps;
    expect({ sql: step?.sql, reversibility: step?.reversibility, reason: step?.reason, problems: d.problems }).toEqual({
      sql: c.sql,
      reversibility: c.reversibility as "exact",
      reason: c.reason,
      problems: [],
    });
  });
}

test("backups are named with the database and registered with what they copy", async () => {
  const d = await gen("UPDATE users SET name = 'z' WHERE id = 1");
  expect(d.backups).toEqual([
    {
      upIndex: 1,
      backupTable: "app__m1__s1",
      source: { schema: "app", name: "users" },
      columns: ["id", "name", "seen"],
      from: "`users` WHERE id = 1",
      keyColumns: ["id"],
      reason: "UPDATE",
    },
  ]);
});

test("only statements that may destroy data are backup gaps (they stop the run); the rest are only irreversible", async () => {
  const d = await gen(
    "CREATE SEQUENCE s;\nALTER DATABASE app CHARACTER SET utf8mb4;\nDROP DATABASE other;\nGRANT SELECT ON users TO 'u'@'%'",
  );
  expect({
    steps: d.steps.map((s) => [s.upIndex, s.reversibility]),
    gaps: d.backupGaps,
  }).toEqual({
    steps: [
      [4, "irreversible"],
      [3, "irreversible"],
      [2, "irreversible"],
      [1, "irreversible"],
    ],
    gaps: [{ upIndex: 3, reason: "no inverse is known for DROP DATABASE" }],
  });
});
