// Cross-engine equivalence, case by case and without a server: which types, defaults and index
// methods of two engines mean the same (not differences) and which do not (differences), and the
// diff of hand-built snapshots of two engines.
import { describe, expect, test } from "bun:test";
import type { SchemaSnapshot, TableSnapshot } from "../schema/snapshot.ts";
import {
  comparableDefault,
  comparableIndexMethod,
  comparableType,
  indexMethodIn,
  renderDefault,
  type SourceContext,
  stripCasts,
  type TypeMapSource,
} from "../schema/typemap.ts";
import { diffSchemas } from "./compare.ts";
import { col, table } from "./fixtures.ts";
import { comparableExpression, viewBody } from "./normalize.ts";
import { renderDiffText } from "./render.ts";
import { planSync } from "./sync.ts";
import { translateSnapshot } from "./translate.ts";

type Side = [TypeMapSource, string, SourceContext?];
const coarseOf = (a: Side, b: Side) => a[0] === "sqlite" || b[0] === "sqlite";
const key = (s: Side, coarse: boolean) => comparableType(s[0], s[1], s[2] ?? {}, { coarse });

const SAME: [Side, Side][] = [
  [
    ["mysql", "int(11)"],
    ["postgresql", "integer"],
  ],
  [
    ["mysql", "tinyint(1)"],
    ["postgresql", "boolean"],
  ],
  [
    ["mysql", "datetime"],
    ["postgresql", "timestamp without time zone"],
  ],
  [
    ["mysql", "datetime(6)"],
    ["postgresql", "timestamp(3) without time zone"],
  ],
  [
    ["mysql", "timestamp"],
    ["postgresql", "timestamp with time zone"],
  ],
  [
    ["mysql", "varchar(10)"],
    ["postgresql", "character varying(10)"],
  ],
  [
    ["mysql", "char(3)"],
    ["postgresql", "character(3)"],
  ],
  [
    ["mysql", "longtext"],
    ["postgresql", "text"],
  ],
  [
    ["mysql", "text"],
    ["postgresql", "text"],
  ],
  [
    ["mysql", "decimal(10,2)"],
    ["postgresql", "numeric(10,2)"],
  ],
  [
    ["mysql", "uuid"],
    ["postgresql", "uuid"],
  ],
  [
    ["mysql", "char(36)"],
    ["postgresql", "uuid"],
  ],
  [
    ["mysql", "json"],
    ["postgresql", "jsonb"],
  ],
  [
    ["mysql", "bigint(20)"],
    ["postgresql", "bigint"],
  ],
  [
    ["mysql", "int(10) unsigned"],
    ["postgresql", "bigint"],
  ],
  [
    ["mysql", "double"],
    ["postgresql", "double precision"],
  ],
  [
    ["mysql", "varbinary(16)"],
    ["postgresql", "bytea"],
  ],
  [
    ["mysql", "enum('a','b')"],
    ["postgresql", "mood", { pgEnum: true, labels: ["a", "b"] }],
  ],
  [
    ["sqlite", "INTEGER"],
    ["postgresql", "integer"],
  ],
  [
    ["sqlite", "VARCHAR(10)"],
    ["postgresql", "text"],
  ],
  [
    ["sqlite", "BOOLEAN"],
    ["mysql", "tinyint(1)"],
  ],
  [
    ["sqlite", "REAL"],
    ["mysql", "double"],
  ],
  [
    ["sqlite", "TIMESTAMP"],
    ["postgresql", "timestamp with time zone"],
  ],
  [
    ["sqlite", "NUMERIC(10,2)"],
    ["mysql", "decimal(10,2)"],
  ],
];

const DIFFERENT: [Side, Side][] = [
  [
    ["mysql", "varchar(10)"],
    ["postgresql", "text"],
  ],
  [
    ["mysql", "varchar(10)"],
    ["postgresql", "character varying(20)"],
  ],
  [
    ["mysql", "char(3)"],
    ["postgresql", "character varying(3)"],
  ],
  [
    ["mysql", "int(11)"],
    ["postgresql", "bigint"],
  ],
  [
    ["mysql", "tinyint(4)"],
    ["postgresql", "boolean"],
  ],
  [
    ["mysql", "datetime"],
    ["postgresql", "timestamp with time zone"],
  ],
  [
    ["mysql", "decimal(10,2)"],
    ["postgresql", "numeric(12,2)"],
  ],
  [
    ["mysql", "date"],
    ["postgresql", "timestamp without time zone"],
  ],
  [
    ["mysql", "enum('a','b')"],
    ["postgresql", "mood", { pgEnum: true, labels: ["a", "b", "c"] }],
  ],
  [
    ["sqlite", "TEXT"],
    ["postgresql", "integer"],
  ],
  [
    ["sqlite", "BLOB"],
    ["mysql", "longtext"],
  ],
];

