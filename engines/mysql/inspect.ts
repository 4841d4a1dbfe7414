// MySQL/MariaDB introspection from information_schema of the connection's database (or the
// databases asked for). The "schema" of a table is its database.
import { MigratrixError } from "../../common/errors.ts";
import type { Inspector } from "../adapter.ts";
import { HISTORY_TABLE } from "../runner/history.ts";
import { normalizeSnapshot, SNAPSHOT_VERSION, type TableSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import type { MysqlFlavor } from "./driver.ts";

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

  async function inspect(session: Session, opts?: { schemas?: string[] }) {
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

    type KeyPartRow = Located & { name: string; nonUnique: number; column: string | null };
    const parts = await session.query<KeyPartRow>(
      `SELECT TABLE_SCHEMA AS \`schema\`, TABLE_NAME AS \`table\`, INDEX_NAME AS name, NON_UNIQUE AS nonUnique,
              COLUMN_NAME AS \`column\`
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA IN (${inList})
       ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
      dbs,
    );
    for (const r of parts) {
      const t = tableOf(r);
      if (!t) continue;
      // MySQL 8 functional key parts have no column name; their expression is not read yet.
      const column = r.column ?? "";
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
    }

    return normalizeSnapshot({
      version: SNAPSHOT_VERSION,
      engine: flavor,
      serverVersion: await session.serverVersion(),
      schemas: dbs.map((name) => ({ name })),
      tables: [...tables.values()],
    });
  }

  return { inspect } satisfies Inspector;
}
