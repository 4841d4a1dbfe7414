// Sync ordering on snapshots (no server): the dependency graph decides the order of creates and,
// reversed over the target, of drops. Each case lists the statements' first lines, guards unwrapped.
import { describe, expect, test } from "bun:test";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { col, snap, table, view } from "./fixtures.ts";
import { mentionedNames, topoSort } from "./graph.ts";
import { planSync } from "./sync.ts";

/** A statement's first line; a DO guard shows the statement it runs, prefixed "guarded:". */
function head(sql: string): string {
  const guarded = /EXECUTE '((?:[^']|'')*)'; END IF/.exec(sql);
  if (guarded) return `guarded: ${(guarded[1] ?? "").replaceAll("''", "'").split("\n")[0]}`;
  return sql.split("\n")[0] ?? "";
}

const pk = (t: string) => ({ name: `${t}_pkey`, kind: "primary" as const, definition: "PRIMARY KEY (id)" });
const fk = (t: string, ref: string) => ({
  name: `${t}_${ref}_fkey`,
  kind: "foreign" as const,
  definition: `FOREIGN KEY (${ref}_id) REFERENCES public.${ref}(id)`,
  references: `public.${ref}`,
});
const id = col("id", "integer", { nullable: false });

interface Case {
  name: string;
  source: SchemaSnapshot;
  target: SchemaSnapshot;
  allowDrop?: boolean;
  statements: string[];
  withheld?: string[];
}

const HEADER = ["SET lock_timeout = '5s'", "SET statement_timeout = '30min'", "SET check_function_bodies = false"];

