// PostgreSQL introspection against the real server: the coverage list (one of every object kind,
// found in the snapshot as a whole value) and the DDL round trip (snapshot → renderCreateDdl → an
// empty database: equal snapshot, and pg_dump --schema-only of both agrees after normalisation).
import { afterAll, beforeAll, expect, test } from "bun:test";
import { pgDumpSchemas } from "../rollback/corpus/pg-state.ts";
import type { CoverageList } from "../schema/coverage.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import { coverageTests, expectedColumn, runScript, snapshotFinders } from "../schema/testkit.ts";
import type { Session } from "../types.ts";
import { renderCreateDdl } from "./ddl.ts";
import { createPostgresEngine } from "./index.ts";

const engine = createPostgresEngine();
const q = engine.dialect.quoteIdent;
const tag = `${process.pid}_${Date.now()}`;
const dbX = `mx_inspect_x_${tag}`;
const dbY = `mx_inspect_y_${tag}`;
const url = (db: string) => `postgres://postgres@127.0.0.1:5432/${db}`;

// Everything the renderer rebuilds lives in "shop"; partitioning (not rendered yet) in "parts".
const SHOP = `
CREATE SCHEMA shop;
COMMENT ON SCHEMA shop IS 'the shop';
CREATE EXTENSION citext WITH SCHEMA shop;
CREATE TYPE shop.mood AS ENUM ('sad', 'ok', 'happy');
COMMENT ON TYPE shop.mood IS 'how it feels';
CREATE TYPE shop.pair AS (a integer, b text);
CREATE DOMAIN shop.positive AS integer NOT NULL CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TYPE shop.floatrange AS RANGE (subtype = float8);
CREATE SEQUENCE shop.ticket_seq AS bigint START WITH 100 INCREMENT BY 5;
CREATE FUNCTION shop.double(x integer) RETURNS integer LANGUAGE sql IMMUTABLE AS $$ SELECT x * 2 $$;
COMMENT ON FUNCTION shop.double(integer) IS 'twice';
CREATE PROCEDURE shop.reset(n integer) LANGUAGE sql AS $$ SELECT n $$;
CREATE TABLE shop.users (
  id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email shop.citext NOT NULL,
  name text COLLATE "C",
  mood shop.mood DEFAULT 'ok',
  score shop.positive,
  doubled integer GENERATED ALWAYS AS (shop.double(id)) STORED,
  ticket bigint DEFAULT nextval('shop.ticket_seq'),
  CONSTRAINT users_email_key UNIQUE (email)
);
COMMENT ON TABLE shop.users IS 'people';
COMMENT ON COLUMN shop.users.email IS 'login';
CREATE TABLE shop.orders (
  id bigserial PRIMARY KEY,
  user_id integer NOT NULL REFERENCES shop.users (id) ON DELETE CASCADE,
  qty integer CONSTRAINT orders_qty_check CHECK (qty > 0),
  during tsrange,
  tags text[],
  note text,
  CONSTRAINT orders_no_overlap EXCLUDE USING gist (during WITH &&)
);
CREATE INDEX orders_note_lower ON shop.orders (lower(note)) WHERE note IS NOT NULL;
CREATE INDEX orders_user_incl ON shop.orders (user_id DESC, qty) INCLUDE (note);
CREATE INDEX orders_tags_gin ON shop.orders USING gin (tags);
COMMENT ON INDEX shop.orders_user_incl IS 'covering';
CREATE VIEW shop.big_orders AS SELECT id, user_id, qty FROM shop.orders WHERE qty > 10;
COMMENT ON VIEW shop.big_orders IS 'large';
CREATE MATERIALIZED VIEW shop.order_counts AS SELECT user_id, count(*) AS n FROM shop.orders GROUP BY user_id;
CREATE UNIQUE INDEX order_counts_user ON shop.order_counts (user_id);
CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.note := coalesce(NEW.note, 'x'); RETURN NEW; END $$;
CREATE TRIGGER orders_touch BEFORE INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch();
`;
const PARTS = `
CREATE SCHEMA parts;
CREATE TABLE parts.events (id bigint NOT NULL, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE parts.events_2026 PARTITION OF parts.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE parts.owners (user_id integer REFERENCES shop.users (id));
`;

let admin: Session;
let x: Session;
let y: Session;
let snap: SchemaSnapshot;

const run = (session: Session, script: string) => runScript(engine.dialect, session, script);

beforeAll(async () => {
  admin = await engine.driver.connect(url("postgres"));
  await admin.exec(`CREATE DATABASE ${q(dbX)}`);
  await admin.exec(`CREATE DATABASE ${q(dbY)}`);
  x = await engine.driver.connect(url(dbX));
  y = await engine.driver.connect(url(dbY));
  await run(x, SHOP + PARTS);
  snap = await engine.inspector.inspect(x, { schemas: ["shop", "parts"], objects: true });
});

