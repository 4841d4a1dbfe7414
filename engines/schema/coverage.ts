// The object kinds introspection must capture (issue 6). Each full engine's inspect test holds a
// case per kind, created in a real database and found in the snapshot, or the reason the engine
// has no such thing; the type below makes a missing entry a compile error.
export const INTROSPECTION_KINDS = [
  "schema",
  "schema.comment",
  "table",
  "table.comment",
  "table.options",
  "table.partitioned",
  "table.partition",
  "column.type",
  "column.nullable",
  "column.default",
  "column.identity",
  "column.auto_increment",
  "column.generated",
  "column.generated_virtual",
  "column.collation",
  "column.charset",
  "column.comment",
  "column.on_update",
  "primary_key",
  "unique",
  "check",
  "foreign_key",
  "exclusion",
  "index",
  "index.method",
  "index.partial",
  "index.expression",
  "index.include",
  "index.descending",
  "index.prefix",
  "view",
  "materialized_view",
  "sequence",
  "enum",
  "composite_type",
  "domain",
  "range_type",
  "function",
  "procedure",
  "trigger",
  "event",
  "extension",
] as const;

export type IntrospectionKind = (typeof INTROSPECTION_KINDS)[number];

/** One kind's proof: where to look in the snapshot and what must be there, or why the engine has none. */
export type CoverageCase<S> = { find: (s: S) => unknown; expected: unknown } | { none: string };

export type CoverageList<S> = Record<IntrospectionKind, CoverageCase<S>>;