describe("type equivalence", () => {
  for (const [a, b] of SAME) {
    test(`${a[0]} ${a[1]} ≈ ${b[0]} ${b[1]}`, () => {
      expect(key(a, coarseOf(a, b))).toBe(key(b, coarseOf(a, b)));
    });
  }
  for (const [a, b] of DIFFERENT) {
    test(`${a[0]} ${a[1]} ≠ ${b[0]} ${b[1]}`, () => {
      expect(key(a, coarseOf(a, b))).not.toBe(key(b, coarseOf(a, b)));
    });
  }
});

describe("default equivalence", () => {
  const same: [string, string, string?][] = [
    ["current_timestamp()", "now()"],
    ["CURRENT_TIMESTAMP", "current_timestamp(6)"],
    ["'x'::text", "'x'"],
    ["'a'::character varying", "'a'"],
    ["true", "1", "boolean"],
    ["'f'", "0", "boolean"],
    ["0.00", "0", "decimal"],
    ["('s')", "'s'"],
    ["curdate()", "CURRENT_DATE"],
    ["gen_random_uuid()", "uuid()"],
  ];
  for (const [a, b, kind] of same) {
    test(`${a} ≈ ${b}`, () => {
      const k = kind as Parameters<typeof comparableDefault>[1];
      expect(comparableDefault(a, k)).toEqual(comparableDefault(b, k));
    });
  }
  const different: [string, string][] = [
    ["'a'", "'b'"],
    ["1", "2"],
    ["now()", "CURRENT_DATE"],
  ];
  for (const [a, b] of different) {
    test(`${a} ≠ ${b}`, () => expect(comparableDefault(a)).not.toEqual(comparableDefault(b)));
  }
  test("a serial's nextval is numbering, not a default", () => {
    expect(comparableDefault("nextval('t_id_seq'::regclass)")).toEqual({ kind: "sequence" });
  });
  test("rendered in each engine's spelling", () => {
    const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
    const now = comparableDefault("now()");
    const yes = comparableDefault("1", "boolean");
    const text = comparableDefault("'it''s'::text");
    expect({
      pg: [renderDefault(now, "postgresql", { quote }), renderDefault(yes, "postgresql", { kind: "boolean", quote })],
      mysql: [renderDefault(now, "mysql", { fsp: 6, quote }), renderDefault(yes, "mysql", { kind: "boolean", quote })],
      sqlite: [renderDefault(now, "sqlite", { quote }), renderDefault(text, "sqlite", { kind: "text", quote })],
      none: renderDefault(comparableDefault("gen_random_uuid()"), "sqlite", { quote }),
    }).toEqual({
      pg: ["CURRENT_TIMESTAMP", "true"],
      mysql: ["current_timestamp(6)", "1"],
      sqlite: ["CURRENT_TIMESTAMP", "'it''s'"],
      none: null,
    });
  });
});

describe("index methods and expressions", () => {
  test("B-tree is every engine's default; hash is shared; gin and FULLTEXT are their engine's own", () => {
    expect({
      btree: [comparableIndexMethod("btree"), comparableIndexMethod("BTREE"), comparableIndexMethod(undefined)],
      hash: [comparableIndexMethod("hash"), comparableIndexMethod("HASH"), indexMethodIn("mysql", "hash")],
      gin: [indexMethodIn("mysql", "gin"), indexMethodIn("sqlite", "gin")],
      fulltext: indexMethodIn("postgresql", "FULLTEXT"),
    }).toEqual({
      btree: [undefined, undefined, undefined],
      hash: ["hash", "hash", "HASH"],
      gin: [null, null],
      fulltext: null,
    });
  });
  test("checks and view bodies as each engine prints them compare equal", () => {
    const e = (s: string) => comparableExpression(s, stripCasts);
    expect(e("((price >= (0)::numeric))")).toBe(e("`price` >= 0"));
    expect(e("((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[]))")).toBe(
      e("`status` in ('a','b')"),
    );
    expect(e(viewBody('CREATE VIEW "s"."v" AS\nSELECT t.id,\n    t.qty * 2 AS dbl\n   FROM t').body)).toBe(
      e(
        viewBody(
          "CREATE ALGORITHM=UNDEFINED SQL SECURITY DEFINER VIEW `v` AS select `t`.`id` AS `id`,`t`.`qty` * 2 AS `dbl` from `t`",
        ).body,
      ),
    );
    expect(e("qty > 0")).not.toBe(e("qty >= 0"));
  });
});

