// The engine-neutral schema model (snapshots); type mapping and object kinds grow here.
export {
  type ColumnSnapshot,
  type ConstraintKind,
  type ConstraintSnapshot,
  type ExtensionSnapshot,
  type IndexSnapshot,
  inDependencyOrder,
  normalizeSnapshot,
  type PrimaryKeySnapshot,
  type SchemaInfo,
  type SchemaObjectKind,
  type SchemaObjectSnapshot,
  type SchemaSnapshot,
  SNAPSHOT_VERSION,
  snapshotFromJson,
  snapshotToJson,
  type TableSnapshot,
} from "./snapshot.ts";
export * from "./typemap.ts";
