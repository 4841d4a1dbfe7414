// What the AI model is shown of a schema: names and types, comments only when the user opts in.
import { expect, test } from "bun:test";
import type { SchemaSnapshot } from "../../engines/index.ts";
import { schemaContext } from "./ai.ts";

const snapshot = {
  version: 1,
  engine: "postgresql",
  serverVersion: "PostgreSQL 15",
  capturedAt: "2026-11-26T00:00:00Z",
  schemas: [{ name: "public" }],
  tables: [
    {
      schema: "public",
      name: "users",
      comment: "people who\nsigned up",
      primaryKey: { columns: ["id"] },
      columns: [
        { name: "email", type: "text", nullable: true, ordinal: 2, comment: 'login; ask "ops"' },
        { name: "id", type: "bigint", nullable: false, ordinal: 1 },
      ],
      indexes: [],
      foreignKeys: [],
      checks: [],
      uniques: [],
    },
  ],
} as unknown as SchemaSnapshot;

test("names and types in column order, no comments by default", () => {
  expect(schemaContext(snapshot)).toBe("public.users(id bigint primary key not null, email text)");
});

test("comments when opted in, each on one line and quoted", () => {
  expect(schemaContext(snapshot, { comments: true })).toBe(
    'public.users(id bigint primary key not null, email text comment "login; ask \\"ops\\"") comment "people who signed up"',
  );
});