const mariadb = (tables: TableSnapshot[]): SchemaSnapshot => ({
  version: 1,
  engine: "mariadb",
  serverVersion: "MariaDB 10.11",
  schemas: [{ name: "shop" }],
  tables: tables.map((t) => ({ ...t, schema: "shop" })),
  objects: [],
});
const postgres = (tables: TableSnapshot[], objects: SchemaSnapshot["objects"] = []): SchemaSnapshot => ({
  version: 1,
  engine: "postgresql",
  serverVersion: "PostgreSQL 15",
  schemas: [{ name: "public", comment: "standard public schema" }],
  tables,
  objects,
  extensions: [],
});
const pk = (name: string, cols: string[], mysql: boolean) => ({
  primaryKey: { columns: cols },
  constraints: [
    {
      name: mysql ? "PRIMARY" : `${name}_pkey`,
      kind: "primary" as const,
      definition: `PRIMARY KEY (${cols.join(", ")})`,
    },
  ],
  indexes: mysql ? [{ name: "PRIMARY", columns: cols, unique: true, primary: true as const }] : [],
});

describe("cross-engine diff of snapshots", () => {
  const mUsers = table(
    "users",
    [
      col("id", "int(11)", { nullable: false, autoIncrement: true }),
      col("active", "tinyint(1)", { nullable: false, default: "1" }),
      col("created", "datetime", { default: "current_timestamp()" }),
      col("email", "varchar(10)"),
    ],
    pk("users", ["id"], true),
  );
  const pUsers = (email: string) =>
    table(
      "users",
      [
        col("id", "integer", { nullable: false, default: "nextval('users_id_seq'::regclass)" }),
        col("active", "boolean", { nullable: false, default: "true" }),
        col("created", "timestamp without time zone", { default: "now()" }),
        col("email", email),
      ],
      pk("users", ["id"], false),
    );
  const serial = {
    kind: "sequence" as const,
    schema: "public",
    name: "users_id_seq",
    ownedBy: "users.id",
    definition: 'CREATE SEQUENCE "public"."users_id_seq"',
  };

  test("equivalent spellings are no difference, either way", () => {
    const m = mariadb([mUsers]);
    const p = postgres([pUsers("character varying(10)")], [serial]);
    expect([diffSchemas(m, p).changes, diffSchemas(p, m).changes]).toEqual([[], []]);
  });

  test("varchar(10) against text is a difference, said in the target's terms", () => {
    const d = diffSchemas(mariadb([mUsers]), postgres([pUsers("text")], [serial]));
    expect(d.changes.map(({ source: _s, target: _t, ...rest }) => rest)).toEqual([
      {
        kind: "column",
        action: "changed",
        schema: "public",
        table: "users",
        name: "email",
        fields: [{ field: "type", before: "text", after: "character varying(10)" }],
      },
    ]);
    expect(d.sourceEngine).toBe("mariadb");
    expect(renderDiffText(d)).toContain("~ users.email: text → character varying(10)");
  });

  test("what the target cannot hold is a note with what was done instead, and the script is the target's", async () => {
    const m = mariadb([
      table(
        "t",
        [
          col("id", "int(11)", { nullable: false }),
          col("size", "enum('s','m')"),
          col("changed", "timestamp", {
            nullable: false,
            default: "current_timestamp()",
            onUpdate: "current_timestamp()",
          }),
        ],
        pk("t", ["id"], true),
      ),
    ]);
    const plan = await planSync(m, postgres([]), { risk: false });
    expect(plan.diff.notes).toEqual([
      {
        object: "column shop.t.size",
        note: "not representable in PostgreSQL; enum enum('s','m') becomes text with a CHECK of its labels",
      },
      {
        object: "column shop.t.changed",
        note: "not representable in PostgreSQL; ON UPDATE current_timestamp() needs a trigger there; left out",
      },
    ]);
    expect(plan.sql).toContain('"size" text');
    expect(plan.sql).toContain(`CHECK ("size" IN (''s'', ''m''))`);
    expect(plan.sql).toContain('"changed" timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL');
    expect(renderDiffText(plan.diff)).toContain("not representable in PostgreSQL; ON UPDATE current_timestamp()");
  });
});

