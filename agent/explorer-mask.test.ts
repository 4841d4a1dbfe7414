import { describe, expect, test } from "bun:test";
import {
  checkLeaks,
  compileRules,
  identifierTokens,
  type MaskRule,
  maskValue,
  type OutputColumn,
  ruleFor,
} from "./explorer-mask.ts";

const key = new TextEncoder().encode("k".repeat(32));
const email: MaskRule = { pattern: "*.email", kind: "hash", keepLast: 0 };
const ssn: MaskRule = { pattern: "users.ssn", kind: "partial", keepLast: 4 };
const phone: MaskRule = { pattern: "public.*.phone", kind: "full", keepLast: 0 };
const rules = compileRules([email, ssn, phone]);

describe("ruleFor", () => {
  test.each([
    [{ schema: "public", table: "users", column: "email" }, email],
    [{ schema: "public", table: "orders", column: "EMAIL" }, email],
    [{ schema: "public", table: "users", column: "ssn" }, ssn],
    [{ schema: "public", table: "people", column: "ssn" }, undefined],
    [{ schema: "public", table: "people", column: "phone" }, phone],
    [{ schema: "crm", table: "people", column: "phone" }, undefined],
    // No table known (SQLite): the name decides, the safe way.
    [{ column: "ssn" }, ssn],
    [{ column: "name" }, undefined],
  ])("%o → %o", (src, want) => {
    expect(ruleFor(rules, src)).toEqual(want);
  });
});

test("maskValue: full, partial, hash (stable, keyed), null", () => {
  expect([
    maskValue(email, "a@b.c", key) === maskValue(email, "a@b.c", new TextEncoder().encode("k".repeat(32))),
    maskValue(email, "a@b.c", key) === maskValue(email, "a@b.c", new TextEncoder().encode("other")),
    maskValue(ssn, "123-45-6789", key),
    maskValue(ssn, "12", key),
    maskValue(phone, "555", key),
    maskValue({ pattern: "x", kind: "null", keepLast: 0 }, "v", key),
    maskValue(email, null, key),
    maskValue(email, "a@b.c", key)?.length,
  ]).toEqual([true, false, "***6789", "***", "***", null, null, 16]);
});

test("identifierTokens skips literals and comments, unquotes identifiers", () => {
  expect(
    identifierTokens(`select "E""x", \`b\`, c -- email\n from t where d = 'email' /* ssn */ and $$ssn$$ = e`),
  ).toEqual(["select", 'E"x', "b", "c", "from", "t", "where", "d", "and", "e"]);
});

describe("checkLeaks", () => {
  const col = (name: string, column?: string): OutputColumn =>
    column ? { name, type: "text", source: { schema: "public", table: "users", column } } : { name, type: "text" };
  const run = (sql: string, columns: OutputColumn[], traces = true, tables: string[] = ["public.users"]) => {
    const masks = columns.map((c) => ruleFor(rules, c.source ?? { column: c.name }));
    try {
      checkLeaks(rules, { texts: [sql], columns, masks, tablesWithMaskedColumns: tables, userFunctions: [], traces });
      return "ok";
    } catch (e) {
      return (e as { code: string }).code;
    }
  };
  test.each([
    ["plain masked column", "select email from users", [col("email", "email")], true, "ok"],
    ["alias", "select email as e from users", [col("e", "email")], true, "ok"],
    ["star", "select * from users", [col("id", "id"), col("email", "email")], true, "ok"],
    ["expression", "select lower(email) from users", [col("lower")], true, "permission_denied"],
    ["filter", "select id from users where email = 'x'", [col("id", "id")], true, "permission_denied"],
    ["second copy", "select email, email as e2 from users", [col("email", "email")], true, "permission_denied"],
    ["untraced next to masked table", "select count(*) from users", [col("count")], true, "permission_denied"],
    ["sqlite by name", "select email from users", [col("email")], false, "ok"],
    ["sqlite alias", "select email as e from users", [col("e")], false, "permission_denied"],
    ["sqlite star", "select * from users", [col("id"), col("email")], false, "ok"],
  ])("%s", (_what, sql, columns, traces, want) => {
    expect(run(sql, columns, traces)).toBe(want);
  });
});
