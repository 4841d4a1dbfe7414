// The schema as the migration changes it, statement by statement: each inverse is derived from the
// state just before its statement, not from the snapshot taken before the whole migration.
import { postgresDialect } from "../../postgres/dialect.ts";
import type {
  ColumnSnapshot,
  SchemaObjectKind,
  SchemaObjectSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../../schema/snapshot.ts";

export const qi = (name: string) => postgresDialect.quoteIdent(name);
export const ql = (value: string) => postgresDialect.quoteLiteral(value);
export const qn = (schema: string, name: string) => `${qi(schema)}.${qi(name)}`;

export interface Rel {
  schema: string;
  name: string;
}

export class Model {
  readonly tables = new Map<string, TableSnapshot>();
  readonly objects: SchemaObjectSnapshot[];
  /** Tables this migration created: later statements on them need no inverse of their own. */
  readonly created = new Set<string>();
  readonly known: boolean;

  constructor(snapshot: SchemaSnapshot | undefined) {
    this.known = snapshot !== undefined;
    for (const t of snapshot?.tables ?? []) this.tables.set(key(t), structuredClone(t));
    this.objects = structuredClone(snapshot?.objects ?? []);
  }

  /** How a reason says an object is unknown: missing from the snapshot, or no snapshot at all. */
  get notIn(): string {
    return this.known ? "is not in the schema snapshot" : "is unknown (no schema snapshot was given)";
  }

  table(r: Rel): TableSnapshot | undefined {
    return this.tables.get(key(r));
  }

  markCreated(r: Rel): void {
    this.created.add(key(r));
  }

  /** Moves a table to another schema, keeping whether this migration created it. */
  moveTable(r: Rel, schema: string): void {
    const t = this.table(r);
    const created = this.created.delete(key(r));
    if (t) {
      this.tables.delete(key(r));
      t.schema = schema;
      this.tables.set(key(t), t);
    }
    if (created) this.created.add(key({ schema, name: r.name }));
  }

  isCreated(r: Rel): boolean {
    return this.created.has(key(r));
  }

  column(r: Rel, name: string): ColumnSnapshot | undefined {
    return this.table(r)?.columns.find((c) => c.name === name);
  }

  object(kind: SchemaObjectKind, r: Rel): SchemaObjectSnapshot[] {
    return this.objects.filter((o) => o.kind === kind && o.schema === r.schema && o.name === r.name);
  }

  renameTable(r: Rel, to: string): void {
    const t = this.table(r);
    if (t) {
      this.tables.delete(key(r));
      t.name = to;
      this.tables.set(key(t), t);
    }
    if (this.created.delete(key(r))) this.created.add(key({ schema: r.schema, name: to }));
  }

  dropTable(r: Rel): void {
    this.tables.delete(key(r));
    this.created.delete(key(r));
  }
}

function key(r: Rel): string {
  return `${r.schema}\u0000${r.name}`;
}

/** CREATE TABLE with columns, defaults, identity and NOT NULL; constraints and indexes come after. */
export function createTableSql(t: TableSnapshot): string {
  const cols = [...t.columns]
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((c) => `  ${columnDef(c)}`)
    .join(",\n");
  return `CREATE TABLE ${qn(t.schema, t.name)} (\n${cols}\n)`;
}

export function columnDef(c: ColumnSnapshot): string {
  const identity = c.identity ? ` GENERATED ${c.identity === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY` : "";
  const dflt = c.default !== null && !identity ? ` DEFAULT ${c.default}` : "";
  const generated = c.generated !== undefined ? ` GENERATED ALWAYS AS (${c.generated}) STORED` : "";
  return `${qi(c.name)} ${c.type}${dflt}${identity}${generated}${c.nullable ? "" : " NOT NULL"}`;
}

/** Columns a restore writes, in table order: generated columns compute themselves. */
export function writableColumns(t: TableSnapshot): string[] {
  return [...t.columns]
    .filter((c) => c.generated === undefined)
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((c) => c.name);
}

/** Constraints, then the indexes no constraint owns, then triggers: the rest of a table's DDL. */
export function tableExtrasSql(t: TableSnapshot, objects: SchemaObjectSnapshot[]): string[] {
  const out: string[] = [];
  // Primary and unique keys before foreign keys, which may reference them.
  const order = { primary: 0, unique: 1, exclusion: 2, check: 3, foreign: 4 } as const;
  for (const c of [...(t.constraints ?? [])].sort((a, b) => order[a.kind] - order[b.kind])) {
    out.push(`ALTER TABLE ${qn(t.schema, t.name)} ADD CONSTRAINT ${qi(c.name)} ${c.definition}`);
  }
  for (const ix of t.indexes) if (!ix.constraint && ix.definition) out.push(ix.definition);
  for (const o of objects) {
    if (o.kind === "trigger" && o.schema === t.schema && o.table === t.name) out.push(o.definition);
  }
  return out;
}

/** Primary key columns, or [] when the table has none or is unknown. */
export function keyOf(t: TableSnapshot | undefined): string[] {
  return t?.primaryKey?.columns ?? [];
}