afterAll(async () => {
  await x?.close();
  await y?.close();
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbX)} WITH (FORCE)`);
  await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbY)} WITH (FORCE)`);
  await admin?.close();
});

const table = (s: SchemaSnapshot, schema: string, name: string) =>
  s.tables.find((t) => t.schema === schema && t.name === name);
const { column, index, constraint, object } = snapshotFinders((s, t) => table(s, "shop", t));
const col = expectedColumn;

const COVERAGE: CoverageList<SchemaSnapshot> = {
  schema: { find: (s) => s.schemas.map((k) => k.name), expected: ["parts", "shop"] },
  "schema.comment": {
    find: (s) => s.schemas.find((k) => k.name === "shop"),
    expected: { name: "shop", comment: "the shop" },
  },
  table: {
    find: (s) => s.tables.map((t) => `${t.schema}.${t.name}`),
    expected: ["parts.events", "parts.events_2026", "parts.owners", "shop.orders", "shop.users"],
  },
  "table.comment": { find: (s) => table(s, "shop", "users")?.comment, expected: "people" },
  "table.options": { none: "PostgreSQL storage parameters (WITH (fillfactor …)) are not read yet" },
  "table.partitioned": { find: (s) => table(s, "parts", "events")?.partitionKey, expected: "RANGE (at)" },
  "table.partition": {
    find: (s) => table(s, "parts", "events_2026")?.partitionOf,
    expected: { parent: "parts.events", bound: "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')" },
  },
  "column.type": { find: (s) => column(s, "orders", "tags"), expected: col("tags", "text[]", 5) },
  "column.nullable": {
    find: (s) => column(s, "orders", "user_id"),
    expected: { ...col("user_id", "integer", 2), nullable: false },
  },
  "column.default": {
    find: (s) => column(s, "users", "mood"),
    expected: { ...col("mood", "shop.mood", 4), default: "'ok'::shop.mood" },
  },
  "column.identity": {
    find: (s) => column(s, "users", "id"),
    expected: { ...col("id", "integer", 1), nullable: false, identity: "always" },
  },
  "column.auto_increment": {
    find: (s) => [column(s, "orders", "id")?.default, object(s, "sequence", "orders_id_seq")?.ownedBy],
    expected: ["nextval('shop.orders_id_seq'::regclass)", "orders.id"],
  },
  "column.generated": {
    find: (s) => column(s, "users", "doubled"),
    expected: col("doubled", "integer", 6, { generated: "shop.double(id)" }),
  },
  "column.generated_virtual": { none: "PostgreSQL 15 has stored generated columns only" },
  "column.collation": { find: (s) => column(s, "users", "name"), expected: col("name", "text", 3, { collation: "C" }) },
  "column.charset": { none: "PostgreSQL has one encoding per database, no per-column character set" },
  "column.comment": {
    find: (s) => column(s, "users", "email"),
    expected: { ...col("email", "shop.citext", 2, { comment: "login" }), nullable: false },
  },
  "column.on_update": { none: "PostgreSQL has no ON UPDATE column clause (a trigger does it)" },
  primary_key: {
    find: (s) => table(s, "shop", "users")?.primaryKey,
    expected: { name: "users_pkey", columns: ["id"] },
  },
  unique: {
    find: (s) => constraint(s, "users", "users_email_key"),
    expected: { name: "users_email_key", kind: "unique", definition: "UNIQUE (email)" },
  },
  check: {
    find: (s) => constraint(s, "orders", "orders_qty_check"),
    expected: { name: "orders_qty_check", kind: "check", definition: "CHECK ((qty > 0))" },
  },
  foreign_key: {
    find: (s) => constraint(s, "orders", "orders_user_id_fkey"),
    expected: {
      name: "orders_user_id_fkey",
      kind: "foreign",
      definition: "FOREIGN KEY (user_id) REFERENCES shop.users(id) ON DELETE CASCADE",
      references: "shop.users",
      columns: ["user_id"],
      referencedColumns: ["id"],
      onDelete: "CASCADE",
    },
  },
  exclusion: {
    find: (s) => constraint(s, "orders", "orders_no_overlap"),
    expected: { name: "orders_no_overlap", kind: "exclusion", definition: "EXCLUDE USING gist (during WITH &&)" },
  },
  index: {
    find: (s) => index(s, "users", "users_pkey"),
    expected: {
      name: "users_pkey",
      columns: ["id"],
      unique: true,
      primary: true,
      constraint: true,
      definition: "CREATE UNIQUE INDEX users_pkey ON shop.users USING btree (id)",
    },
  },
  "index.method": {
    find: (s) => index(s, "orders", "orders_tags_gin"),
    expected: {
      name: "orders_tags_gin",
      columns: ["tags"],
      unique: false,
      method: "gin",
      definition: "CREATE INDEX orders_tags_gin ON shop.orders USING gin (tags)",
    },
  },
  "index.partial": {
    find: (s) => index(s, "orders", "orders_note_lower")?.where,
    expected: "note IS NOT NULL",
  },
  "index.expression": {
    find: (s) => index(s, "orders", "orders_note_lower"),
    expected: {
      name: "orders_note_lower",
      columns: ["lower(note)"],
      unique: false,
      where: "note IS NOT NULL",
      definition: "CREATE INDEX orders_note_lower ON shop.orders USING btree (lower(note)) WHERE (note IS NOT NULL)",
    },
  },
  "index.include": {
    find: (s) => index(s, "orders", "orders_user_incl"),
    expected: {
      name: "orders_user_incl",
      columns: ["user_id", "qty"],
      unique: false,
      include: ["note"],
      descending: [true, false],
      comment: "covering",
      definition: "CREATE INDEX orders_user_incl ON shop.orders USING btree (user_id DESC, qty) INCLUDE (note)",
    },
  },
  "index.descending": { find: (s) => index(s, "orders", "orders_user_incl")?.descending, expected: [true, false] },
  "index.prefix": { none: "PostgreSQL indexes have no prefix lengths (an expression index does it)" },
  view: {
    find: (s) => object(s, "view", "big_orders"),
    expected: {
      kind: "view",
      schema: "shop",
      name: "big_orders",
      dependsOn: ["shop.orders"],
      comment: "large",
      definition:
        'CREATE VIEW "shop"."big_orders" AS\nSELECT orders.id,\n    orders.user_id,\n    orders.qty\n   FROM shop.orders\n  WHERE orders.qty > 10',
    },
  },
  materialized_view: {
    find: (s) => object(s, "materialized_view", "order_counts"),
    expected: {
      kind: "materialized_view",
      schema: "shop",
      name: "order_counts",
      dependsOn: ["shop.orders"],
      indexes: [
        {
          name: "order_counts_user",
          columns: ["user_id"],
          unique: true,
          definition: "CREATE UNIQUE INDEX order_counts_user ON shop.order_counts USING btree (user_id)",
        },
      ],
      definition:
        'CREATE MATERIALIZED VIEW "shop"."order_counts" AS\nSELECT orders.user_id,\n    count(*) AS n\n   FROM shop.orders\n  GROUP BY orders.user_id',
    },
  },
  sequence: {
    find: (s) => object(s, "sequence", "ticket_seq"),
    expected: {
      kind: "sequence",
      schema: "shop",
      name: "ticket_seq",
      definition:
        'CREATE SEQUENCE "shop"."ticket_seq" AS bigint INCREMENT BY 5 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 100 CACHE 1 NO CYCLE',
    },
  },
  enum: {
    find: (s) => object(s, "type", "mood"),
    expected: {
      kind: "type",
      schema: "shop",
      name: "mood",
      typeKind: "enum",
      enumLabels: ["sad", "ok", "happy"],
      comment: "how it feels",
      definition: `CREATE TYPE "shop"."mood" AS ENUM ('sad', 'ok', 'happy')`,
    },
  },
  composite_type: {
    find: (s) => object(s, "type", "pair"),
    expected: {
      kind: "type",
      schema: "shop",
      name: "pair",
      typeKind: "composite",
      attributes: ["a integer", "b text"],
      definition: 'CREATE TYPE "shop"."pair" AS (a integer, b text)',
    },
  },
  domain: {
    find: (s) => object(s, "type", "positive"),
    expected: {
      kind: "type",
      schema: "shop",
      name: "positive",
      typeKind: "domain",
      baseType: "integer",
      definition: 'CREATE DOMAIN "shop"."positive" AS integer NOT NULL CONSTRAINT positive_check CHECK ((VALUE > 0))',
    },
  },
  range_type: {
    // Its constructor functions belong to the type and are not listed as functions.
    find: (s) => [object(s, "type", "floatrange"), s.objects?.filter((o) => o.name.startsWith("floatmulti"))],
    expected: [
      {
        kind: "type",
        schema: "shop",
        name: "floatrange",
        typeKind: "range",
        baseType: "double precision",
        definition: 'CREATE TYPE "shop"."floatrange" AS RANGE (subtype = double precision)',
      },
      [],
    ],
  },
  function: {
    find: (s) => object(s, "function", "double"),
    expected: {
      kind: "function",
      schema: "shop",
      name: "double",
      signature: "x integer",
      comment: "twice",
      definition:
        "CREATE OR REPLACE FUNCTION shop.double(x integer)\n RETURNS integer\n LANGUAGE sql\n IMMUTABLE\nAS $function$ SELECT x * 2 $function$",
    },
  },
  procedure: {
    find: (s) => object(s, "procedure", "reset"),
    expected: {
      kind: "procedure",
      schema: "shop",
      name: "reset",
      signature: "IN n integer",
      definition:
        "CREATE OR REPLACE PROCEDURE shop.reset(IN n integer)\n LANGUAGE sql\nAS $procedure$ SELECT n $procedure$",
    },
  },
  trigger: {
    find: (s) => object(s, "trigger", "orders_touch"),
    expected: {
      kind: "trigger",
      schema: "shop",
      name: "orders_touch",
      table: "orders",
      definition: "CREATE TRIGGER orders_touch BEFORE INSERT ON shop.orders FOR EACH ROW EXECUTE FUNCTION shop.touch()",
    },
  },
  event: { none: "PostgreSQL has no scheduled events (pg_cron is an extension)" },
  // Objects the extension made (citext's functions, operators, type) are the extension's, not listed.
  extension: {
    find: (s) => [s.extensions, s.objects?.filter((o) => o.name === "citext" || o.name.startsWith("citext_"))],
    expected: [[{ name: "citext", schema: "shop", version: "1.6" }], []],
  },
};

