// The readable diff text (golden) and the small pure helpers behind the noise filters and hints.
import { expect, test } from "bun:test";
import { postgresDialect } from "../postgres/dialect.ts";
import { diffSchemas } from "./compare.ts";
import { col, snap, table, view } from "./fixtures.ts";
import { anonymousIndexDef, globToRegExp, normalizeBody, withoutStart } from "./normalize.ts";
import { parseRenames } from "./renames.ts";
import { renderDiffText } from "./render.ts";

const quote = postgresDialect.quoteIdent;

test("text groups a table's parts under it and says what changed", () => {
  const source = snap(
    [
      table(
        "users",
        [col("id", "integer", { nullable: false }), col("email", "text", { nullable: false }), col("nick", "text")],
        {
          comment: "people",
        },
      ),
      table("orders", [col("id", "integer")]),
    ],
    [view("v", "SELECT 1", [])],
  );
  const target = snap([
    table("users", [
      col("id", "integer", { nullable: false }),
      col("email", "character varying(100)"),
      col("old", "text"),
    ]),
    table("legacy", [col("x", "integer")]),
  ]);
  expect(renderDiffText(diffSchemas(source, target, { quote }))).toBe(
    [
      "~ table public.users",
      "    public.users comment: none → people",
      "    ~ column email",
      "        users.email: NULL → NOT NULL",
      "        users.email: character varying(100) → text",
      "    + column nick text",
      "    - column old",
      "+ table public.orders",
      "- table public.legacy",
      "+ view public.v",
      "7 differences (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
    ].join("\n"),
  );
  expect(renderDiffText(diffSchemas(source, source, { quote }))).toBe("No differences.");
});

test.each([
  ["comments and runs of whitespace go", "SELECT  a,\n  b -- why\nFROM /* c */ t", "SELECT a, b FROM t"],
  ["string literals keep their spaces and dashes", "SELECT '  -- x  '", "SELECT '  -- x  '"],
  ["quoted identifiers keep theirs", `SELECT "a  b"  FROM t`, `SELECT "a  b" FROM t`],
])("normalizeBody: %s", (_name, text, want) => {
  expect(normalizeBody(text)).toBe(want);
});

test("anonymousIndexDef, withoutStart and globs", () => {
  expect(anonymousIndexDef("CREATE UNIQUE INDEX t_a_idx1 ON public.t USING btree (a)", "t_a_idx1", quote)).toBe(
    "CREATE UNIQUE INDEX _ ON public.t USING btree (a)",
  );
  expect(anonymousIndexDef('CREATE INDEX "Odd" ON public.t USING btree (a)', "Odd", quote)).toBe(
    "CREATE INDEX _ ON public.t USING btree (a)",
  );
  expect(withoutStart("CREATE SEQUENCE s AS integer INCREMENT BY 1 START WITH 500 CACHE 1")).toBe(
    "CREATE SEQUENCE s AS integer INCREMENT BY 1 CACHE 1",
  );
  expect(
    ["public.users", "public.user", "app.users", "public.u.x"].filter((p) => globToRegExp("public.user?").test(p)),
  ).toEqual(["public.users"]);
});

test("parseRenames resolves short hints against the snapshots", () => {
  const target = snap([table("users", [col("email", "text")])]);
  const source = snap([table("customers", [col("mail", "text")])]);
  expect(
    parseRenames("users=customers, customers.email=mail, public.users.email=public.users.x", source, target),
  ).toEqual([
    { from: "public.users", to: "public.customers" },
    { from: "public.customers.email", to: "public.customers.mail" },
    { from: "public.users.email", to: "public.users.x" },
  ]);
  expect(() => parseRenames("users", source, target)).toThrow("--rename: 'users' is not old=new");
});
