import { expect, test } from "bun:test";
import { backupTableName } from "./backup-names.ts";

test.each([
  ["20260101090000_create_customers", 3, 0, "20260101090000_create_customers__s3"],
  ["20260101090000_create_customers", 3, 1, "20260101090000_create_customers__s3_1"],
  ["Mixed-Case id", 1, 0, "mixed_case_id_080d0972__s1"],
  [`2026_${"x".repeat(80)}`, 12, 0, `2026_${"x".repeat(44)}_b40946c7__s12`],
])("backupTableName(%p, %p, %p) = %p", (id, index, nth, want) => {
  const got = backupTableName(id, index, nth);
  expect({ got: got.replace(/_[0-9a-f]{8}__/, "_HASH__"), fits: Buffer.byteLength(got) <= 63 }).toEqual({
    got: want.replace(/_[0-9a-f]{8}__/, "_HASH__"),
    fits: true,
  });
});

test("different long ids never share a backup table", () => {
  const long = "y".repeat(70);
  expect(backupTableName(`${long}a`, 1, 0)).not.toBe(backupTableName(`${long}b`, 1, 0));
});
