// Explorer sessions per engine: statements inside a transaction the agent itself makes
// read-only when asked (PostgreSQL SET TRANSACTION READ ONLY, MariaDB START TRANSACTION READ ONLY,
// SQLite opened readonly + PRAGMA query_only), with the result columns traced to their source
// table columns where the driver tells (postgres.js RowDescription table OID + attnum, mysql2
// orgTable/orgName; bun:sqlite does not expose sqlite3_column_table_name, so SQLite has none).
import mysql from "mysql2/promise";
import postgres from "postgres";
import { MigratrixError } from "../common/errors.ts";
import { type EngineId, getEngine, parseMysqlUrl } from "../engines/index.ts";
import type { OutputColumn } from "./explorer-mask.ts";
import { openSqliteSession } from "./explorer-sqlite.ts";

export interface RunOptions {
  sql: string;
  params: readonly string[];
  /** Rows fetched at most; one more is asked for to tell truncation. */
  maxRows: number;
  batchRows: number;
}

export interface Execution {
  columns: OutputColumn[];
  /** Batches of raw rows (values as the driver gives them). */
  batches: AsyncIterable<unknown[][]>;
  rowsAffected(): number;
}

export interface CatalogColumn {
  schema: string;
  table: string;
  column: string;
}

/** "table" or "schema.table" as the caller wrote it. */
export interface TableName {
  schema?: string;
  name: string;
}

export interface TableInfo {
  /** The table's name quoted by the dialect, ready for SQL text. */
  sqlName: string;
  columns: string[];
  /** Primary key columns in key order; empty when the table has none. */
  primaryKey: string[];
}

export interface SessionOptions {
  readOnly: boolean;
  timeoutMs: number;
  /**
   * Layer 2: the database-level read-only session (read-only transaction, query_only). Always on
   * outside tests; a test switches it off to prove the read credential alone stops writes.
   */
  guard: boolean;
  /** Layer 3: the session runs on the connection's read-only credential (SQLite: readonly open). */
  readCredential: boolean;
}

export interface ExplorerSession {
  readonly traces: boolean;
  /** The row-locking clause of a SELECT ("" where the engine has none: SQLite locks the file). */
  readonly forUpdate: string;
  /** The n-th (1-based) bound parameter's placeholder. */
  placeholder(n: number): string;
  begin(opts: SessionOptions): Promise<void>;
  /** Columns are known before any row is read, so masking decisions precede the rows. */
  run(opts: RunOptions): Promise<Execution>;
  /** Definitions of the views among these names. */
  viewDefinitions(names: readonly string[]): Promise<Map<string, string>>;
  /** Columns of the tables and views among these names. */
  columnsOf(names: readonly string[]): Promise<CatalogColumn[]>;
  /** User-defined functions among these names: they may read any table, masked columns included. */
  userFunctions(names: readonly string[]): Promise<string[]>;
  /** The table's columns and primary key; undefined when there is no such table. */
  tableInfo(table: TableName): Promise<TableInfo | undefined>;
  /** Commits a write; a read-only transaction is always rolled back. */
  finish(commit: boolean): Promise<void>;
  close(): Promise<void>;
}

const errorsOf = (engine: EngineId) => getEngine(engine).errors;