coverageTests(COVERAGE, () => snap);

test("objects: false leaves the optional parts out (what compare needs stays small)", async () => {
  const plain = await engine.inspector.inspect(x, { schemas: ["shop"] });
  expect(plain.objects).toBeUndefined();
  expect(plain.extensions).toBeUndefined();
  expect(table(plain, "shop", "users")).toEqual({
    schema: "shop",
    name: "users",
    columns: [
      col("id", "integer", 1, { nullable: false }),
      col("email", "shop.citext", 2, { nullable: false }),
      col("name", "text", 3),
      col("mood", "shop.mood", 4, { default: "'ok'::shop.mood" }),
      col("score", "shop.positive", 5),
      col("doubled", "integer", 6),
      col("ticket", "bigint", 7, { default: "nextval('shop.ticket_seq'::regclass)" }),
    ],
    primaryKey: { name: "users_pkey", columns: ["id"] },
    indexes: [
      { name: "users_email_key", columns: ["email"], unique: true },
      { name: "users_pkey", columns: ["id"], unique: true, primary: true },
    ],
  });
});

test("a foreign key to a table outside the inspected schemas still names its referenced columns", async () => {
  const parts = await engine.inspector.inspect(x, { schemas: ["parts"], objects: true });
  expect(table(parts, "parts", "owners")?.constraints).toEqual([
    {
      name: "owners_user_id_fkey",
      kind: "foreign",
      definition: "FOREIGN KEY (user_id) REFERENCES shop.users(id)",
      references: "shop.users",
      columns: ["user_id"],
      referencedColumns: ["id"],
    },
  ]);
});

