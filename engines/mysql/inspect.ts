// MySQL/MariaDB introspection from information_schema of the connection's database (or the
// databases asked for). The "schema" of a table is its database.
import { MigratrixError } from "../../common/errors.ts";
import type { InspectOptions, Inspector } from "../adapter.ts";
import { HISTORY_TABLE } from "../runner/history.ts";
import { type IndexSnapshot, normalizeSnapshot, SNAPSHOT_VERSION, type TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { mariadbDialect, mysqlDialect } from "./dialect.ts";
import type { MysqlFlavor } from "./driver.ts";
import { createObjectReader } from "./inspect-objects.ts";

type Located = { schema: string; table: string };

async function databases(session: Session, asked?: string[]): Promise<string[]> {
  if (asked && asked.length > 0) return asked;
  const [row] = await session.query<{ db: string | null }>("SELECT DATABASE() AS db");
  if (!row?.db) throw new MigratrixError("invalid_argument", "the connection URL names no database to inspect");
  return [row.db];
}

export function createMysqlInspector(flavor: MysqlFlavor) {
  // MariaDB prints "no default" on a nullable column as the text NULL, and quotes string defaults.
  const normalizeDefault = (d: string | null) => (flavor === "mariadb" && d === "NULL" ? null : d);

  const reader = createObjectReader(flavor, (flavor === "mariadb" ? mariadbDialect : mysqlDialect).quoteIdent);

  /** Index type, prefix lengths, descending parts and comment, read with `objects: true`. */
  function addIndexDetails(
    index: IndexSnapshot,
    rows: { type: string; subPart: number | null; collation: string | null; comment: string | null }[],
  ) {
    const type = rows[0]?.type ?? "BTREE";
    if (type !== "BTREE") index.method = type;
    // SPATIAL keys report an internal prefix (32) that is not part of their definition.
    const lengths = rows.map((r) => (r.subPart === null || type === "SPATIAL" ? null : Number(r.subPart)));
    if (lengths.some((l) => l !== null)) index.lengths = lengths;
    const descending = rows.map((r) => r.collation === "D");
    if (descending.some((d) => d)) index.descending = descending;
    if (rows[0]?.comment) index.comment = rows[0].comment;
  }

  async function inspect(session: Session, opts?: InspectOptions) {
    const dbs = await databases(session, opts?.schemas);
    const inList = dbs.map(() => "?").join(", ");
    const tables = new Map<string, TableSnapshot>();
    const key = (schema: string, name: string) => `${schema}\u0000${name}`;
    const tableRows = await session.query<{ schema: string; name: string }>(
      `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS name FROM information_schema.TABLES
       WHERE TABLE_SCHEMA IN (${inList}) AND TABLE_TYPE = 'BASE TABLE' AND TABLE_NAME <> ?`,
      [...dbs, HISTORY_TABLE],
    );
    for (const t of tableRows) {
      tables.set(key(t.schema, t.name), { schema: t.schema, name: t.name, columns: [], primaryKey: null, indexes: [] });
    }
    const tableOf = (r: Located) => tables.get(key(r.schema, r.table));

    type ColumnRow = Located & { name: string; type: string; nullable: string; dflt: string | null; ordinal: number };
    const columns = await session.query<ColumnRow>(
      `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, COLUMN_NAME AS name, COLUMN_TYPE AS type,
              IS_NULLABLE AS nullable, COLUMN_DEFAULT AS dflt, ORDINAL_POSITION AS ordinal
       FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN (${inList})`,
      dbs,
    );
    for (const r of columns) {
      tableOf(r)?.columns.push({
        name: r.name,
        type: r.type,
        nullable: r.nullable === "YES",
        default: normalizeDefault(r.dflt),
        ordinal: Number(r.ordinal),
      });
    }

    type KeyPartRow = Located & {
      name: string;
      nonUnique: number;
      column: string | null;
      expression: string | null;
      type: string;
      subPart: number | null;
      collation: string | null;
      comment: string | null;
    };
    // MySQL 8 keeps functional key parts' text in EXPRESSION; MariaDB has no functional key parts.
    const expression = flavor === "mysql" ? "EXPRESSION" : "NULL";
    const parts = await session.query<KeyPartRow>(
      `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, INDEX_NAME AS name, NON_UNIQUE AS nonUnique,
              COLUMN_NAME AS \`column\`, ${expression} AS expression, INDEX_TYPE AS type, SUB_PART AS subPart,
              COLLATION AS collation, INDEX_COMMENT AS comment
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (${inList})
       ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      dbs,
    );
    const details = new Map<IndexSnapshot, KeyPartRow[]>();
    for (const r of parts) {
      const t = tableOf(r);
      if (!t) continue;
      // A MySQL 8 functional key part has no column name: its expression stands in its place.
      const column = r.column ?? (r.expression !== null ? `(${r.expression})` : "");
      let index = t.indexes.find((i) => i.name === r.name);
      if (!index) {
        const primary = r.name === "PRIMARY";
        index = {
          name: r.name,
          columns: [],
          unique: Number(r.nonUnique) === 0,
          ...(primary ? { primary: true as const } : {}),
        };
        t.indexes.push(index);
        if (primary) t.primaryKey = { columns: index.columns };
      }
      index.columns.push(column);
      details.set(index, [...(details.get(index) ?? []), r]);
    }
    const objects = opts?.objects ? { objects: await reader.read(session, dbs, tableOf) } : {};
    if (opts?.objects) for (const [index, rows] of details) addIndexDetails(index, rows);

    return normalizeSnapshot({
      version: SNAPSHOT_VERSION,
      engine: flavor,
      serverVersion: await session.serverVersion(),
      schemas: dbs.map((name) => ({ name })),
      tables: [...tables.values()],
      ...objects,
    });
  }

  return { inspect } satisfies Inspector;
}
