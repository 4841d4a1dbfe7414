import { expect, test } from "bun:test";
import type { SchemaSnapshot } from "../../engines/index.ts";
import { createOutput } from "../output.ts";
import { summariseSnapshot } from "./schema.ts";

test("a snapshot reads as tables with their columns, keys and indexes", () => {
  const out = createOutput({ stdout: { write: () => 0 }, stderr: { write: () => 0 }, env: {}, json: false });
  const snapshot: SchemaSnapshot = {
    version: 1,
    engine: "postgresql",
    serverVersion: "PostgreSQL 15.8",
    schemas: [{ name: "public" }],
    tables: [
      {
        schema: "public",
        name: "customers",
        columns: [
          { name: "id", type: "bigint", nullable: false, default: null, ordinal: 1 },
          { name: "email", type: "text", nullable: false, default: null, ordinal: 2 },
          { name: "created_at", type: "timestamp with time zone", nullable: true, default: "now()", ordinal: 3 },
        ],
        primaryKey: { name: "customers_pkey", columns: ["id"] },
        indexes: [
          { name: "customers_pkey", columns: ["id"], unique: true, primary: true },
          { name: "customers_email_key", columns: ["lower(email)"], unique: true },
        ],
      },
      { schema: "public", name: "empty", columns: [], primaryKey: null, indexes: [] },
    ],
  };
  expect(summariseSnapshot(out, "dev/main", snapshot).split("\n")).toEqual([
    "dev/main  postgresql (PostgreSQL 15.8)  2 tables",
    "",
    "public.customers",
    "  id          bigint                    primary key, not null",
    "  email       text                      not null",
    "  created_at  timestamp with time zone  default now()",
    "  unique index customers_email_key (lower(email))",
    "",
    "public.empty",
  ]);
});
