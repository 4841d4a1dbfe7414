import { describe, expect, test } from "bun:test";
import { detectFormat, importMigrations } from "./index.ts";

const files = (o: Record<string, string>) => Object.entries(o).map(([name, content]) => ({ name, content }));

describe("format detection", () => {
  const cases: [string, Record<string, string>, string | null][] = [
    ["Flyway", { "V1__init.sql": "SELECT 1;" }, "flyway"],
    ["dbmate", { "20240101000000_init.sql": "-- migrate:up\nSELECT 1;\n" }, "dbmate"],
    ["golang-migrate", { "1_init.up.sql": "SELECT 1;", "1_init.down.sql": "SELECT 2;" }, "golang-migrate"],
    ["Liquibase", { "changelog.sql": "-- liquibase formatted sql\n--changeset a:1\nSELECT 1;\n" }, "liquibase-sql"],
    ["Atlas", { "atlas.sum": "h1:x\n", "20240101000000_init.sql": "SELECT 1;" }, "atlas"],
    ["none", { "notes.sql": "SELECT 1;" }, null],
  ];
  for (const [name, input, want] of cases) test(name, () => expect(detectFormat(files(input))).toBe(want as never));
});

describe("importMigrations", () => {
  test("a tool file whose text is not a valid Migratrix migration is refused naming the file", () => {
    expect(() => importMigrations(files({ "V1__x.sql": "SELECT 1;\n-- migratrix:bogus\n" }), "flyway")).toThrow(
      "V1__x.sql: ",
    );
  });
  test("an Atlas directory without its atlas.sum is refused", () => {
    expect(() => importMigrations(files({ "20240101000000_a.sql": "SELECT 1;" }), "atlas")).toThrow(
      "atlas.sum: missing",
    );
  });
});
