import { expect, test } from "bun:test";
import type { SchemaSnapshot } from "../schema/index.ts";
import { type Effect, effectOf } from "./doubt.ts";

const col = (name: string, ordinal: number) => ({ name, ordinal, type: "int", nullable: true });
const snap = {
  version: 1,
  engine: "mysql",
  serverVersion: "test",
  schemas: [{ name: "app" }],
  tables: [
    {
      schema: "app",
      name: "customers",
      columns: [col("id", 1), col("email", 2)],
      primaryKey: null,
      indexes: [{ name: "customers_email_uq", columns: ["email"], unique: true }],
    },
  ],
} as unknown as SchemaSnapshot;

const cases: [string, Effect][] = [
  ["CREATE TABLE customers (id INT)", "present"],
  ["create table if not exists `app`.`orders` (id int)", "absent"],
  ['CREATE TABLE "Customers" (id int)', "present"],
  ["DROP TABLE orders", "present"],
  ["DROP TABLE customers", "absent"],
  ["DROP TABLE a, b", "unknown"],
  ["CREATE UNIQUE INDEX customers_email_uq ON customers (email)", "present"],
  ["CREATE INDEX CONCURRENTLY orders_idx ON orders (id)", "absent"],
  ["DROP INDEX customers_email_uq ON customers", "absent"],
  ["DROP INDEX gone_idx", "present"],
  ["ALTER TABLE customers ADD COLUMN email VARCHAR(255)", "present"],
  ["ALTER TABLE customers ADD last_seen TIMESTAMP", "absent"],
  ["ALTER TABLE customers DROP COLUMN last_seen", "present"],
  ["ALTER TABLE customers DROP COLUMN email", "absent"],
  ["ALTER TABLE customers ADD COLUMN a INT, ADD COLUMN b INT", "unknown"],
  ["ALTER TABLE missing ADD COLUMN a INT", "unknown"],
  ["-- a comment first\nCREATE TABLE customers (id INT)", "present"],
  ["INSERT INTO customers VALUES (1, 'a')", "unknown"],
  ["UPDATE customers SET email = lower(email)", "unknown"],
];

test.each(cases)("%s → %s", (sql, want) => {
  expect(effectOf(sql, snap)).toBe(want);
});
