import { describe, expect, test } from "bun:test";
import { parseMigrationFile } from "../../engines/migration/index.ts";
import { branchName, fileOfMigration, slugOf } from "./pr.ts";

describe("pull request naming", () => {
  test.each([
    ["20260101120000_add_users.sql", "add-users"],
    ["V1_2__Create Orders.sql", "create-orders"],
    ["001_init.up.sql", "init-up"],
    ["20260101120000_.sql", "migration"],
  ])("%s → %s", (file, slug) => {
    expect(slugOf(file)).toBe(slug);
  });

  test("branch migration-{timestamp}-{slug} in UTC", () => {
    expect(branchName("20260101120000_add_users.sql", new Date("2026-11-26T09:08:07.654Z"))).toBe(
      "migration-20261126090807-add-users",
    );
  });
});

describe("the file of a stored migration", () => {
  test.each([
    [
      { upSql: "create table a (id int);\n", downSql: "drop table a;\n" },
      "-- UP\ncreate table a (id int);\n-- DOWN\ndrop table a;\n",
    ],
    [{ upSql: "create table a (id int);", downSql: "" }, "-- UP\ncreate table a (id int);\n"],
  ])("%o", (m, file) => {
    expect(fileOfMigration(m)).toBe(file);
    // It parses back into the same sections.
    const parsed = parseMigrationFile(file, { fileName: "1_x.sql" });
    expect({ up: parsed.up.trimEnd(), down: (parsed.down ?? "").trimEnd() }).toEqual({
      up: m.upSql.trimEnd(),
      down: m.downSql.trimEnd(),
    });
  });
});
