// The type-mapping table, case by case: native type in, carried kind and target type out.
import { describe, expect, test } from "bun:test";
import {
  ARROW_TYPE,
  type CarriedKind,
  type ColumnMapping,
  lossReport,
  mapColumnType,
  type NativeType,
  parseNativeType,
  SOURCE_TYPES,
  type SourceContext,
  TARGET_TYPES,
  type TypeMapSource,
  type TypeMapTarget,
} from "./typemap.ts";

/** A native type, its rule (without the "<source>:" prefix, except engine-neutral rules), kind and target type. */
type Row = [
  type: string,
  rule: string,
  kind: ColumnMapping["kind"],
  targetType: string,
  extra?: { ctx?: SourceContext; checkLabels?: string[] },
];
type Case = [
  source: TypeMapSource,
  type: string,
  target: TypeMapTarget,
  expected: Partial<ColumnMapping>,
  ctx?: SourceContext,
];

const NEUTRAL_RULES = new Set(["verbatim"]);

const GROUPS: Array<[TypeMapSource, TypeMapTarget, Row[]]> = [
  // PostgreSQL → MySQL/MariaDB
  [
    "postgresql",
    "mysql",
    [
      ["boolean", "boolean", "boolean", "tinyint(1)"],
      ["smallint", "smallint", "int16", "smallint"],
      ["integer", "integer", "int32", "int"],
      ["bigint", "bigint", "int64", "bigint"],
      ["numeric(12,2)", "numeric", "decimal", "decimal(12,2)"],
      ["real", "real", "float32", "float"],
      ["double precision", "double", "float64", "double"],
      ["text", "text", "text", "longtext"],
      ["character varying(20)", "varchar", "text", "varchar(20)"],
      ["character(3)", "char", "text", "varchar(3)"],
      ["bytea", "bytea", "binary", "longblob"],
      ["date", "date", "date", "date"],
      ["time(3) without time zone", "time", "time", "time(3)"],
      ["timestamp without time zone", "timestamp", "timestamp", "datetime(6)"],
      ["timestamp(3) with time zone", "timestamptz", "timestamptz", "datetime(3)"],
      ["interval", "interval", "interval", "varchar(100)"],
      ["json", "json", "json", "json"],
      ["jsonb", "jsonb", "json", "json"],
      ["uuid", "uuid", "uuid", "char(36)"],
      ["integer[]", "array", "array", "json"],
      ["mood", "enum", "enum", "enum('a','b''c')", { ctx: { pgEnum: true, labels: ["a", "b'c"] } }],
    ],
  ],
  // PostgreSQL → PostgreSQL keeps every type verbatim
  [
    "postgresql",
    "postgresql",
    [
      ["character(3)", "char", "text", "character(3)"],
      ["integer[]", "array", "array", "integer[]"],
      ["inet", "verbatim", "text", "inet"],
    ],
  ],
  // MySQL/MariaDB → PostgreSQL
  [
    "mysql",
    "postgresql",
    [
      ["tinyint(1)", "tinyint(1)", "boolean", "boolean"],
      ["tinyint(4)", "tinyint", "int16", "smallint"],
      ["tinyint(3) unsigned", "tinyint", "int16", "smallint"],
      ["smallint(6)", "smallint", "int16", "smallint"],
      ["smallint(5) unsigned", "smallint unsigned", "int32", "integer"],
      ["mediumint(8) unsigned", "mediumint", "int32", "integer"],
      ["int(11)", "int", "int32", "integer"],
      ["int(10) unsigned", "int unsigned", "int64", "bigint"],
      ["bigint(20)", "bigint", "int64", "bigint"],
      ["bigint(20) unsigned", "bigint unsigned", "decimal", "numeric(20,0)"],
      ["decimal(12,2) unsigned", "decimal", "decimal", "numeric(12,2)"],
      ["float", "float", "float32", "real"],
      ["double", "double", "float64", "double precision"],
      ["year(4)", "year", "int16", "smallint"],
      ["varchar(20)", "varchar", "text", "character varying(20)"],
      ["char(3)", "char", "text", "character varying(3)"],
      ["longtext", "json", "json", "jsonb", { ctx: { jsonCheck: true } }],
      ["json", "json", "json", "jsonb"],
      ["mediumtext", "text", "text", "text"],
      ["varbinary(16)", "binary", "binary", "bytea"],
      ["longblob", "blob", "binary", "bytea"],
      ["date", "date", "date", "date"],
      ["time(3)", "time", "time", "time(3) without time zone"],
      ["datetime(6)", "datetime", "timestamp", "timestamp(6) without time zone"],
      ["timestamp", "timestamp", "timestamptz", "timestamp with time zone"],
      ["uuid", "uuid", "uuid", "uuid"],
      ["enum('s','m')", "enum", "enum", "text", { checkLabels: ["s", "m"] }],
      ["set('a','b')", "set", "text", "text"],
    ],
  ],
  // either → SQLite
  [
    "postgresql",
    "sqlite",
    [
      ["numeric(12,2)", "numeric", "decimal", "TEXT"],
      ["boolean", "boolean", "boolean", "INTEGER"],
      ["text[]", "array", "array", "TEXT"],
    ],
  ],
  [
    "mysql",
    "sqlite",
    [
      ["bigint(20) unsigned", "bigint unsigned", "decimal", "TEXT"],
      ["longblob", "blob", "binary", "BLOB"],
    ],
  ],
  // SQLite → either (schema translation): declared names, then SQLite's affinity rules
  [
    "sqlite",
    "postgresql",
    [
      ["BOOLEAN", "boolean", "boolean", "boolean"],
      ["TIMESTAMP", "datetime", "timestamp", "timestamp without time zone"],
      ["TIME", "time", "time", "time without time zone"],
      ["JSON", "json", "json", "jsonb"],
      ["CHAR(3)", "char", "text", "character varying(3)"],
      ["VARCHAR(100)", "varchar", "text", "character varying(100)"],
      ["INTEGER", "integer", "int64", "bigint"],
      ["CLOB", "text", "text", "text"],
      ["", "blob", "binary", "bytea"],
      ["DOUBLE", "real", "float64", "double precision"],
      ["MONEY", "numeric", "decimal", "numeric"],
    ],
  ],
  [
    "sqlite",
    "mysql",
    [
      ["DATE", "date", "date", "date"],
      ["UUID", "uuid", "uuid", "char(36)"],
      ["NUMERIC(10,2)", "decimal", "decimal", "decimal(10,2)"],
      ["UNSIGNED BIG INT", "integer", "int64", "bigint"],
      ["TEXT", "text", "text", "longtext"],
    ],
  ],
  // PostgreSQL / MySQL / SQLite → ClickHouse 18.16 (Nullable(…) is added by the writer for nullable columns)
  [
    "postgresql",
    "clickhouse",
    [
      ["boolean", "boolean", "boolean", "UInt8"],
      ["smallint", "smallint", "int16", "Int16"],
      ["integer", "integer", "int32", "Int32"],
      ["bigint", "bigint", "int64", "Int64"],
      ["numeric(12,2)", "numeric", "decimal", "Decimal(12, 2)"],
      ["numeric(50,10)", "numeric", "decimal", "String"],
      ["real", "real", "float32", "Float32"],
      ["double precision", "double", "float64", "Float64"],
      ["text", "text", "text", "String"],
      ["character varying(20)", "varchar", "text", "String"],
      ["character(3)", "char", "text", "String"],
      ["bytea", "bytea", "binary", "String"],
      ["date", "date", "date", "Date"],
      ["time(3) without time zone", "time", "time", "String"],
      ["timestamp(0) without time zone", "timestamp", "timestamp", "DateTime('UTC')"],
      ["timestamp with time zone", "timestamptz", "timestamptz", "DateTime('UTC')"],
      ["interval", "interval", "interval", "String"],
      ["json", "json", "json", "String"],
      ["jsonb", "jsonb", "json", "String"],
      ["uuid", "uuid", "uuid", "UUID"],
      ["integer[]", "array", "array", "Array(Nullable(Int32))"],
      ["text[]", "array", "array", "Array(Nullable(String))"],
      ["boolean[]", "array", "array", "String"],
      ["mood", "enum", "enum", "Enum8('a' = 1, 'b\\'c' = 2)", { ctx: { pgEnum: true, labels: ["a", "b'c"] } }],
    ],
  ],
  [
    "mysql",
    "clickhouse",
    [
      ["tinyint(1)", "tinyint(1)", "boolean", "UInt8"],
      ["tinyint(4)", "tinyint", "int16", "Int8"],
      ["tinyint(3) unsigned", "tinyint", "int16", "UInt8"],
      ["smallint(6)", "smallint", "int16", "Int16"],
      ["smallint(5) unsigned", "smallint unsigned", "int32", "UInt16"],
      ["mediumint(8) unsigned", "mediumint", "int32", "UInt32"],
      ["int(11)", "int", "int32", "Int32"],
      ["int(10) unsigned", "int unsigned", "int64", "UInt32"],
      ["bigint(20)", "bigint", "int64", "Int64"],
      ["bigint(20) unsigned", "bigint unsigned", "decimal", "UInt64"],
      ["decimal(65,30)", "decimal", "decimal", "String"],
      ["float", "float", "float32", "Float32"],
      ["double", "double", "float64", "Float64"],
      ["year(4)", "year", "int16", "UInt16"],
      ["varchar(20)", "varchar", "text", "String"],
      ["char(3)", "char", "text", "String"],
      ["longtext", "json", "json", "String", { ctx: { jsonCheck: true } }],
      ["mediumtext", "text", "text", "String"],
      ["varbinary(16)", "binary", "binary", "String"],
      ["longblob", "blob", "binary", "String"],
      ["date", "date", "date", "Date"],
      ["time", "time", "time", "String"],
      ["datetime", "datetime", "timestamp", "DateTime('UTC')"],
      ["timestamp", "timestamp", "timestamptz", "DateTime('UTC')"],
      ["uuid", "uuid", "uuid", "UUID"],
      ["enum('s','m')", "enum", "enum", "Enum8('s' = 1, 'm' = 2)"],
      ["set('a','b')", "set", "text", "String"],
    ],
  ],
  [
    "sqlite",
    "clickhouse",
    [
      ["INTEGER", "integer", "int64", "Int64"],
      ["NUMERIC(10,2)", "decimal", "decimal", "Decimal(10, 2)"],
      ["BLOB", "blob", "binary", "String"],
    ],
  ],
];