test("the session's jit setting survives an inspection", async () => {
  await x.exec("SET jit = on");
  await engine.inspector.inspect(x, { schemas: ["shop"], objects: true });
  expect(await x.query("SELECT current_setting('jit') AS jit")).toEqual([{ jit: "on" }]);
});

test("snapshot → renderCreateDdl → empty database: equal snapshot, and pg_dump agrees", async () => {
  const before = await engine.inspector.inspect(x, { schemas: ["shop"], objects: true });
  await run(y, renderCreateDdl(before));
  const after = await engine.inspector.inspect(y, { schemas: ["shop"], objects: true });
  expect(after).toEqual(before);
  const server = { host: "127.0.0.1", port: 5432, user: "postgres" };
  const [dumpX, dumpY] = await Promise.all([
    pgDumpSchemas({ ...server, database: dbX }, ["shop"]),
    pgDumpSchemas({ ...server, database: dbY }, ["shop"]),
  ]);
  expect(dumpY).toEqual(dumpX);
  // The dump really shows the parts this test is about, so the equality above covers them
  // (pg_dump --schema leaves extensions and the schema's own comment out; the snapshots compare them).
  const about = /^(COMMENT ON|CREATE UNIQUE INDEX order_counts_user| {4}name text COLLATE)/;
  expect((dumpX.get("shop") ?? []).filter((l) => about.test(l))).toEqual([
    "COMMENT ON TYPE shop.mood IS 'how it feels';",
    "COMMENT ON FUNCTION shop.double(x integer) IS 'twice';",
    "COMMENT ON VIEW shop.big_orders IS 'large';",
    '    name text COLLATE pg_catalog."C"',
    "COMMENT ON TABLE shop.users IS 'people';",
    "COMMENT ON COLUMN shop.users.email IS 'login';",
    "CREATE UNIQUE INDEX order_counts_user ON shop.order_counts USING btree (user_id);",
    "COMMENT ON INDEX shop.orders_user_incl IS 'covering';",
  ]);
});
