import { describe, expect, test } from "bun:test";
import { readGolangMigrate } from "./golang-migrate.ts";

describe("golang-migrate reader", () => {
  const cases: { name: string; files: Record<string, string>; want: unknown }[] = [
    {
      name: "pairs in numeric order, ids zero-padded so name order is numeric order",
      files: {
        "10_add_index.up.sql": "CREATE INDEX i ON t (a);\n",
        "2_add_col.up.sql": "ALTER TABLE t ADD b int;\n",
        "2_add_col.down.sql": "ALTER TABLE t DROP b;\n",
        "1_init.up.sql": "CREATE TABLE t (a int);\n",
        "1_init.down.sql": "DROP TABLE t;\n",
      },
      want: [
        {
          fileName: "001_init.sql",
          content: "-- UP\nCREATE TABLE t (a int);\n-- DOWN\nDROP TABLE t;\n",
          source: "1_init.up.sql + 1_init.down.sql",
          key: "1",
        },
        {
          fileName: "002_add_col.sql",
          content: "-- UP\nALTER TABLE t ADD b int;\n-- DOWN\nALTER TABLE t DROP b;\n",
          source: "2_add_col.up.sql + 2_add_col.down.sql",
          key: "2",
        },
        {
          fileName: "010_add_index.sql",
          content: "-- UP\nCREATE INDEX i ON t (a);\n",
          source: "10_add_index.up.sql",
          key: "10",
        },
      ],
    },
    {
      name: "a down file without its up file is refused",
      files: { "1_a.up.sql": "SELECT 1;", "2_b.down.sql": "SELECT 2;" },
      want: "2_b.down.sql: version 2 has a .down.sql file but no .up.sql file",
    },
    {
      name: "two up files for one version are refused",
      files: { "1_a.up.sql": "SELECT 1;", "01_b.up.sql": "SELECT 2;" },
      want: "01_b.up.sql: version 1 already has a .up.sql file: 1_a.up.sql",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const files = Object.entries(c.files).map(([name, content]) => ({ name, content }));
      if (typeof c.want === "string") expect(() => readGolangMigrate(files)).toThrow(c.want);
      else expect(readGolangMigrate(files)).toEqual(c.want as never);
    });
  }
});
