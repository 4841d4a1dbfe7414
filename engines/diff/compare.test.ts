// diffSchemas on snapshots, table-driven: source and target in, the whole list of changes out.
import { describe, expect, test } from "bun:test";
import { postgresDialect } from "../postgres/dialect.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { diffSchemas } from "./compare.ts";
import { col, snap, table, view } from "./fixtures.ts";
import type { ChangeAction, ChangeKind, DiffOptions, FieldChange } from "./model.ts";

const quote = postgresDialect.quoteIdent;
type Summary = {
  kind: ChangeKind;
  action: ChangeAction;
  name: string;
  table?: string;
  from?: string;
  fields: FieldChange[];
};

interface Case {
  name: string;
  source: SchemaSnapshot;
  target: SchemaSnapshot;
  opts?: DiffOptions;
  changes: Summary[];
}

const users = (cols = [col("id", "integer", { nullable: false }), col("email", "character varying(100)")]) =>
  table("users", cols);
const ix = (name: string, cols: string) => ({
  name,
  columns: [cols],
  unique: false,
  definition: `CREATE INDEX ${name} ON public.users USING btree (${cols})`,
});
const check = (name: string, def: string) => ({ name, kind: "check" as const, definition: def });
const fn = (body: string) => ({
  kind: "function" as const,
  schema: "public",
  name: "f",
  signature: "x integer",
  definition: `CREATE OR REPLACE FUNCTION public.f(x integer)\n RETURNS integer\n LANGUAGE sql\nAS $function$${body}$function$`,
});