describe("translation notes: nothing the target cannot hold is dropped silently", () => {
  const o = (kind: NonNullable<SchemaSnapshot["objects"]>[number]["kind"], name: string, extra = {}) => ({
    kind,
    schema: "public",
    name,
    definition: `CREATE ${kind} ${name}`,
    ...extra,
  });
  const source = postgres(
    [
      table(
        "t",
        [
          col("id", "integer", { nullable: false, default: "nextval('t_id_seq'::regclass)" }),
          col("m", "mood"),
          col("d", "posint"),
          col("tags", "jsonb"),
        ],
        {
          ...pk("t", ["id"], false),
          constraints: [
            { name: "t_pkey", kind: "primary", definition: "PRIMARY KEY (id)" },
            { name: "t_excl", kind: "exclusion", definition: "EXCLUDE USING gist (id WITH =)" },
          ],
          indexes: [
            { name: "t_gin", columns: ["tags"], unique: false, method: "gin" },
            { name: "t_part", columns: ["id"], unique: false, where: "(id > 0)" },
            { name: "t_inc", columns: ["id"], unique: false, include: ["m"] },
          ],
          partitionKey: "RANGE (id)",
        },
      ),
    ],
    [
      o("sequence", "t_id_seq", { ownedBy: "t.id" }),
      o("sequence", "ids"),
      o("type", "mood", { typeKind: "enum", enumLabels: ["a", "b"] }),
      o("type", "posint", { typeKind: "domain", baseType: "integer" }),
      o("type", "pair", { typeKind: "composite" }),
      o("materialized_view", "mv", { definition: "CREATE MATERIALIZED VIEW public.mv AS\nSELECT id FROM t" }),
      o("function", "f", { signature: "" }),
      o("trigger", "tr", { table: "t" }),
    ],
  );
  source.extensions = [{ name: "pgcrypto", schema: "public", version: "1.3" }];

  test("PostgreSQL into MariaDB", () => {
    const { snapshot, notes } = translateSnapshot(source, mariadb([]));
    const lines = notes.map((n) => `${n.object}: ${n.note}`);
    expect(lines).toEqual([
      "column public.t.d: not representable in MariaDB; domain posint becomes its base type integer; its constraints are left out",
      "table public.t: not representable in MariaDB; partitioning is left out; created as a plain table",
      "constraint public.t.t_excl: not representable in MariaDB; exclusion constraints do not exist there; left out",
      "index public.t.t_gin: not representable in MariaDB; gin indexes do not exist there; left out",
      "index public.t.t_part: not representable in MariaDB; partial indexes do not exist there; left out",
      "index public.t.t_inc: not representable in MariaDB; INCLUDE (m) is left out; the index keeps its key columns",
      "sequence public.ids: not representable in MariaDB; Migratrix syncs no sequences there (an owning column's numbering becomes AUTO_INCREMENT or identity); left out",
      "type public.mood: not representable in MariaDB; its columns take an inline enum(…)",
      "type public.pair: not representable in MariaDB; composite types do not exist there; left out",
      "materialized view public.mv: not representable in MariaDB; created as a plain view (no stored rows, no indexes)",
      "function public.f(): not representable in MariaDB; its body is PostgreSQL code and is not translated; left out",
      "trigger public.t.tr: not representable in MariaDB; its body is PostgreSQL code and is not translated; left out",
      "extension pgcrypto: not representable in MariaDB; left out",
    ]);
    const t = snapshot.tables[0];
    expect({
      engine: snapshot.engine,
      translatedFrom: snapshot.translatedFrom,
      schemas: snapshot.schemas,
      columns: t?.columns.map((c) => [c.name, c.type, c.autoIncrement ?? false]),
      indexes: t?.indexes.map((ix) => ix.name),
      objects: snapshot.objects?.map((x) => `${x.kind} ${x.name}`),
    }).toEqual({
      engine: "mariadb",
      translatedFrom: "postgresql",
      schemas: [{ name: "shop" }],
      columns: [
        ["id", "int", true],
        ["m", "enum('a','b')", false],
        ["d", "int", false],
        ["tags", "json", false],
      ],
      indexes: ["PRIMARY", "t_inc"],
      objects: ["view mv"],
    });
  });
});