const CASES: Case[] = GROUPS.flatMap(([source, target, rows]) =>
  rows.map(
    ([type, rule, kind, targetType, extra]): Case => [
      source,
      type,
      target,
      {
        rule: NEUTRAL_RULES.has(rule) ? rule : `${source}:${rule}`,
        kind,
        targetType,
        ...(extra?.checkLabels ? { checkLabels: extra.checkLabels } : {}),
      },
      extra?.ctx,
    ],
  ),
);

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

  test("every carried kind has a type in every target engine", () => {
    const kinds = Object.keys(ARROW_TYPE) as CarriedKind[];
    const missing = (Object.keys(TARGET_TYPES) as TypeMapTarget[]).flatMap((target) =>
      kinds.filter((k) => !TARGET_TYPES[target][k]?.({})).map((k) => `${target}:${k}`),
    );
    expect([Object.keys(TARGET_TYPES).sort(), missing]).toEqual([["clickhouse", "mysql", "postgresql", "sqlite"], []]);
  });

  test("every source rule maps to ClickHouse without an override", () => {
    const unmapped = SOURCE_TYPES.filter((r) => r.engine !== "sqlite")
      .map((r) =>
        CASES.find(
          ([s, type, t, , ctx]) =>
            t === "clickhouse" &&
            mapColumnType(s, t, { table: "t", column: "c", type, ...(ctx ? { ctx } : {}) }).rule === r.id,
        ),
      )
      .filter((c) => c === undefined);
    expect(unmapped).toEqual([]);
  });

  test("ClickHouse DateTime holds whole seconds: fractional timestamps are lossy, whole-second ones are not", () => {
    const m = (source: "postgresql" | "mysql", type: string) =>
      mapColumnType(source, "clickhouse", { table: "t", column: "ts", type }).loss;
    const cut = "ClickHouse 18.16 DateTime holds whole seconds: fractional seconds are cut (no DateTime64)";
    expect([
      m("postgresql", "timestamp without time zone"),
      m("postgresql", "timestamp(3) with time zone"),
      m("postgresql", "timestamp(0) without time zone"),
      m("mysql", "datetime"),
      m("mysql", "datetime(6)"),
    ]).toEqual([[cut], [cut], [], [], [cut]]);
    const o = mapColumnType(
      "postgresql",
      "clickhouse",
      { table: "t", column: "ts", type: "timestamp without time zone" },
      { overrides: { "t.ts": "String" } },
    );
    expect([o.targetType, o.kind, o.loss]).toEqual(["String", "timestamp", []]);
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