/** A driver value as text, the way a console shows it. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString("hex")}`;
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

export function openExplorerSession(engine: EngineId, url: string, connectTimeoutMs: number): Promise<ExplorerSession> {
  if (engine === "postgresql") return openPostgres(url, connectTimeoutMs);
  if (engine === "mysql" || engine === "mariadb") return openMysql(engine, url, connectTimeoutMs);
  if (engine === "sqlite") return openSqliteSession(url);
  throw new MigratrixError("unimplemented", `the explorer does not support ${engine} connections`);
}

async function openPostgres(url: string, connectTimeoutMs: number): Promise<ExplorerSession> {
  const sql = postgres(url, {
    max: 1,
    prepare: false,
    max_lifetime: null,
    connect_timeout: connectTimeoutMs / 1000,
    onnotice: () => {},
    connection: { application_name: "migratrix-explorer" },
  });
  const errors = errorsOf("postgresql");
  const guard = async <T>(text: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw errors.toMigratrixError(e, { sql: text });
    }
  };
  const q = (text: string, params: unknown[] = []) =>
    guard(text, () => sql.unsafe(text, params as postgres.ParameterOrJSON<never>[]));
  const quote = getEngine("postgresql").dialect.quoteIdent;
  return {
    traces: true,
    forUpdate: " FOR UPDATE",
    placeholder: (n) => `$${n}`,
    async begin({ readOnly, timeoutMs, guard }) {
      await q("BEGIN");
      if (readOnly && guard) await q("SET TRANSACTION READ ONLY");
      await q(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    },
    async run(opts) {
      const described = await guard(opts.sql, () =>
        sql.unsafe(opts.sql, [...opts.params] as postgres.ParameterOrJSON<never>[]).describe(),
      );
      const cols = described.columns ?? [];
      const oids = [...new Set(cols.map((c) => c.table).filter((t) => t > 0))];
      const names = new Map<string, { schema: string; table: string; column: string }>();
      if (oids.length > 0) {
        const rows = await q(
          `select c.oid::int as oid, a.attnum::int as num, n.nspname as schema, c.relname as table, a.attname as column
             from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
            where c.oid = any($1::oid[]) and a.attnum > 0`,
          [oids],
        );
        for (const r of rows) names.set(`${r.oid}:${r.num}`, { schema: r.schema, table: r.table, column: r.column });
      }
      const types = new Map<number, string>();
      const typeOids = [...new Set(cols.map((c) => c.type))];
      if (typeOids.length > 0) {
        for (const r of await q("select oid::int as oid, typname from pg_type where oid = any($1::oid[])", [
          typeOids,
        ])) {
          types.set(r.oid, r.typname);
        }
      }
      const columns: OutputColumn[] = cols.map((c) => {
        const source = names.get(`${c.table}:${c.number}`);
        return { name: c.name, type: types.get(c.type) ?? String(c.type), ...(source ? { source } : {}) };
      });
      let affected = 0;
      if (columns.length === 0) {
        const res = await q(opts.sql, [...opts.params]);
        affected = Number(res.count ?? 0);
        return { columns, batches: (async function* () {})(), rowsAffected: () => affected };
      }
      const cursor = sql
        .unsafe(opts.sql, [...opts.params] as postgres.ParameterOrJSON<never>[])
        .values()
        .cursor(Math.max(1, opts.batchRows));
      async function* batches(): AsyncGenerator<unknown[][]> {
        let seen = 0;
        try {
          for await (const rows of cursor) {
            const batch = rows as unknown as unknown[][];
            seen += batch.length;
            yield batch;
            // Leaving the loop closes the portal: rows past the limit are never fetched.
            if (seen > opts.maxRows) break;
          }
        } catch (e) {
          throw errors.toMigratrixError(e, { sql: opts.sql });
        }
      }
      return { columns, batches: batches(), rowsAffected: () => affected };
    },
    async viewDefinitions(names) {
      const out = new Map<string, string>();
      if (names.length === 0) return out;
      const rows = await q(
        "select c.relname as name, pg_get_viewdef(c.oid) as def from pg_class c where c.relkind in ('v', 'm') and c.relname = any($1::text[])",
        [[...names]],
      );
      for (const r of rows) out.set(r.name, r.def);
      return out;
    },
    async columnsOf(names) {
      if (names.length === 0) return [];
      const rows = await q(
        `select n.nspname as schema, c.relname as table, a.attname as column
           from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
          where c.relname = any($1::text[]) and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped`,
        [[...names]],
      );
      return rows.map((r) => ({ schema: r.schema, table: r.table, column: r.column }));
    },
    async userFunctions(names) {
      if (names.length === 0) return [];
      const rows = await q(
        `select distinct p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where p.proname = any($1::text[]) and n.nspname not in ('pg_catalog', 'information_schema')`,
        [[...names]],
      );
      return rows.map((r) => String(r.name));
    },
    async tableInfo(table) {
      const sqlName = table.schema ? `${quote(table.schema)}.${quote(table.name)}` : quote(table.name);
      const rows = await q(
        `select a.attname as name,
                coalesce((select k.n from pg_index i, unnest(i.indkey) with ordinality as k(attnum, n)
                           where i.indrelid = a.attrelid and i.indisprimary and k.attnum = a.attnum), 0)::int as pk
           from pg_attribute a
          where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped order by a.attnum`,
        [sqlName],
      );
      if (rows.length === 0) return undefined;
      return {
        sqlName,
        columns: rows.map((r) => String(r.name)),
        primaryKey: rows
          .filter((r) => r.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((r) => String(r.name)),
      };
    },
    async finish(commit) {
      await q(commit ? "COMMIT" : "ROLLBACK");
    },
    async close() {
      await sql.end({ timeout: 1 });
    },
  };
}

/** mysql2's options for a URL: where, who, and how long to wait for the server. Throws on a bad URL. */
export function mysqlConnectOptions(engine: "mysql" | "mariadb", url: string, connectTimeoutMs: number) {
  const t = parseMysqlUrl(url, engine);
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    ...(t.database ? { database: t.database } : {}),
    connectTimeout: connectTimeoutMs,
  };
}

