// Explorer sessions per engine: one statement inside a transaction the agent itself makes
// read-only when asked (PostgreSQL SET TRANSACTION READ ONLY, MariaDB START TRANSACTION READ ONLY,
// SQLite opened readonly + PRAGMA query_only), with the result columns traced to their source
// table columns where the driver tells (postgres.js RowDescription table OID + attnum, mysql2
// orgTable/orgName; bun:sqlite does not expose sqlite3_column_table_name, so SQLite has none).
import { Database } from "bun:sqlite";
import mysql from "mysql2/promise";
import postgres from "postgres";
import { MigratrixError } from "../common/errors.ts";
import { type EngineId, getEngine, parseMysqlUrl, parseSqliteUrl } from "../engines/index.ts";
import type { OutputColumn } from "./explorer-mask.ts";

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

export interface ExplorerSession {
  readonly traces: boolean;
  begin(opts: { readOnly: boolean; timeoutMs: number }): Promise<void>;
  /** Columns are known before any row is read, so masking decisions precede the rows. */
  run(opts: RunOptions): Promise<Execution>;
  /** Definitions of the views among these names. */
  viewDefinitions(names: readonly string[]): Promise<Map<string, string>>;
  /** Columns of the tables and views among these names. */
  columnsOf(names: readonly string[]): Promise<CatalogColumn[]>;
  /** User-defined functions among these names: they may read any table, masked columns included. */
  userFunctions(names: readonly string[]): Promise<string[]>;
  /** Commits a write; a read-only transaction is always rolled back. */
  finish(commit: boolean): Promise<void>;
  close(): Promise<void>;
}

const errorsOf = (engine: EngineId) => getEngine(engine).errors;

export function openExplorerSession(engine: EngineId, url: string, connectTimeoutMs: number): Promise<ExplorerSession> {
  if (engine === "postgresql") return openPostgres(url, connectTimeoutMs);
  if (engine === "mysql" || engine === "mariadb") return openMysql(engine, url, connectTimeoutMs);
  if (engine === "sqlite") return openSqlite(url);
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
  return {
    traces: true,
    async begin({ readOnly, timeoutMs }) {
      await q("BEGIN");
      if (readOnly) await q("SET TRANSACTION READ ONLY");
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
    async finish(commit) {
      await q(commit ? "COMMIT" : "ROLLBACK");
    },
    async close() {
      await sql.end({ timeout: 1 });
    },
  };
}

async function openMysql(engine: "mysql" | "mariadb", url: string, connectTimeoutMs: number): Promise<ExplorerSession> {
  const t = parseMysqlUrl(url, engine);
  const errors = errorsOf(engine);
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({
      host: t.host,
      port: t.port,
      user: t.user,
      password: t.password,
      ...(t.database ? { database: t.database } : {}),
      connectTimeout: connectTimeoutMs,
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
  return {
    traces: true,
    async begin({ readOnly, timeoutMs }) {
      // MariaDB: max_statement_time in seconds; MySQL: max_execution_time (SELECT only), in ms.
      if (engine === "mariadb") await q(`SET SESSION max_statement_time = ${Math.max(0.001, timeoutMs / 1000)}`);
      else await q(`SET SESSION max_execution_time = ${Math.max(1, Math.floor(timeoutMs))}`);
      await q(readOnly ? "START TRANSACTION READ ONLY" : "START TRANSACTION");
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
      for (const r of rows as unknown[][]) out.set(String(r[0]), String(r[1]));
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
    async finish(commit) {
      await q(commit ? "COMMIT" : "ROLLBACK");
    },
    async close() {
      await conn.end();
    },
  };
}

async function openSqlite(url: string): Promise<ExplorerSession> {
  const t = parseSqliteUrl(url);
  const errors = errorsOf("sqlite");
  let db: Database | undefined;
  let readOnly = true;
  const open = () => {
    if (!db) throw new MigratrixError("internal", "SQLite explorer session used before begin");
    return db;
  };
  const guard = <T>(text: string, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw errors.toMigratrixError(e, { sql: text });
    }
  };
  return {
    traces: false,
    async begin(opts) {
      readOnly = opts.readOnly || t.mode === "ro";
      // The file is opened read-only at the SQLite level for reads: no statement can write it.
      db = guard("open", () => new Database(t.path, { readonly: readOnly, create: false, safeIntegers: true }));
      if (readOnly) db.run("PRAGMA query_only = ON");
      db.run("BEGIN");
    },
    async run(opts) {
      const d = open();
      const stmt = guard(opts.sql, () => d.prepare(opts.sql));
      const names = stmt.columnNames;
      if (names.length === 0) {
        const changes = guard(opts.sql, () => stmt.run(...opts.params).changes);
        return { columns: [], batches: (async function* () {})(), rowsAffected: () => changes };
      }
      const declared = stmt.declaredTypes;
      const columns: OutputColumn[] = names.map((name, i) => ({ name, type: declared[i] ?? "" }));
      async function* batches(): AsyncGenerator<unknown[][]> {
        let batch: unknown[][] = [];
        let seen = 0;
        // iterate() reads row by row (bounded memory) but keys rows by name: duplicate names need values().
        const unique = new Set(names).size === names.length;
        const rows: Iterable<unknown[]> = unique
          ? (function* () {
              for (const r of guard(opts.sql, () => stmt.iterate(...opts.params)) as Iterable<
                Record<string, unknown>
              >) {
                yield names.map((n) => r[n]);
              }
            })()
          : guard(opts.sql, () => stmt.values(...opts.params));
        try {
          for (const row of rows) {
            batch.push(row);
            seen++;
            if (batch.length >= opts.batchRows) {
              yield batch;
              batch = [];
            }
            if (seen > opts.maxRows) break;
          }
        } catch (e) {
          // A step can fail mid-way (a runtime error in a later row): mapped like any other.
          throw errors.toMigratrixError(e, { sql: opts.sql });
        }
        if (batch.length > 0) yield batch;
      }
      return { columns, batches: batches(), rowsAffected: () => 0 };
    },
    async viewDefinitions(names) {
      const out = new Map<string, string>();
      const d = open();
      for (const name of names) {
        const row = d.query("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?").get(name) as {
          sql: string;
        } | null;
        if (row) out.set(name, row.sql);
      }
      return out;
    },
    async columnsOf() {
      // Unused: SQLite results are not traced, so the name rule covers every column.
      return [];
    },
    async userFunctions() {
      // SQL cannot define functions in SQLite.
      return [];
    },
    async finish(commit) {
      open().run(commit && !readOnly ? "COMMIT" : "ROLLBACK");
    },
    async close() {
      db?.close();
    },
  };
}
