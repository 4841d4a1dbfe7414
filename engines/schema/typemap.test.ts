// The type-mapping table, case by case: native type in, carried kind and target type out.
import { describe, expect, test } from "bun:test";
import {
  type ColumnMapping,
  lossReport,
  mapColumnType,
  type NativeType,
  parseNativeType,
  SOURCE_TYPES,
  type SourceContext,
  type TypeMapSource,
  type TypeMapTarget,
} from "./typemap.ts";

type Case = [
  source: TypeMapSource,
  type: string,
  target: TypeMapTarget,
  expected: Partial<ColumnMapping>,
  ctx?: SourceContext,
];

const CASES: Case[] = [
  // PostgreSQL → MySQL/MariaDB
  ["postgresql", "boolean", "mysql", { rule: "postgresql:boolean", kind: "boolean", targetType: "tinyint(1)" }],
  ["postgresql", "smallint", "mysql", { rule: "postgresql:smallint", kind: "int16", targetType: "smallint" }],
  ["postgresql", "integer", "mysql", { rule: "postgresql:integer", kind: "int32", targetType: "int" }],
  ["postgresql", "bigint", "mysql", { rule: "postgresql:bigint", kind: "int64", targetType: "bigint" }],
  [
    "postgresql",
    "numeric(12,2)",
    "mysql",
    { rule: "postgresql:numeric", kind: "decimal", targetType: "decimal(12,2)" },
  ],
  ["postgresql", "real", "mysql", { rule: "postgresql:real", kind: "float32", targetType: "float" }],
  ["postgresql", "double precision", "mysql", { rule: "postgresql:double", kind: "float64", targetType: "double" }],
  ["postgresql", "text", "mysql", { rule: "postgresql:text", kind: "text", targetType: "longtext" }],
  [
    "postgresql",
    "character varying(20)",
    "mysql",
    { rule: "postgresql:varchar", kind: "text", targetType: "varchar(20)" },
  ],
  ["postgresql", "character(3)", "mysql", { rule: "postgresql:char", kind: "text", targetType: "varchar(3)" }],
  ["postgresql", "bytea", "mysql", { rule: "postgresql:bytea", kind: "binary", targetType: "longblob" }],
  ["postgresql", "date", "mysql", { rule: "postgresql:date", kind: "date", targetType: "date" }],
  [
    "postgresql",
    "time(3) without time zone",
    "mysql",
    { rule: "postgresql:time", kind: "time", targetType: "time(3)" },
  ],
  [
    "postgresql",
    "timestamp without time zone",
    "mysql",
    { rule: "postgresql:timestamp", kind: "timestamp", targetType: "datetime(6)" },
  ],
  [
    "postgresql",
    "timestamp(3) with time zone",
    "mysql",
    { rule: "postgresql:timestamptz", kind: "timestamptz", targetType: "datetime(3)" },
  ],
  ["postgresql", "interval", "mysql", { rule: "postgresql:interval", kind: "interval", targetType: "varchar(100)" }],
  ["postgresql", "json", "mysql", { rule: "postgresql:json", kind: "json", targetType: "json" }],
  ["postgresql", "jsonb", "mysql", { rule: "postgresql:jsonb", kind: "json", targetType: "json" }],
  ["postgresql", "uuid", "mysql", { rule: "postgresql:uuid", kind: "uuid", targetType: "char(36)" }],
  ["postgresql", "integer[]", "mysql", { rule: "postgresql:array", kind: "array", targetType: "json" }],
  [
    "postgresql",
    "mood",
    "mysql",
    { rule: "postgresql:enum", kind: "enum", targetType: "enum('a','b''c')" },
    { pgEnum: true, labels: ["a", "b'c"] },
  ],
  // PostgreSQL → PostgreSQL keeps every type verbatim
  ["postgresql", "character(3)", "postgresql", { rule: "postgresql:char", kind: "text", targetType: "character(3)" }],
  ["postgresql", "integer[]", "postgresql", { rule: "postgresql:array", kind: "array", targetType: "integer[]" }],
  ["postgresql", "inet", "postgresql", { rule: "verbatim", kind: "text", targetType: "inet" }],
  // MySQL/MariaDB → PostgreSQL
  ["mysql", "tinyint(1)", "postgresql", { rule: "mysql:tinyint(1)", kind: "boolean", targetType: "boolean" }],
  ["mysql", "tinyint(4)", "postgresql", { rule: "mysql:tinyint", kind: "int16", targetType: "smallint" }],
  ["mysql", "tinyint(3) unsigned", "postgresql", { rule: "mysql:tinyint", kind: "int16", targetType: "smallint" }],
  ["mysql", "smallint(6)", "postgresql", { rule: "mysql:smallint", kind: "int16", targetType: "smallint" }],
  [
    "mysql",
    "smallint(5) unsigned",
    "postgresql",
    { rule: "mysql:smallint unsigned", kind: "int32", targetType: "integer" },
  ],
  ["mysql", "mediumint(8) unsigned", "postgresql", { rule: "mysql:mediumint", kind: "int32", targetType: "integer" }],
  ["mysql", "int(11)", "postgresql", { rule: "mysql:int", kind: "int32", targetType: "integer" }],
  ["mysql", "int(10) unsigned", "postgresql", { rule: "mysql:int unsigned", kind: "int64", targetType: "bigint" }],
  ["mysql", "bigint(20)", "postgresql", { rule: "mysql:bigint", kind: "int64", targetType: "bigint" }],
  [
    "mysql",
    "bigint(20) unsigned",
    "postgresql",
    { rule: "mysql:bigint unsigned", kind: "decimal", targetType: "numeric(20,0)" },
  ],
  [
    "mysql",
    "decimal(12,2) unsigned",
    "postgresql",
    { rule: "mysql:decimal", kind: "decimal", targetType: "numeric(12,2)" },
  ],
  ["mysql", "float", "postgresql", { rule: "mysql:float", kind: "float32", targetType: "real" }],
  ["mysql", "double", "postgresql", { rule: "mysql:double", kind: "float64", targetType: "double precision" }],
  ["mysql", "year(4)", "postgresql", { rule: "mysql:year", kind: "int16", targetType: "smallint" }],
  ["mysql", "varchar(20)", "postgresql", { rule: "mysql:varchar", kind: "text", targetType: "character varying(20)" }],
  ["mysql", "char(3)", "postgresql", { rule: "mysql:char", kind: "text", targetType: "character varying(3)" }],
  ["mysql", "longtext", "postgresql", { rule: "mysql:json", kind: "json", targetType: "jsonb" }, { jsonCheck: true }],
  ["mysql", "json", "postgresql", { rule: "mysql:json", kind: "json", targetType: "jsonb" }],
  ["mysql", "mediumtext", "postgresql", { rule: "mysql:text", kind: "text", targetType: "text" }],
  ["mysql", "varbinary(16)", "postgresql", { rule: "mysql:binary", kind: "binary", targetType: "bytea" }],
  ["mysql", "longblob", "postgresql", { rule: "mysql:blob", kind: "binary", targetType: "bytea" }],
  ["mysql", "date", "postgresql", { rule: "mysql:date", kind: "date", targetType: "date" }],
  ["mysql", "time(3)", "postgresql", { rule: "mysql:time", kind: "time", targetType: "time(3) without time zone" }],
  [
    "mysql",
    "datetime(6)",
    "postgresql",
    { rule: "mysql:datetime", kind: "timestamp", targetType: "timestamp(6) without time zone" },
  ],
  [
    "mysql",
    "timestamp",
    "postgresql",
    { rule: "mysql:timestamp", kind: "timestamptz", targetType: "timestamp with time zone" },
  ],
  ["mysql", "uuid", "postgresql", { rule: "mysql:uuid", kind: "uuid", targetType: "uuid" }],
  [
    "mysql",
    "enum('s','m')",
    "postgresql",
    { rule: "mysql:enum", kind: "enum", targetType: "text", checkLabels: ["s", "m"] },
  ],
  ["mysql", "set('a','b')", "postgresql", { rule: "mysql:set", kind: "text", targetType: "text" }],
  // either → SQLite
  ["postgresql", "numeric(12,2)", "sqlite", { rule: "postgresql:numeric", kind: "decimal", targetType: "TEXT" }],
  ["postgresql", "boolean", "sqlite", { rule: "postgresql:boolean", kind: "boolean", targetType: "INTEGER" }],
  ["postgresql", "text[]", "sqlite", { rule: "postgresql:array", kind: "array", targetType: "TEXT" }],
  ["mysql", "bigint(20) unsigned", "sqlite", { rule: "mysql:bigint unsigned", kind: "decimal", targetType: "TEXT" }],
  ["mysql", "longblob", "sqlite", { rule: "mysql:blob", kind: "binary", targetType: "BLOB" }],
  // SQLite → either (schema translation): declared names, then SQLite's affinity rules
  ["sqlite", "BOOLEAN", "postgresql", { rule: "sqlite:boolean", kind: "boolean", targetType: "boolean" }],
  ["sqlite", "DATE", "mysql", { rule: "sqlite:date", kind: "date", targetType: "date" }],
  [
    "sqlite",
    "TIMESTAMP",
    "postgresql",
    { rule: "sqlite:datetime", kind: "timestamp", targetType: "timestamp without time zone" },
  ],
  ["sqlite", "TIME", "postgresql", { rule: "sqlite:time", kind: "time", targetType: "time without time zone" }],
  ["sqlite", "JSON", "postgresql", { rule: "sqlite:json", kind: "json", targetType: "jsonb" }],
  ["sqlite", "UUID", "mysql", { rule: "sqlite:uuid", kind: "uuid", targetType: "char(36)" }],
  ["sqlite", "NUMERIC(10,2)", "mysql", { rule: "sqlite:decimal", kind: "decimal", targetType: "decimal(10,2)" }],
  ["sqlite", "CHAR(3)", "postgresql", { rule: "sqlite:char", kind: "text", targetType: "character varying(3)" }],
  [
    "sqlite",
    "VARCHAR(100)",
    "postgresql",
    { rule: "sqlite:varchar", kind: "text", targetType: "character varying(100)" },
  ],
  ["sqlite", "INTEGER", "postgresql", { rule: "sqlite:integer", kind: "int64", targetType: "bigint" }],
  ["sqlite", "UNSIGNED BIG INT", "mysql", { rule: "sqlite:integer", kind: "int64", targetType: "bigint" }],
  ["sqlite", "TEXT", "mysql", { rule: "sqlite:text", kind: "text", targetType: "longtext" }],
  ["sqlite", "CLOB", "postgresql", { rule: "sqlite:text", kind: "text", targetType: "text" }],
  ["sqlite", "", "postgresql", { rule: "sqlite:blob", kind: "binary", targetType: "bytea" }],
  ["sqlite", "DOUBLE", "postgresql", { rule: "sqlite:real", kind: "float64", targetType: "double precision" }],
  ["sqlite", "MONEY", "postgresql", { rule: "sqlite:numeric", kind: "decimal", targetType: "numeric" }],
];