async function openMysql(engine: "mysql" | "mariadb", url: string, connectTimeoutMs: number): Promise<ExplorerSession> {
  const options = mysqlConnectOptions(engine, url, connectTimeoutMs);
  const errors = errorsOf(engine);
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({
      ...options,
      multipleStatements: false,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: "Z",
      charset: "utf8mb4",
    });
  } catch (e) {
    throw errors.toMigratrixError(e);
  }
  const q = async (text: string, values: unknown[] = []) => {
    try {
      return await conn.query({ sql: text, values, rowsAsArray: true });
    } catch (e) {
      throw errors.toMigratrixError(e, { sql: text });
    }
  };
  const inList = (names: readonly string[]) => names.map(() => "?").join(", ");
  const quote = getEngine(engine).dialect.quoteIdent;
  return {
    traces: true,
    forUpdate: " FOR UPDATE",
    placeholder: () => "?",
    async begin({ readOnly, timeoutMs, guard }) {
      // MariaDB: max_statement_time in seconds; MySQL: max_execution_time (SELECT only), in ms.
      if (engine === "mariadb") await q(`SET SESSION max_statement_time = ${Math.max(0.001, timeoutMs / 1000)}`);
      else await q(`SET SESSION max_execution_time = ${Math.max(1, Math.floor(timeoutMs))}`);
      await q(readOnly && guard ? "START TRANSACTION READ ONLY" : "START TRANSACTION");
    },
    async run(opts) {
      // Bounds what the server sends for a SELECT; one row more tells truncation.
      await q(`SET SESSION sql_select_limit = ${Math.max(1, opts.maxRows + 1)}`);
      const [result, fields] = await q(opts.sql, [...opts.params]);
      // The catalog reads that follow (views, masked tables) must not be cut by it.
      await q("SET SESSION sql_select_limit = DEFAULT");
      if (!Array.isArray(result)) {
        const affected = Number((result as { affectedRows?: number }).affectedRows ?? 0);
        return { columns: [], batches: (async function* () {})(), rowsAffected: () => affected };
      }
      const columns: OutputColumn[] = (fields ?? []).map((f) => {
        const traced = f.orgTable && f.orgName;
        return {
          name: f.name,
          type: String(f.columnType ?? f.type ?? ""),
          ...(traced ? { source: { schema: f.db, table: f.orgTable, column: f.orgName } } : {}),
        };
      });
      const rows = result as unknown[][];
      async function* batches(): AsyncGenerator<unknown[][]> {
        for (let i = 0; i < rows.length; i += Math.max(1, opts.batchRows)) yield rows.slice(i, i + opts.batchRows);
      }
      return { columns, batches: batches(), rowsAffected: () => 0 };
    },
    async viewDefinitions(names) {
      const out = new Map<string, string>();
      if (names.length === 0) return out;
      const [rows] = await q(
        `SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = DATABASE() AND table_name IN (${inList(names)})`,
        [...names],
      );
      for (const r of rows as unknown[][]) out.set(String(r[0]), String(r[1] ?? ""));
      return out;
    },
    async columnsOf(names) {
      if (names.length === 0) return [];
      const [rows] = await q(
        `SELECT table_schema, table_name, column_name FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name IN (${inList(names)})`,
        [...names],
      );
      return (rows as unknown[][]).map((r) => ({ schema: String(r[0]), table: String(r[1]), column: String(r[2]) }));
    },
    async userFunctions(names) {
      if (names.length === 0) return [];
      const [rows] = await q(
        `SELECT DISTINCT routine_name FROM information_schema.routines WHERE routine_schema = DATABASE() AND routine_name IN (${inList(names)})`,
        [...names],
      );
      return (rows as unknown[][]).map((r) => String(r[0]));
    },
    async tableInfo(table) {
      const [rows] = await q(
        `SELECT c.column_name, COALESCE(k.ordinal_position, 0) FROM information_schema.columns c
           LEFT JOIN information_schema.key_column_usage k ON k.table_schema = c.table_schema
            AND k.table_name = c.table_name AND k.column_name = c.column_name AND k.constraint_name = 'PRIMARY'
          WHERE c.table_schema = COALESCE(?, DATABASE()) AND c.table_name = ? ORDER BY c.ordinal_position`,
        [table.schema ?? null, table.name],
      );
      const list = rows as unknown[][];
      if (list.length === 0) return undefined;
      return {
        sqlName: table.schema ? `${quote(table.schema)}.${quote(table.name)}` : quote(table.name),
        columns: list.map((r) => String(r[0])),
        primaryKey: list
          .filter((r) => Number(r[1]) > 0)
          .sort((a, b) => Number(a[1]) - Number(b[1]))
          .map((r) => String(r[0])),
      };
    },
    async finish(commit) {
      await q(commit ? "COMMIT" : "ROLLBACK");
    },
    async close() {
      await conn.end();
    },
  };
}
