import { describe, expect, test } from "bun:test";
import { atlasSum, readAtlas } from "./atlas.ts";

// A real Atlas directory (github.com/1995parham-teaching/tinyurl, migrations/ at 5e349f9): the
// atlas.sum below is the one `atlas migrate diff` wrote, so this checks the h1 scheme byte for byte.
const A =
  '-- Create "urls" table\nCREATE TABLE "urls" ("key" text NOT NULL, "url" text NULL, "visits" bigint NULL, "expire" timestamptz NULL, "created_at" timestamptz NULL, "updated_at" timestamptz NULL, PRIMARY KEY ("key"));\n';
const B =
  '-- Modify "urls" table\nALTER TABLE "urls" ADD CONSTRAINT "chk_urls_expire" CHECK (expire > created_at), ADD CONSTRAINT "chk_urls_visits" CHECK (visits >= 0);\n-- Create index "idx_urls_url" to table: "urls"\nCREATE INDEX "idx_urls_url" ON "urls" ("url");\n';
const SUM =
  "h1:UKLUIELQ6N5aUY7pOonMrgvybz9G1vEibkHHFduRd4w=\n20230824215746.sql h1:bCLrrBfDa1o9dekkog8V3gdW8a2tdOHKYk/2MItd98g=\n20230824221251.sql h1:ub5YupUvbaPjSrOtcdVblbwSSFudPCzPajZLwOfl5lE=\n";

describe("Atlas directory reader", () => {
  test("atlasSum reproduces the atlas.sum Atlas wrote", () => {
    expect(
      atlasSum([
        { name: "20230824221251.sql", content: B },
        { name: "20230824215746.sql", content: A },
      ]),
    ).toEqual(SUM);
  });

  const cases: { name: string; files: Record<string, string>; want: unknown }[] = [
    {
      name: "a verified directory imports in name order, up only",
      files: { "atlas.sum": SUM, "20230824221251.sql": B, "20230824215746.sql": A },
      want: [
        {
          fileName: "20230824215746_migration.sql",
          content: `-- UP\n${A}`,
          source: "20230824215746.sql",
          key: "20230824215746",
        },
        {
          fileName: "20230824221251_migration.sql",
          content: `-- UP\n${B}`,
          source: "20230824221251.sql",
          key: "20230824221251",
        },
      ],
    },
    {
      name: "an edited file is refused, naming it",
      files: { "atlas.sum": SUM, "20230824215746.sql": A, "20230824221251.sql": `${B}-- edited\n` },
      want: "20230824221251.sql: checksum mismatch with atlas.sum",
    },
    {
      name: "a file missing from atlas.sum is refused, naming it",
      files: {
        "atlas.sum": SUM,
        "20230824215746.sql": A,
        "20230824221251.sql": B,
        "20230901000000_x.sql": "SELECT 1;\n",
      },
      want: "20230901000000_x.sql: not in atlas.sum",
    },
    {
      name: "a hand-edited atlas.sum is refused",
      files: { "atlas.sum": SUM.replace("UKLU", "AKLU"), "20230824215746.sql": A, "20230824221251.sql": B },
      want: "atlas.sum: its own h1 sum does not match its lines",
    },
    {
      name: "a listed file that is gone is refused",
      files: { "atlas.sum": SUM, "20230824215746.sql": A },
      want: "20230824221251.sql: listed in atlas.sum but missing from the directory",
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const files = Object.entries(c.files).map(([name, content]) => ({ name, content }));
      if (typeof c.want === "string") expect(() => readAtlas(files)).toThrow(c.want);
      else expect(readAtlas(files)).toEqual(c.want as never);
    });
  }
});