describe("mapColumnType", () => {
  for (const [source, type, target, expected, ctx] of CASES) {
    test(`${source} ${type} → ${target}`, () => {
      const m = mapColumnType(source, target, { table: "t", column: "c", type, ...(ctx ? { ctx } : {}) });
      const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, m[k as keyof ColumnMapping]]));
      expect(picked).toEqual(expected);
    });
  }

  test("every source rule is exercised by a case", () => {
    const covered = new Set(
      CASES.map(
        ([s, type, t, , ctx]) => mapColumnType(s, t, { table: "t", column: "c", type, ...(ctx ? { ctx } : {}) }).rule,
      ),
    );
    expect(SOURCE_TYPES.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test("a column with a type the table lacks is reported before any row moves, unless overridden", () => {
    const col = { table: "t", column: "addr", type: "inet" };
    const m = mapColumnType("postgresql", "mysql", col);
    expect(lossReport([m])).toEqual([
      {
        table: "t",
        column: "addr",
        sourceType: "inet",
        targetType: "longtext",
        reasons: ["postgresql type inet has no mapping to mysql; give an override (table.column=TYPE)"],
      },
    ]);
    const o = mapColumnType("postgresql", "mysql", col, { overrides: { "t.addr": "varchar(45)" } });
    expect(o).toEqual({
      table: "t",
      column: "addr",
      sourceType: "inet",
      rule: "override",
      kind: "text",
      arrow: "Utf8",
      targetType: "varchar(45)",
      notes: [],
      loss: [],
    });
  });

  test("decimals beyond MySQL's decimal(65,30) and unbounded numerics are lossy into MySQL", () => {
    const wide = mapColumnType("postgresql", "mysql", { table: "t", column: "n", type: "numeric(80,2)" });
    const free = mapColumnType("postgresql", "mysql", { table: "t", column: "n", type: "numeric" });
    const fits = mapColumnType("postgresql", "mysql", { table: "t", column: "n", type: "numeric(65,30)" });
    expect([wide.loss, free.loss, fits.loss]).toEqual([
      [
        "numeric without precision: MySQL decimal holds at most 65 digits, 30 after the point",
        "decimal(80,2) exceeds MySQL's decimal(65,30)",
      ],
      ["numeric without precision: MySQL decimal holds at most 65 digits, 30 after the point"],
      [],
    ]);
  });

  test("enums into PostgreSQL as an enum type on request", () => {
    const m = mapColumnType(
      "mysql",
      "postgresql",
      { table: "shirt", column: "size", type: "enum('s','m')" },
      { enumAs: "type" },
    );
    expect([m.targetType, m.checkLabels]).toEqual(["shirt_size_enum", undefined]);
  });

  test("notes travel with the mapping (zero dates, tinyint(1))", () => {
    const d = mapColumnType("mysql", "postgresql", { table: "t", column: "d", type: "datetime" });
    expect(d.notes).toEqual(["zero dates become NULL, each counted in a warning"]);
  });
});

describe("parseNativeType", () => {
  const cases: [TypeMapSource, string, NativeType][] = [
    ["postgresql", "character varying(20)", { base: "character varying", args: [20], unsigned: false, array: false }],
    [
      "postgresql",
      "timestamp(3) with time zone",
      { base: "timestamp with time zone", args: [3], unsigned: false, array: false },
    ],
    ["postgresql", "numeric(12,2)[]", { base: "numeric", args: [12, 2], unsigned: false, array: true }],
    ["mysql", "int(10) unsigned zerofill", { base: "int", args: [10], unsigned: true, array: false }],
    ["mysql", "enum('a','it''s')", { base: "enum", args: [], unsigned: false, array: false, labels: ["a", "it's"] }],
  ];
  for (const [engine, text, expected] of cases) {
    test(`${engine} ${text}`, () => {
      expect(parseNativeType(engine, text)).toEqual(expected);
    });
  }
});