const CASES: Case[] = [
  { name: "equal schemas", source: snap([users()]), target: snap([users()]), changes: [] },
  {
    name: "column type and nullability, before → after",
    source: snap([users([col("id", "integer", { nullable: false }), col("email", "text", { nullable: false })])]),
    target: snap([users()]),
    changes: [
      {
        kind: "column",
        action: "changed",
        table: "users",
        name: "email",
        fields: [
          { field: "nullable", before: true, after: false },
          { field: "type", before: "character varying(100)", after: "text" },
        ],
      },
    ],
  },
  {
    name: "columns added and dropped; identity and generated compared",
    source: snap([
      users([
        col("id", "integer", { nullable: false, identity: "always" }),
        col("email", "character varying(100)"),
        col("n", "integer", { generated: "(id * 2)" }),
      ]),
    ]),
    target: snap([
      users([col("id", "integer", { nullable: false }), col("email", "character varying(100)"), col("old", "text")]),
    ]),
    changes: [
      {
        kind: "column",
        action: "changed",
        table: "users",
        name: "id",
        fields: [{ field: "identity", before: null, after: "always" }],
      },
      { kind: "column", action: "added", table: "users", name: "n", fields: [] },
      { kind: "column", action: "dropped", table: "users", name: "old", fields: [] },
    ],
  },
  {
    name: "column order is noise by default",
    source: snap([table("t", [col("a", "text"), col("b", "text")])]),
    target: snap([table("t", [col("b", "text"), col("a", "text")])]),
    changes: [],
  },
  {
    name: "column order counts with its filter off",
    source: snap([table("t", [col("a", "text"), col("b", "text")])]),
    target: snap([table("t", [col("b", "text"), col("a", "text")])]),
    opts: { noFilter: ["column-order"] },
    changes: [
      { kind: "column", action: "changed", table: "t", name: "a", fields: [{ field: "ordinal", before: 2, after: 1 }] },
      { kind: "column", action: "changed", table: "t", name: "b", fields: [{ field: "ordinal", before: 1, after: 2 }] },
    ],
  },
  {
    name: "collation is noise by default",
    source: snap([table("t", [col("a", "text", { collation: "C" })])]),
    target: snap([table("t", [col("a", "text")])]),
    changes: [],
  },
  {
    name: "generated index names match by definition",
    source: snap([table("users", users().columns, { indexes: [ix("users_email_idx", "email")] })]),
    target: snap([table("users", users().columns, { indexes: [ix("users_email_idx1", "email")] })]),
    changes: [],
  },
  {
    name: "generated index names count with the filter off",
    source: snap([table("users", users().columns, { indexes: [ix("users_email_idx", "email")] })]),
    target: snap([table("users", users().columns, { indexes: [ix("users_email_idx1", "email")] })]),
    opts: { noFilter: ["generated-names"] },
    changes: [
      { kind: "index", action: "added", table: "users", name: "users_email_idx", fields: [] },
      { kind: "index", action: "dropped", table: "users", name: "users_email_idx1", fields: [] },
    ],
  },
  {
    name: "same index name, other definition: changed",
    source: snap([table("users", users().columns, { indexes: [ix("users_x", "email")] })]),
    target: snap([table("users", users().columns, { indexes: [ix("users_x", "id")] })]),
    changes: [
      {
        kind: "index",
        action: "changed",
        table: "users",
        name: "users_x",
        fields: [
          { field: "columns", before: ["id"], after: ["email"] },
          {
            field: "definition",
            before: "CREATE INDEX users_x ON public.users USING btree (id)",
            after: "CREATE INDEX users_x ON public.users USING btree (email)",
          },
        ],
      },
    ],
  },
  {
    name: "constraints by definition, then by name",
    source: snap([
      table("t", [col("q", "integer")], {
        constraints: [check("t_q_check", "CHECK ((q > 0))"), check("ok", "CHECK ((q < 9))")],
      }),
    ]),
    target: snap([
      table("t", [col("q", "integer")], {
        constraints: [check("t_q_check1", "CHECK ((q > 0))"), check("ok", "CHECK ((q < 5))")],
      }),
    ]),
    changes: [
      {
        kind: "constraint",
        action: "changed",
        table: "t",
        name: "ok",
        fields: [{ field: "definition", before: "CHECK ((q < 5))", after: "CHECK ((q < 9))" }],
      },
    ],
  },
  {
    name: "whitespace and comments in bodies are noise",
    source: snap([], [fn(" SELECT x + 1 ")]),
    target: snap([], [fn("\n  SELECT   x + 1 -- one more\n")]),
    changes: [],
  },
  {
    name: "a real body change is reported",
    source: snap([], [fn(" SELECT x + 2 ")]),
    target: snap([], [fn(" SELECT x + 1 ")]),
    changes: [
      {
        kind: "function",
        action: "changed",
        name: "f",
        fields: [
          { field: "definition", before: fn(" SELECT x + 1 ").definition, after: fn(" SELECT x + 2 ").definition },
        ],
      },
    ],
  },
  {
    name: "rename hints instead of drop + add",
    source: snap([table("customers", [col("id", "integer"), col("mail", "text")])]),
    target: snap([table("users", [col("id", "integer"), col("email", "text")])]),
    opts: {
      renames: [
        { from: "public.users", to: "public.customers" },
        { from: "public.customers.email", to: "public.customers.mail" },
      ],
    },
    changes: [
      { kind: "table", action: "renamed", name: "customers", from: "users", fields: [] },
      { kind: "column", action: "renamed", table: "customers", name: "mail", from: "email", fields: [] },
    ],
  },
  {
    name: "include and exclude globs on schema.name",
    source: snap([table("a1", []), table("a2", []), table("b", [])], [view("a_view", "SELECT 1", [])]),
    target: snap([]),
    opts: { include: ["public.a*"], exclude: ["public.a2"] },
    changes: [
      { kind: "table", action: "added", name: "a1", fields: [] },
      { kind: "view", action: "added", name: "a_view", fields: [] },
    ],
  },
  {
    name: "basic snapshots (no objects): the primary key alone",
    source: {
      ...snap([
        table("t", [col("id", "integer")], { constraints: undefined, primaryKey: { name: "t_pkey", columns: ["id"] } }),
      ]),
      objects: undefined,
    },
    target: { ...snap([table("t", [col("id", "integer")], { constraints: undefined })]), objects: undefined },
    changes: [{ kind: "primary_key", action: "added", table: "t", name: "t_pkey", fields: [] }],
  },
];

describe("diffSchemas", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const diff = diffSchemas(c.source, c.target, { ...c.opts, quote });
      const summary = diff.changes.map(({ kind, action, name, table, from, fields }) => ({
        kind,
        action,
        name,
        ...(table !== undefined ? { table } : {}),
        ...(from !== undefined ? { from } : {}),
        fields,
      }));
      expect(summary).toEqual(c.changes);
    });
  }
});
