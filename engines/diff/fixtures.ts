// Small snapshot builders for the diff's unit tests (no server).
import type { ColumnSnapshot, SchemaObjectSnapshot, SchemaSnapshot, TableSnapshot } from "../schema/snapshot.ts";

export function col(name: string, type: string, extra: Partial<ColumnSnapshot> = {}): ColumnSnapshot {
  return { name, type, nullable: true, default: null, ordinal: 0, ...extra };
}

export function table(name: string, columns: ColumnSnapshot[], extra: Partial<TableSnapshot> = {}): TableSnapshot {
  return {
    schema: "public",
    name,
    columns: columns.map((c, i) => ({ ...c, ordinal: c.ordinal || i + 1 })),
    primaryKey: null,
    indexes: [],
    constraints: [],
    ...extra,
  };
}

export function snap(tables: TableSnapshot[], objects: SchemaObjectSnapshot[] = []): SchemaSnapshot {
  return {
    version: 1,
    engine: "postgresql",
    serverVersion: "PostgreSQL 15",
    schemas: [{ name: "public" }],
    tables,
    objects,
  };
}

export function view(name: string, body: string, dependsOn: string[]): SchemaObjectSnapshot {
  return {
    kind: "view",
    schema: "public",
    name,
    dependsOn,
    definition: `CREATE VIEW "public"."${name}" AS\n${body}`,
  };
}
