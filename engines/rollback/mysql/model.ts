// The MariaDB/MySQL schema as the migration changes it, statement by statement (schema = database),
// and the SQL spellings the inverses share: names, column and key definitions from the snapshot.

import { columnDef, indexDef } from "../../mysql/ddl.ts";
import { mariadbDialect, mysqlDialect } from "../../mysql/dialect.ts";
import type { Name } from "../../risk/tokens/cursor.ts";
import type { ColumnSnapshot, SchemaObjectSnapshot, SchemaSnapshot, TableSnapshot } from "../../schema/snapshot.ts";
import { BACKUP_SCHEMA } from "../backup-names.ts";

export interface Rel {
  schema: string;
  name: string;
}

const key = (r: Rel) => `${r.schema}.${r.name}`.toLowerCase();

export class MyModel {
  readonly tables = new Map<string, TableSnapshot>();
  readonly objects: SchemaObjectSnapshot[];
  readonly created = new Set<string>();
  /** Columns this migration added, "schema.table.column": later changes to them need no inverse. */
  readonly createdColumns = new Set<string>();
  readonly known: boolean;
  readonly d: typeof mysqlDialect;
  readonly mysql: boolean;

  constructor(
    snapshot: SchemaSnapshot | undefined,
    readonly defaultSchema: string,
    engine: "mysql" | "mariadb",
  ) {
    this.known = snapshot !== undefined;
    for (const t of snapshot?.tables ?? []) this.tables.set(key(t), structuredClone(t));
    this.objects = structuredClone(snapshot?.objects ?? []);
    this.mysql = engine === "mysql";
    this.d = engine === "mysql" ? mysqlDialect : mariadbDialect;
  }

  get notIn(): string {
    return this.known ? "is not in the schema snapshot" : "is unknown (no schema snapshot was given)";
  }

  rel(n: Name): Rel {
    return { schema: n.parts.length > 1 ? (n.parts.at(-2) ?? this.defaultSchema) : this.defaultSchema, name: n.name };
  }
  table(r: Rel): TableSnapshot | undefined {
    return this.tables.get(key(r));
  }
  isCreated(r: Rel): boolean {
    return this.created.has(key(r));
  }
  markCreated(r: Rel): void {
    this.created.add(key(r));
  }
  columnCreated(r: Rel, column: string): boolean {
    return this.createdColumns.has(`${key(r)}.${column.toLowerCase()}`);
  }
  markColumnCreated(r: Rel, column: string, on = true): void {
    const k = `${key(r)}.${column.toLowerCase()}`;
    if (on) this.createdColumns.add(k);
    else this.createdColumns.delete(k);
  }
  put(t: TableSnapshot): void {
    this.tables.set(key(t), t);
  }
  remove(r: Rel): void {
    this.tables.delete(key(r));
    this.created.delete(key(r));
  }
  rename(from: Rel, to: Rel): void {
    const t = this.table(from);
    const created = this.isCreated(from);
    this.remove(from);
    if (t) this.put({ ...t, schema: to.schema, name: to.name });
    if (created) this.markCreated(to);
    for (const k of [...this.createdColumns]) {
      if (k.startsWith(`${key(from)}.`)) {
        this.createdColumns.delete(k);
        this.createdColumns.add(`${key(to)}.${k.slice(key(from).length + 1)}`);
      }
    }
  }
  object(kind: string, r: Rel): SchemaObjectSnapshot | undefined {
    return this.objects.find(
      (o) =>
        o.kind === kind &&
        o.schema.toLowerCase() === r.schema.toLowerCase() &&
        o.name.toLowerCase() === r.name.toLowerCase(),
    );
  }
  removeObject(o: SchemaObjectSnapshot): void {
    const i = this.objects.indexOf(o);
    if (i >= 0) this.objects.splice(i, 1);
  }

  // ---- spellings ----
  qi(name: string): string {
    return this.d.quoteIdent(name);
  }
  ql(value: string): string {
    return this.d.quoteLiteral(value);
  }
  /** A table as the down script names it: qualified only outside the default database. */
  qn(r: Rel): string {
    return r.schema === this.defaultSchema ? this.qi(r.name) : `${this.qi(r.schema)}.${this.qi(r.name)}`;
  }
  backupName(table: string): string {
    return `${this.qi(BACKUP_SCHEMA)}.${this.qi(table)}`;
  }
  colDef(t: TableSnapshot, c: ColumnSnapshot): string {
    return columnDef(c, t, { d: this.d, mysql: this.mysql });
  }
  keyDef(t: TableSnapshot, name: string): string | undefined {
    const ix = t.indexes.find((i) => i.name === name);
    return ix ? indexDef(ix, this.d) : undefined;
  }
  /** "FIRST" or "AFTER `prev`": where a column sits in the table, for ADD/MODIFY to put it back. */
  position(t: TableSnapshot, column: string): string {
    const cols = ordered(t);
    const i = cols.findIndex((c) => c.name === column);
    const prev = i > 0 ? cols[i - 1] : undefined;
    return prev ? `AFTER ${this.qi(prev.name)}` : "FIRST";
  }
}

export function ordered(t: TableSnapshot): ColumnSnapshot[] {
  return [...t.columns].sort((a, b) => a.ordinal - b.ordinal);
}

/** Renumbers ordinals after a change of column order. */
export function setColumns(t: TableSnapshot, cols: ColumnSnapshot[]): void {
  t.columns = cols.map((c, i) => ({ ...c, ordinal: i + 1 }));
}

/** Columns a restore can write: generated columns are computed. */
export function writable(t: TableSnapshot): string[] {
  return ordered(t)
    .filter((c) => c.generated === undefined)
    .map((c) => c.name);
}

export function primaryKey(t: TableSnapshot | undefined): string[] {
  return t?.primaryKey?.columns ?? [];
}
