import { expect, test } from "bun:test";
import { type ErrorCode, MigratrixError } from "../../common/errors.ts";
import { normalizeSnapshot, type SchemaSnapshot, snapshotFromJson, snapshotToJson } from "./snapshot.ts";

const messy: SchemaSnapshot = {
  version: 1,
  engine: "postgresql",
  serverVersion: "PostgreSQL 15.8",
  schemas: [{ name: "public" }, { name: "app" }],
  tables: [
    {
      schema: "public",
      name: "b",
      columns: [
        { name: "y", type: "text", nullable: true, default: null, ordinal: 4 },
        { name: "x", type: "integer", nullable: false, default: null, ordinal: 1 },
      ],
      primaryKey: { name: "b_pkey", columns: ["x"] },
      indexes: [
        { name: "b_y", columns: ["y"], unique: false },
        { name: "b_pkey", columns: ["x"], unique: true, primary: true },
      ],
    },
    { schema: "app", name: "a", columns: [], primaryKey: null, indexes: [] },
    { schema: "public", name: "B", columns: [], primaryKey: null, indexes: [] },
  ],
};

test("normalizeSnapshot sorts by code unit and renumbers ordinals densely", () => {
  expect(normalizeSnapshot(messy)).toEqual({
    ...messy,
    schemas: [{ name: "app" }, { name: "public" }],
    tables: [
      { schema: "app", name: "a", columns: [], primaryKey: null, indexes: [] },
      { schema: "public", name: "B", columns: [], primaryKey: null, indexes: [] },
      {
        schema: "public",
        name: "b",
        columns: [
          { name: "x", type: "integer", nullable: false, default: null, ordinal: 1 },
          { name: "y", type: "text", nullable: true, default: null, ordinal: 2 },
        ],
        primaryKey: { name: "b_pkey", columns: ["x"] },
        indexes: [
          { name: "b_pkey", columns: ["x"], unique: true, primary: true },
          { name: "b_y", columns: ["y"], unique: false },
        ],
      },
    ],
  });
});

test("JSON round trip gives the normalised snapshot back", () => {
  expect(snapshotFromJson(snapshotToJson(messy))).toEqual(normalizeSnapshot(messy));
});

test.each<[string, string, ErrorCode]>([
  ["not JSON", "{", "invalid_argument"],
  ["no version", "{}", "invalid_argument"],
  ["a newer version", '{"version": 2, "engine": "sqlite", "schemas": [], "tables": []}', "unimplemented"],
  ["missing tables", '{"version": 1, "engine": "sqlite", "schemas": []}', "invalid_argument"],
])("snapshotFromJson refuses %s", (_name, text, code) => {
  let err: unknown;
  try {
    snapshotFromJson(text);
  } catch (e) {
    err = e;
  }
  expect({ isError: err instanceof MigratrixError, code: (err as MigratrixError).code }).toEqual({
    isError: true,
    code,
  });
});

test("normalizeSnapshot sorts extensions by name and keeps the optional parts of tables", () => {
  const withExtras: SchemaSnapshot = {
    ...messy,
    tables: [
      { ...(messy.tables[0] as SchemaSnapshot["tables"][number]), comment: "b table", options: { strict: "true" } },
    ],
    extensions: [
      { name: "pg_trgm", schema: "public", version: "1.6" },
      { name: "citext", schema: "public", version: "1.6" },
    ],
  };
  const n = normalizeSnapshot(withExtras);
  expect({ extensions: n.extensions, comment: n.tables[0]?.comment, options: n.tables[0]?.options }).toEqual({
    extensions: [
      { name: "citext", schema: "public", version: "1.6" },
      { name: "pg_trgm", schema: "public", version: "1.6" },
    ],
    comment: "b table",
    options: { strict: "true" },
  });
  expect(snapshotFromJson(snapshotToJson(withExtras))).toEqual(n);
});
