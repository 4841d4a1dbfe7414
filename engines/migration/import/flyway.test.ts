import { describe, expect, test } from "bun:test";
import { readFlyway } from "./flyway.ts";

describe("Flyway reader", () => {
  const cases: { name: string; files: Record<string, string>; want: unknown }[] = [
    {
      name: "versions in numeric order, undo scripts become the down section, others ignored",
      files: {
        "V10__add_index.sql": "CREATE INDEX i ON t (a);\n",
        "V2__add_col.sql": "ALTER TABLE t ADD b int;\n\n",
        "V1_1__seed.sql": "INSERT INTO t VALUES (1);\n",
        "V1__init.sql": "CREATE TABLE t (a int);\n",
        "U1__init.sql": "DROP TABLE t;\n",
        "R__views.sql": "CREATE VIEW v AS SELECT 1;\n",
      },
      want: [
        {
          fileName: "V1__init.sql",
          content: "-- UP\nCREATE TABLE t (a int);\n-- DOWN\nDROP TABLE t;\n",
          source: "V1__init.sql + U1__init.sql",
          key: "1",
        },
        {
          fileName: "V1_1__seed.sql",
          content: "-- UP\nINSERT INTO t VALUES (1);\n",
          source: "V1_1__seed.sql",
          key: "1.1",
        },
        {
          fileName: "V2__add_col.sql",
          content: "-- UP\nALTER TABLE t ADD b int;\n",
          source: "V2__add_col.sql",
          key: "2",
        },
        {
          fileName: "V10__add_index.sql",
          content: "-- UP\nCREATE INDEX i ON t (a);\n",
          source: "V10__add_index.sql",
          key: "10",
        },
      ],
    },
    {
      name: "characters Migratrix ids refuse become underscores",
      files: { "V3__add users table.sql": "SELECT 1;" },
      want: [
        {
          fileName: "V3__add_users_table.sql",
          content: "-- UP\nSELECT 1;\n",
          source: "V3__add users table.sql",
          key: "3",
        },
      ],
    },
    {
      name: "two files with one version are refused",
      files: { "V1__a.sql": "SELECT 1;", "V1_0__b.sql": "SELECT 2;" },
      want: "V1_0__b.sql: Flyway version 1 is also used by V1__a.sql",
    },
    {
      name: "an undo script without its migration is refused",
      files: { "V1__a.sql": "SELECT 1;", "U2__b.sql": "SELECT 2;" },
      want: "U2__b.sql: undo script without a V2__ migration",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const files = Object.entries(c.files).map(([name, content]) => ({ name, content }));
      if (typeof c.want === "string") expect(() => readFlyway(files)).toThrow(c.want);
      else expect(readFlyway(files)).toEqual(c.want as never);
    });
  }
});
