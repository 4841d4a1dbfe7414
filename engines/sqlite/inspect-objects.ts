// SQLite table parts read with `objects: true`: the stored CREATE TABLE, its options, column
// collations, generation and AUTOINCREMENT, and the constraints (primary key, unique, check,
// foreign keys). SQLite names only the constraints the user named; the others get a name made
// from the table and columns (PostgreSQL's pattern), so equal schemas give equal snapshots.
import type { ConstraintSnapshot, TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { sqliteDialect } from "./dialect.ts";
import { parseCreateTable } from "./inspect-sql.ts";

type ForeignKeyRow = {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
  on_update: string;
  on_delete: string;
};

const q = sqliteDialect.quoteIdent;
const list = (names: string[]) => names.map(q).join(", ");

export async function tableDetails(session: Session, table: TableSnapshot, sql: string | null): Promise<void> {
  const constraints: ConstraintSnapshot[] = [];
  if (table.primaryKey) {
    const columns = table.primaryKey.columns;
    constraints.push({ name: `${table.name}_pkey`, kind: "primary", definition: `PRIMARY KEY (${list(columns)})` });
  }
  for (const ix of table.indexes) {
    if (ix.constraint) {
      constraints.push({ name: ix.name, kind: "unique", definition: `UNIQUE (${list(ix.columns)})` });
    }
  }
  const parsed = sql !== null ? parseCreateTable(sql) : null;
  if (sql !== null) table.definition = sql;
  if (parsed) {
    const options: Record<string, string> = {};
    if (parsed.withoutRowid) options.without_rowid = "true";
    if (parsed.strict) options.strict = "true";
    if (Object.keys(options).length > 0) table.options = options;
    let unnamed = 0;
    const checkName = (given?: string) => given ?? `${table.name}_check${++unnamed}`;
    for (const pc of parsed.columns) {
      const c = table.columns.find((k) => k.name === pc.name);
      if (!c) continue;
      if (pc.collation !== undefined) c.collation = pc.collation;
      if (pc.autoIncrement) c.autoIncrement = true;
      if (pc.generated) {
        c.generated = pc.generated.expression;
        if (!pc.generated.stored) c.virtual = true;
      }
      for (const ck of pc.checks) {
        constraints.push({
          name: checkName(ck.name),
          kind: "check",
          definition: `CHECK (${ck.expression})`,
          column: c.name,
        });
      }
    }
    for (const ck of parsed.checks) {
      constraints.push({ name: checkName(ck.name), kind: "check", definition: `CHECK (${ck.expression})` });
    }
  }
  const rows = await session.query<ForeignKeyRow>("SELECT * FROM pragma_foreign_key_list(?, ?)", [
    table.name,
    table.schema,
  ]);
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const r of rows) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  for (const parts of byId.values()) {
    parts.sort((a, b) => a.seq - b.seq);
    const first = parts[0];
    if (!first) continue;
    const columns = parts.map((p) => p.from);
    // A reference without columns means the target's primary key; it stays without them.
    const referenced = parts.every((p) => p.to !== null) ? parts.map((p) => p.to ?? "") : [];
    const onDelete = first.on_delete !== "NO ACTION" ? first.on_delete : undefined;
    const onUpdate = first.on_update !== "NO ACTION" ? first.on_update : undefined;
    constraints.push({
      name: parsed?.foreignKeyNames.get(columns.join(",")) ?? `${table.name}_${columns.join("_")}_fkey`,
      kind: "foreign",
      definition:
        `FOREIGN KEY (${list(columns)}) REFERENCES ${q(first.table)}` +
        `${referenced.length > 0 ? ` (${list(referenced)})` : ""}` +
        `${onDelete ? ` ON DELETE ${onDelete}` : ""}${onUpdate ? ` ON UPDATE ${onUpdate}` : ""}`,
      references: `${table.schema}.${first.table}`,
      columns,
      ...(referenced.length > 0 ? { referencedColumns: referenced } : {}),
      ...(onDelete ? { onDelete } : {}),
      ...(onUpdate ? { onUpdate } : {}),
    });
  }
  if (constraints.length > 0) table.constraints = constraints;
}
