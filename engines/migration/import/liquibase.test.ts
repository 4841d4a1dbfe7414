import { describe, expect, test } from "bun:test";
import { readLiquibase } from "./liquibase.ts";

const CHANGELOG = `--liquibase formatted sql

--changeset alice:create-users
--comment: the users table
CREATE TABLE users (id int);
--rollback DROP TABLE users;

--changeset bob:seed runOnChange:true
INSERT INTO users VALUES (1);
--rollback not required

--changeset "carol smith":add-email
ALTER TABLE users ADD email text;
/* liquibase rollback
ALTER TABLE users DROP email;
*/
`;

describe("Liquibase formatted SQL reader", () => {
  const cases: { name: string; files: Record<string, string>; want: unknown }[] = [
    {
      name: "one migration per changeset, numbered across files in name order; rollbacks are the down",
      files: {
        "changelog-1.sql": CHANGELOG,
        "changelog-2.sql": "--liquibase formatted sql\n--changeset alice:Index_1\nCREATE INDEX i ON users (id);\n",
        "notes.sql": "SELECT 'not a changelog';\n",
      },
      want: [
        {
          fileName: "001_create_users.sql",
          content: "-- UP\nCREATE TABLE users (id int);\n-- DOWN\nDROP TABLE users;\n",
          source: "changelog-1.sql:3",
          key: "alice:create-users",
        },
        {
          fileName: "002_seed.sql",
          content: "-- UP\nINSERT INTO users VALUES (1);\n",
          source: "changelog-1.sql:8",
          key: "bob:seed",
        },
        {
          fileName: "003_add_email.sql",
          content: "-- UP\nALTER TABLE users ADD email text;\n-- DOWN\nALTER TABLE users DROP email;\n",
          source: "changelog-1.sql:12",
          key: "carol smith:add-email",
        },
        {
          fileName: "004_index_1.sql",
          content: "-- UP\nCREATE INDEX i ON users (id);\n",
          source: "changelog-2.sql:2",
          key: "alice:Index_1",
        },
      ],
    },
    {
      name: "a repeated author:id is refused naming both places",
      files: { "a.sql": "--liquibase formatted sql\n--changeset a:1\nSELECT 1;\n--changeset a:1\nSELECT 2;\n" },
      want: "a.sql:4: changeset a:1 is also defined at a.sql:2",
    },
    {
      name: "SQL before the first changeset is refused with its line",
      files: { "a.sql": "--liquibase formatted sql\nSELECT 1;\n--changeset a:1\nSELECT 2;\n" },
      want: "a.sql:2: SQL before the first --changeset line",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const files = Object.entries(c.files).map(([name, content]) => ({ name, content }));
      if (typeof c.want === "string") expect(() => readLiquibase(files)).toThrow(c.want);
      else expect(readLiquibase(files)).toEqual(c.want as never);
    });
  }
});
