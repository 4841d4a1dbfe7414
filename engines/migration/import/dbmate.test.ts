import { describe, expect, test } from "bun:test";
import { readDbmate } from "./dbmate.ts";

describe("dbmate reader", () => {
  const cases: { name: string; files: Record<string, string>; want: unknown }[] = [
    {
      name: "up and down sections, in version order; an empty down is no down",
      files: {
        "20240102000000_add_email.sql":
          "-- migrate:up\nALTER TABLE users ADD email text;\n\n-- migrate:down\nALTER TABLE users DROP email;\n",
        "20240101000000_create_users.sql":
          "-- migrate:up transaction:false\nCREATE TABLE users (id int);\n-- migrate:down\n\n",
      },
      want: [
        {
          fileName: "20240101000000_create_users.sql",
          content: "-- UP\nCREATE TABLE users (id int);\n",
          source: "20240101000000_create_users.sql",
          key: "20240101000000",
        },
        {
          fileName: "20240102000000_add_email.sql",
          content: "-- UP\nALTER TABLE users ADD email text;\n-- DOWN\nALTER TABLE users DROP email;\n",
          source: "20240102000000_add_email.sql",
          key: "20240102000000",
        },
      ],
    },
    {
      name: "a file without -- migrate:up is refused",
      files: { "20240101000000_x.sql": "CREATE TABLE t (a int);\n" },
      want: '20240101000000_x.sql: no "-- migrate:up" line',
    },
    {
      name: "down before up is refused",
      files: { "1_x.sql": "-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t (a int);\n" },
      want: '1_x.sql: "-- migrate:down" comes before "-- migrate:up"',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const files = Object.entries(c.files).map(([name, content]) => ({ name, content }));
      if (typeof c.want === "string") expect(() => readDbmate(files)).toThrow(c.want);
      else expect(readDbmate(files)).toEqual(c.want as never);
    });
  }
});