const CASES: Case[] = [
  {
    name: "tables that reference each other: tables, keys, then foreign keys",
    source: snap([
      table("a", [id, col("b_id", "integer")], { constraints: [pk("a"), fk("a", "b")] }),
      table("b", [id, col("a_id", "integer")], { constraints: [pk("b"), fk("b", "a")] }),
    ]),
    target: snap([]),
    statements: [
      'CREATE TABLE IF NOT EXISTS "public"."a" (',
      'CREATE TABLE IF NOT EXISTS "public"."b" (',
      'guarded: ALTER TABLE "public"."a" ADD CONSTRAINT "a_pkey" PRIMARY KEY (id)',
      'guarded: ALTER TABLE "public"."b" ADD CONSTRAINT "b_pkey" PRIMARY KEY (id)',
      'guarded: ALTER TABLE "public"."a" ADD CONSTRAINT "a_b_fkey" FOREIGN KEY (b_id) REFERENCES public.b(id)',
      'guarded: ALTER TABLE "public"."b" ADD CONSTRAINT "b_a_fkey" FOREIGN KEY (a_id) REFERENCES public.a(id)',
    ],
  },
  {
    name: "a default calling a function and a column of a new type come after them",
    source: snap(
      [table("t", [id, col("code", "text", { default: "public.next_code()" }), col("m", "public.mood")])],
      [
        {
          kind: "function",
          schema: "public",
          name: "next_code",
          signature: "",
          definition:
            "CREATE OR REPLACE FUNCTION public.next_code()\n RETURNS text\n LANGUAGE sql\nAS $$ SELECT 'x' $$",
        },
        {
          kind: "type",
          schema: "public",
          name: "mood",
          typeKind: "enum",
          enumLabels: ["a"],
          definition: `CREATE TYPE "public"."mood" AS ENUM ('a')`,
        },
      ],
    ),
    target: snap([table("t", [id])]),
    statements: [
      `guarded: CREATE TYPE "public"."mood" AS ENUM ('a')`,
      "CREATE OR REPLACE FUNCTION public.next_code()",
      'ALTER TABLE "public"."t" ADD COLUMN IF NOT EXISTS "code" text DEFAULT public.next_code()',
      'ALTER TABLE "public"."t" ADD COLUMN IF NOT EXISTS "m" public.mood',
    ],
  },
  {
    name: "views after what they read, dependent views dropped first and made again",
    source: snap(
      [table("t", [id, col("code", "text")])],
      [
        view("v1", "SELECT t.id, t.code FROM public.t", ["public.t"]),
        view("v2", "SELECT v1.id FROM public.v1", ["public.v1"]),
      ],
    ),
    target: snap(
      [table("t", [id, col("code", "character varying(5)")])],
      [
        view("v1", "SELECT t.id, t.code FROM public.t", ["public.t"]),
        view("v2", "SELECT v1.id FROM public.v1", ["public.v1"]),
      ],
    ),
    statements: [
      'DROP VIEW IF EXISTS "public"."v2"',
      'DROP VIEW IF EXISTS "public"."v1"',
      'guarded: ALTER TABLE "public"."t" ALTER COLUMN "code" TYPE text USING "code"::text',
      'CREATE OR REPLACE VIEW "public"."v1" AS',
      'CREATE OR REPLACE VIEW "public"."v2" AS',
    ],
  },
  {
    name: "a serial's sequence: created before its table, owned after it",
    source: snap(
      [table("t", [col("id", "integer", { nullable: false, default: "nextval('public.t_id_seq'::regclass)" })])],
      [
        {
          kind: "sequence",
          schema: "public",
          name: "t_id_seq",
          ownedBy: "t.id",
          definition: `CREATE SEQUENCE "public"."t_id_seq" AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE`,
        },
      ],
    ),
    target: snap([]),
    statements: [
      'CREATE SEQUENCE IF NOT EXISTS "public"."t_id_seq" AS integer INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1 NO CYCLE',
      'CREATE TABLE IF NOT EXISTS "public"."t" (',
      'ALTER SEQUENCE "public"."t_id_seq" OWNED BY "public"."t"."id"',
    ],
  },
  {
    name: "drops are withheld without allowDrop",
    source: snap([table("t", [id])]),
    target: snap([table("t", [id, col("old", "text")]), table("legacy", [id])]),
    statements: [],
    withheld: ["column public.t.old", "table public.legacy"],
  },
  {
    name: "with allowDrop: a column, and tables whose foreign keys go first",
    source: snap([table("t", [id])]),
    target: snap([
      table("t", [id, col("old", "text")]),
      table("p", [id], { constraints: [pk("p")] }),
      table("c", [id, col("p_id", "integer")], { constraints: [fk("c", "p")] }),
    ]),
    allowDrop: true,
    statements: [
      'ALTER TABLE IF EXISTS "public"."c" DROP CONSTRAINT IF EXISTS "c_p_fkey"',
      'ALTER TABLE "public"."t" DROP COLUMN IF EXISTS "old"',
      'DROP TABLE IF EXISTS "public"."c"',
      'DROP TABLE IF EXISTS "public"."p"',
    ],
  },
  {
    name: "online forms on existing tables: CHECK NOT VALID then VALIDATE; UNIQUE through a concurrent index",
    source: snap([
      table("t", [id, col("q", "integer")], {
        constraints: [
          { name: "q_pos", kind: "check", definition: "CHECK ((q > 0))" },
          { name: "t_q_key", kind: "unique", definition: "UNIQUE (q)" },
        ],
      }),
    ]),
    target: snap([table("t", [id, col("q", "integer")])]),
    statements: [
      'guarded: ALTER TABLE "public"."t" ADD CONSTRAINT "q_pos" CHECK ((q > 0)) NOT VALID',
      'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "t_q_key" ON "public"."t" (q)',
      'guarded: ALTER TABLE "public"."t" ADD CONSTRAINT "t_q_key" UNIQUE USING INDEX "t_q_key"',
      'ALTER TABLE "public"."t" VALIDATE CONSTRAINT "q_pos"',
    ],
  },
];

describe("planSync ordering", () => {
  for (const c of CASES) {
    test(c.name, async () => {
      const plan = await planSync(c.source, c.target, { allowDrop: c.allowDrop ?? false, risk: false });
      const body = plan.statements.map(head);
      expect({ statements: body.slice(body.length === 0 ? 0 : HEADER.length), withheld: plan.withheld }).toEqual({
        statements: c.statements,
        withheld: c.withheld ?? [],
      });
      if (body.length > 0) expect(body.slice(0, HEADER.length)).toEqual(HEADER);
    });
  }
});

test("topoSort is stable by rank and breaks a cycle at the lowest rank, reporting it", () => {
  const units = [
    { item: "view", provides: ["v"], requires: ["t"], rank: 11 },
    { item: "table", provides: ["t"], requires: ["f"], rank: 5 },
    { item: "function", provides: ["f"], requires: ["t"], rank: 4 },
    { item: "schema", provides: ["s"], requires: [], rank: 0 },
  ];
  expect(topoSort(units)).toEqual({ order: ["schema", "function", "table", "view"], cycles: ["function"] });
});

test("mentionedNames reads quoted, qualified and folded names, also inside string literals", () => {
  expect(mentionedNames(`nextval('app.seq'::regclass) + "Odd"."Name"(x)`)).toEqual([
    "nextval",
    "app.seq",
    "seq",
    "regclass",
    "Odd.Name",
    "Name",
    "x",
  ]);
});
