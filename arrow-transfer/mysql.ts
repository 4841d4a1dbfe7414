// MySQL/MariaDB as a transfer source (streamed SELECT by key range → Arrow batches) and target
// (Arrow batches → large multi-row INSERTs, one transaction per chunk with its checkpoint).
// Sessions run in UTC with dates as strings and big numbers as exact strings.
import type { RecordBatch } from "apache-arrow";
import mysql from "mysql2";
import { MigratrixError } from "../common/errors.ts";
import { mariadbDialect, mysqlDialect } from "../engines/mysql/dialect.ts";
import { parseMysqlUrl } from "../engines/mysql/driver.ts";
import { mysqlError } from "../engines/mysql/errors.ts";
import type { CarriedKind } from "../engines/schema/typemap.ts";
import type { EngineId } from "../engines/types.ts";
import { arrowSchema, batchBuilder, type Cell, cellBytes, columnValues, kindsOf } from "./batch.ts";
import { CHECKPOINT_TABLE, checkpointRows, conflictKey } from "./checkpoint.ts";
import { expandedComparison, expandedParams, keyText, keyToJson } from "./keys.ts";
import { compatibleFields, type RawField, rawRows } from "./mysql-rows.ts";
import type {
  BatchLimits,
  Checkpoint,
  KeyRange,
  KeyValue,
  SourceEndpoint,
  SourceTable,
  TablePlan,
  TargetEndpoint,
  TargetTableInfo,
} from "./types.ts";

export interface MysqlConn {
  conn: mysql.Connection;
  engine: EngineId;
  q(name: string): string;
  query<T = Record<string, unknown>>(sql: string, values?: unknown[]): Promise<T[]>;
  exec(sql: string, values?: unknown[]): Promise<number>;
  /**
   * The query's rows (as arrays), in runs of those that arrived together. With `raw`, once the
   * result's columns are known, `raw(fields)` may return a handler that takes each row packet's
   * bytes instead (mysql2 does not parse them); a run, empty then, is yielded each time the handler
   * returns true.
   */
  stream(sql: string, values: unknown[], raw?: RawHandler): AsyncIterable<unknown[][]>;
  close(): Promise<void>;
}

/** Chooses, from the result's columns, a row-packet handler (buf, start, end) → "something to take", or none. */
export type RawHandler = (fields: RawField[]) => ((buf: Uint8Array, start: number, end: number) => boolean) | null;

/** mysql2's Query internals the raw path uses: its row state and the packet it is given. */
interface QueryInternals {
  row: (packet: RowPacket, connection: unknown) => unknown;
}
interface RowPacket {
  buffer: Uint8Array;
  offset: number;
  end: number;
  isEOF(): boolean;
}

export async function openMysql(url: string, engine: EngineId): Promise<MysqlConn> {
  const flavor = engine === "mariadb" ? "mariadb" : "mysql";
  const t = parseMysqlUrl(url, flavor);
  if (!t.database) throw new MigratrixError("invalid_argument", `the ${flavor} URL names no database (${t.display})`);
  const conn = mysql.createConnection({
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    database: t.database,
    connectTimeout: 10_000,
    multipleStatements: false,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    timezone: "Z",
    charset: "utf8mb4",
    // JSON columns (MySQL's, and MariaDB's when the server tags them) keep their exact text.
    jsonStrings: true,
  });
  const query = <T>(sql: string, values?: unknown[]) =>
    new Promise<T[]>((resolve, reject) => {
      conn.query({ sql, values: values ?? [] }, (err, rows) => {
        if (err) reject(mysqlError(err, { sql }));
        else resolve((Array.isArray(rows) ? rows : []) as T[]);
      });
    });
  const exec = (sql: string, values?: unknown[]) =>
    new Promise<number>((resolve, reject) => {
      conn.query({ sql, values: values ?? [] }, (err, res) => {
        if (err) reject(mysqlError(err, { sql }));
        else resolve(Number((res as { affectedRows?: number }).affectedRows ?? 0));
      });
    });
  try {
    await query("SET time_zone = '+00:00'");
    // Errors instead of silent truncation; an explicit 0 in an AUTO_INCREMENT column stays 0.
    await query("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION'");
  } catch (e) {
    conn.destroy();
    const m = MigratrixError.from(e);
    throw new MigratrixError(m.code, `cannot open ${flavor} at ${t.display}: ${m.message}`, m.detail);
  }
  const dialect = engine === "mariadb" ? mariadbDialect : mysqlDialect;
  return {
    conn,
    engine,
    q: dialect.quoteIdent,
    query,
    exec,
    // Rows arrive through the query's events, never through a paused stream: pausing and resuming
    // the socket stalls under Bun 1.4.5 (as with postgres.js, see arrow-transfer/postgres.ts). A
    // chunk's rows are buffered at most; chunks are bounded in rows. The rows come in runs (those
    // that arrived since the last run was taken): one await per run, not per row.
    async *stream(sql, values, raw) {
      let queue: unknown[][] = [];
      let ended = false;
      let failure: unknown = null;
      const rawFailure: { error?: unknown } = {};
      // The raw handler took something the reader should pick up (an empty run is yielded for it).
      let taken = false;
      let wake: (() => void) | null = null;
      const notify = () => {
        wake?.();
        wake = null;
      };
      const query = conn.query({ sql, values, rowsAsArray: true });
      if (raw) {
        // mysql2 asks the query's own `row` for the state after the column definitions (fieldsEOF
        // returns this.row), so a handler set when the fields arrive sees every row packet; the
        // end-of-rows packet goes back to mysql2's row state.
        const q = query as unknown as QueryInternals;
        const rowState = Object.getPrototypeOf(q).row as QueryInternals["row"];
        query.on("fields", (fields: RawField[]) => {
          const take = raw(fields);
          if (!take) return;
          const onRow = function (this: QueryInternals, packet: RowPacket, connection: unknown): unknown {
            if (packet.isEOF()) return rowState.call(this, packet, connection);
            if ("error" in rawFailure) return onRow;
            try {
              if (take(packet.buffer, packet.offset, packet.end)) {
                taken = true;
                if (wake) notify();
              }
            } catch (e) {
              rawFailure.error = e;
              notify();
            }
            return onRow;
          };
          q.row = onRow;
        });
      }
      query
        .on("result", (row) => {
          queue.push(row as unknown as unknown[]);
          if (wake) notify();
        })
        .on("error", (e) => {
          failure = e;
          notify();
        })
        .on("end", () => {
          ended = true;
          notify();
        });
      while (true) {
        if ("error" in rawFailure) throw rawFailure.error;
        if (failure) throw mysqlError(failure, { sql });
        if (queue.length > 0 || taken) {
          const run = queue;
          queue = [];
          taken = false;
          yield run;
          continue;
        }
        if (ended) return;
        await new Promise<void>((r) => {
          wake = r;
        });
      }
    },
    close: () => new Promise<void>((resolve) => conn.end(() => resolve())),
  };
}

const ZERO_DATE = /^0000-00-00|^\d{4}-00-|^\d{4}-\d{2}-00/;

/** ZERO_DATE.test(s), with the regular expression run only when the month or day reads "00". */
function isZeroDate(s: string): boolean {
  const zeroAt = (i: number) => s.charCodeAt(i) === 48 && s.charCodeAt(i + 1) === 48;
  return s.charCodeAt(4) === 45 && (zeroAt(5) || (s.charCodeAt(7) === 45 && zeroAt(8))) && ZERO_DATE.test(s);
}

/** s.replace(/\.?0+$/, "") when s has a fractional part: trailing zeros, then a bare point, go. */
function trimFraction(s: string): string {
  if (s.indexOf(".") < 0) return s;
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  if (end === s.length) return s;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/**
 * A driver value → the carried kind's canonical cell, one function per column chosen once; zero
 * dates → null (`onZero` counts them).
 */
function cellConverter(kind: CarriedKind, onZero: () => void, where: () => string): (v: unknown) => Cell {
  switch (kind) {
    case "boolean":
      return (v) => {
        if (v === null || v === undefined) return null;
        const n = Number(v);
        if (n !== 0 && n !== 1) {
          throw new MigratrixError(
            "data_loss",
            `${where()} holds ${String(v)}, not a boolean 0/1 (override the column to keep it)`,
          );
        }
        return n === 1;
      };
    case "int16":
    case "int32":
    case "float32":
    case "float64":
      return (v) => (v === null || v === undefined ? null : Number(v));
    case "int64":
      return (v) => (v === null || v === undefined ? null : BigInt(v as string | number));
    case "binary":
      return (v) =>
        v === null || v === undefined
          ? null
          : v instanceof Uint8Array
            ? new Uint8Array(v)
            : new Uint8Array(Buffer.from(String(v)));
    case "date":
    case "timestamp":
    case "timestamptz": {
      const zone = kind === "timestamptz" ? "+00" : "";
      return (v) => {
        if (v === null || v === undefined) return null;
        const s = typeof v === "string" ? v : String(v);
        if (isZeroDate(s)) {
          onZero();
          return null;
        }
        return zone ? `${trimFraction(s)}${zone}` : trimFraction(s);
      };
    }
    case "time":
      return (v) => (v === null || v === undefined ? null : trimFraction(String(v)));
    default:
      return (v) =>
        v === null || v === undefined
          ? null
          : typeof v === "string"
            ? v
            : v instanceof Uint8Array
              ? Buffer.from(v).toString("utf8")
              : String(v);
  }
}

function castKey(kind: CarriedKind | undefined): (p: string) => string {
  if (kind === "int16" || kind === "int32" || kind === "int64") return (p) => `CAST(${p} AS SIGNED)`;
  if (kind === "decimal") return (p) => `CAST(${p} AS DECIMAL(65,30))`;
  return (p) => p;
}

function keyParam(v: string | null, kind: CarriedKind | undefined): unknown {
  if (v !== null && kind === "binary" && v.startsWith("\\x")) return Buffer.from(v.slice(2), "hex");
  return v;
}

function rangeWhere(c: MysqlConn, p: TablePlan, r: KeyRange): { sql: string; values: unknown[] } {
  const key = p.key ?? [];
  const kinds = key.map((k) => p.mappings.find((m) => m.column === k)?.kind);
  const cols = key.map(c.q);
  const parts: string[] = [];
  const values: unknown[] = [];
  const ph = (i: number) => castKey(kinds[i])("?");
  const params = (k: KeyValue) => expandedParams(k).map((v, i) => keyParam(v, kinds[expandedIndex(key.length, i)]));
  if (r.after) {
    parts.push(expandedComparison(cols, ">", ph));
    values.push(...params(r.after));
  }
  if (r.upTo) {
    parts.push(expandedComparison(cols, "<=", ph));
    values.push(...params(r.upTo));
  }
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", values };
}

/** Which key column the i-th parameter of expandedParams belongs to. */
function expandedIndex(width: number, i: number): number {
  let n = 0;
  for (let term = 0; term < width; term++) {
    for (let j = 0; j <= term; j++) {
      if (n === i) return j;
      n++;
    }
  }
  return 0;
}

async function describeMysql(c: MysqlConn, names: string[] | undefined): Promise<SourceTable[]> {
  const wanted = names?.map((n) => n.split(".").pop() ?? n);
  const filter = wanted?.length ? ` AND TABLE_NAME IN (${wanted.map(() => "?").join(", ")})` : "";
  type T = { s: string; n: string; r: string | null; b: string | null; ai: string | null };
  const tables = await c.query<T>(
    `SELECT TABLE_SCHEMA AS s, TABLE_NAME AS n, TABLE_ROWS AS r, DATA_LENGTH + INDEX_LENGTH AS b, AUTO_INCREMENT AS ai
     FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'
       AND TABLE_NAME NOT IN (?, 'migratrix_history')${filter} ORDER BY TABLE_NAME`,
    [CHECKPOINT_TABLE, ...(wanted ?? [])],
  );
  const out = new Map<string, SourceTable>();
  const ai = new Map<string, string | null>();
  for (const t of tables) {
    ai.set(t.n, t.ai);
    out.set(t.n, {
      schema: t.s,
      name: t.n,
      columns: [],
      primaryKey: null,
      indexes: [],
      foreignKeys: [],
      constraints: [],
      sequences: [],
      rowEstimate: Number(t.r ?? 0),
      bytesEstimate: t.b === null ? null : Number(t.b),
    });
  }
  const jsonChecks = new Set<string>();
  try {
    const checks = await c.query<{ t: string; cl: string }>(
      "SELECT TABLE_NAME AS t, CHECK_CLAUSE AS cl FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
    );
    for (const k of checks) {
      const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(k.cl.trim());
      if (m) jsonChecks.add(`${k.t}\u0000${(m[1] ?? "").replaceAll("``", "`")}`);
    }
  } catch (e) {
    // MySQL before 8.0.16 has no CHECK_CONSTRAINTS (and a real JSON type, so nothing is missed).
    if (MigratrixError.from(e).detail.nativeCode !== "1109") throw e;
  }
  type C = { t: string; n: string; ty: string; nu: string; d: string | null; x: string; g: string | null };
  for (const r of await c.query<C>(
    `SELECT TABLE_NAME AS t, COLUMN_NAME AS n, COLUMN_TYPE AS ty, IS_NULLABLE AS nu, COLUMN_DEFAULT AS d, EXTRA AS x,
            GENERATION_EXPRESSION AS g
     FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION`,
  )) {
    const t = out.get(r.t);
    if (!t) continue;
    const generated = /GENERATED/i.test(r.x) && r.g ? r.g : undefined;
    const auto = /auto_increment/i.test(r.x);
    t.columns.push({
      name: r.n,
      type: r.ty,
      nullable: r.nu === "YES",
      default: r.d === "NULL" ? null : r.d,
      ctx: jsonChecks.has(`${r.t}\u0000${r.n}`) ? { jsonCheck: true } : {},
      ...(auto ? { autoIncrement: true } : {}),
      ...(generated ? { generated } : {}),
    });
    const next = ai.get(r.t);
    if (auto && next !== null && next !== undefined) t.sequences.push({ column: r.n, nextValue: String(next) });
  }
  type S = { t: string; i: string; nu: number; c: string };
  for (const r of await c.query<S>(
    `SELECT TABLE_NAME AS t, INDEX_NAME AS i, NON_UNIQUE AS nu, COLUMN_NAME AS c FROM information_schema.STATISTICS
     WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
  )) {
    const t = out.get(r.t);
    if (!t) continue;
    if (r.i === "PRIMARY") {
      t.primaryKey = [...(t.primaryKey ?? []), r.c];
      continue;
    }
    let idx = t.indexes.find((x) => x.name === r.i);
    if (!idx) {
      idx = { name: r.i, columns: [], unique: Number(r.nu) === 0 };
      t.indexes.push(idx);
    }
    idx.columns.push(r.c);
  }
  type F = { t: string; n: string; c: string; rt: string; rc: string };
  for (const r of await c.query<F>(
    `SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS n, COLUMN_NAME AS c, REFERENCED_TABLE_NAME AS rt, REFERENCED_COLUMN_NAME AS rc
     FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL
     ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`,
  )) {
    const t = out.get(r.t);
    if (!t) continue;
    let fk = t.foreignKeys.find((x) => x.name === r.n);
    if (!fk) {
      fk = { name: r.n, columns: [], refTable: r.rt, refColumns: [] };
      t.foreignKeys.push(fk);
    }
    fk.columns.push(r.c);
    fk.refColumns.push(r.rc);
  }
  // Foreign-key columns get an index of their own in InnoDB; it is re-created as a plain index.
  return [...out.values()];
}

export interface MysqlSourceOptions {
  /** false: every read converts mysql2's values (tests compare both paths); default: row packets when they allow. */
  rawRows?: boolean;
  /** Told which path each read took. */
  onRead?(path: "raw" | "rows" | "raw-bypassed"): void;
}

export function createMysqlSource(
  c: MysqlConn,
  engine: EngineId,
  o: MysqlSourceOptions = {},
): SourceEndpoint & { warnings(): string[] } {
  const zeroDates = new Map<string, number>();
  const table = (p: TablePlan) =>
    p.source.schema ? `${c.q(p.source.schema)}.${c.q(p.source.name)}` : c.q(p.source.name);
  return {
    engine,
    describe: (names) => describeMysql(c, names),
    warnings: () => [...zeroDates].map(([col, n]) => `${col}: ${n} zero date(s) became NULL`),
    async count(p) {
      const [r] = await c.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${table(p)}`);
      return Number(r?.n ?? 0);
    },
    async nextUpper(p, after, rows) {
      const key = (p.key ?? []).map(c.q);
      const w = rangeWhere(c, p, { after, upTo: null });
      const inner = `SELECT ${key.join(", ")} FROM ${table(p)}${w.sql} ORDER BY ${key.join(", ")} LIMIT ${Math.trunc(rows)}`;
      const rowsOut = await c.query<Record<string, unknown>>(
        `SELECT ${key.join(", ")}, COUNT(*) OVER () AS ${c.q("mx_n")} FROM (${inner}) s ORDER BY ${key.map((k) => `${k} DESC`).join(", ")} LIMIT 1`,
        w.values,
      );
      const r = rowsOut[0];
      return r ? { key: (p.key ?? []).map((k) => keyText(r[k])), rows: Number(r.mx_n) } : null;
    },
    async *read(p: TablePlan, range: KeyRange, limits: BatchLimits): AsyncGenerator<RecordBatch> {
      const w = rangeWhere(c, p, range);
      const order = p.key ? ` ORDER BY ${p.key.map(c.q).join(", ")}` : "";
      const sql = `SELECT ${p.mappings.map((m) => c.q(m.column)).join(", ")} FROM ${table(p)}${w.sql}${order}`;
      const convert = p.mappings.map((m) => {
        const col = `${p.source.name}.${m.column}`;
        const onZero = () => zeroDates.set(col, (zeroDates.get(col) ?? 0) + 1);
        return cellConverter(m.kind, onZero, () => col);
      });
      const schema = arrowSchema(p.mappings);
      const kinds = p.mappings.map((m) => m.kind);
      const out = batchBuilder(schema, limits);
      // Row packets parsed straight into Arrow when every column allows it (mysql-rows.ts).
      const cols = p.mappings.map((m) => `${p.source.name}.${m.column}`);
      const fast = rawRows(schema, kinds, limits, {
        onZero: (i) => zeroDates.set(cols[i] ?? "", (zeroDates.get(cols[i] ?? "") ?? 0) + 1),
        where: (i) => cols[i] ?? "",
      });
      const filled: RecordBatch[] = [];
      let rawChosen = false;
      const handler: RawHandler = (fields) => {
        const raw = o.rawRows !== false && compatibleFields(kinds, fields);
        rawChosen = raw;
        o.onRead?.(raw ? "raw" : "rows");
        if (!raw) return null;
        return (buf, start, end) => {
          const b = fast.row(buf, start, end);
          if (!b) return false;
          filled.push(b);
          return true;
        };
      };
      for await (const run of c.stream(sql, w.values, handler)) {
        for (let b = filled.shift(); b; b = filled.shift()) yield b;
        // mysql2 handed rows as values although the raw handler was set (a mysql2 change): still
        // copied, only slower; said so that a test notices.
        if (rawChosen && run.length > 0) o.onRead?.("raw-bypassed");
        for (const row of run) {
          const full = out.convertedRow(row, convert);
          if (full) yield full;
        }
      }
      for (let b = filled.shift(); b; b = filled.shift()) yield b;
      // Both: should mysql2 ever not hand the row packets to the handler, its rows came as values.
      for (const rest of [fast.rest(), out.rest()]) if (rest) yield rest;
    },
    close: () => c.close(),
  };
}

/** A cell as mysql2 escapes it into an INSERT; values MySQL cannot hold stop the transfer. */
function toMysqlValue(kind: CarriedKind, v: Cell, where: () => string): unknown {
  if (v === null) return null;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) {
    throw new MigratrixError("data_loss", `${where()} holds ${v}, which MySQL cannot store`);
  }
  if (typeof v === "string" && (kind === "timestamp" || kind === "timestamptz" || kind === "date")) {
    if (/infinity|BC$/i.test(v))
      throw new MigratrixError("data_loss", `${where()} holds ${v}, which MySQL cannot store`);
    return kind === "timestamptz" ? v.replace(/\+00(:00)?$/, "") : v;
  }
  return v;
}

const MAX_STATEMENT = 4 << 20;

export function createMysqlTarget(c: MysqlConn, engine: EngineId): TargetEndpoint {
  const cp = c.q(CHECKPOINT_TABLE);
  const table = (p: TablePlan) => c.q(p.target.name);
  const uniqueKeys = new Map<string, string[] | null>();
  const saveSql = `INSERT INTO ${cp} (job_id, table_name, last_key, chunks, ${c.q("rows")}, bytes, done) VALUES (?, ?, ?, ?, ?, ?, ?)
    ON DUPLICATE KEY UPDATE last_key = VALUES(last_key), chunks = VALUES(chunks), ${c.q("rows")} = VALUES(${c.q("rows")}),
    bytes = VALUES(bytes), done = VALUES(done)`;
  const save = (x: Checkpoint) =>
    c.exec(saveSql, [x.jobId, x.table, keyToJson(x.lastKey), x.chunks, x.rows, x.bytes, x.done ? 1 : 0]);
  return {
    engine,
    async freeBytes() {
      // MySQL does not report free disk space over SQL.
      return null;
    },
    async table(p) {
      const cols = await c.query<{ n: string; t: string }>(
        `SELECT COLUMN_NAME AS n, COLUMN_TYPE AS t FROM information_schema.COLUMNS
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
        [p.target.name],
      );
      if (cols.length === 0) return null;
      const idx = await c.query<{ i: string; c: string }>(
        `SELECT INDEX_NAME AS i, COLUMN_NAME AS c FROM information_schema.STATISTICS
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX`,
        [p.target.name],
      );
      const first = idx[0]?.i;
      const uniqueKey = first === undefined ? null : idx.filter((r) => r.i === first).map((r) => r.c);
      const [e] = await c.query<{ e: number }>(`SELECT EXISTS (SELECT 1 FROM ${table(p)}) AS e`);
      const info: TargetTableInfo = {
        columns: cols.map((x) => ({ name: x.n, type: x.t })),
        uniqueKey,
        empty: Number(e?.e) !== 1,
      };
      uniqueKeys.set(p.target.name, uniqueKey);
      return info;
    },
    async openCheckpoints() {
      await c.exec(`CREATE TABLE IF NOT EXISTS ${cp} (job_id varchar(190) NOT NULL, table_name varchar(190) NOT NULL,
        last_key longtext, chunks int NOT NULL, ${c.q("rows")} bigint NOT NULL, bytes bigint NOT NULL, done tinyint(1) NOT NULL,
        updated_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
        PRIMARY KEY (job_id, table_name)) ENGINE=InnoDB`);
    },
    ...checkpointRows({
      q: c.q,
      query: (sql, params) => c.query(sql, params),
      exec: (sql, params) => c.exec(sql, params),
      save,
    }),
    async createTables(plans) {
      for (const p of plans) {
        const cols = p.mappings.map((m) => {
          const col = p.source.columns.find((x) => x.name === m.column);
          return `${c.q(m.column)} ${m.targetType}${col?.nullable === false ? " NOT NULL" : ""}`;
        });
        await c.exec(`CREATE TABLE ${table(p)} (${cols.join(", ")}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
      }
    },
    async finishTables(plans) {
      const done: string[] = [];
      const names = new Set(plans.map((p) => p.source.name));
      const has = async (p: TablePlan, index: string) =>
        (
          await c.query(
            "SELECT 1 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND INDEX_NAME = ?",
            [p.target.name, index],
          )
        ).length > 0;
      for (const p of plans) {
        if (p.source.primaryKey && !(await has(p, "PRIMARY"))) {
          await c.exec(`ALTER TABLE ${table(p)} ADD PRIMARY KEY (${p.source.primaryKey.map(c.q).join(", ")})`);
          done.push(`${p.target.name}: primary key`);
        }
        for (const i of p.source.indexes) {
          if (await has(p, i.name)) continue;
          await c.exec(
            `CREATE ${i.unique ? "UNIQUE " : ""}INDEX ${c.q(i.name)} ON ${table(p)} (${i.columns.map(c.q).join(", ")})`,
          );
          done.push(`${p.target.name}: index ${i.name}`);
        }
      }
      for (const p of plans) {
        for (const fk of p.source.foreignKeys) {
          const ref = fk.refTable.split(".").pop()?.replaceAll('"', "") ?? fk.refTable;
          if (!names.has(ref)) continue;
          const exists = await c.query(
            "SELECT 1 FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = ?",
            [p.target.name, fk.name],
          );
          if (exists.length > 0) continue;
          await c.exec(
            `ALTER TABLE ${table(p)} ADD CONSTRAINT ${c.q(fk.name)} FOREIGN KEY (${fk.columns.map(c.q).join(", ")}) REFERENCES ${c.q(ref)} (${fk.refColumns.map(c.q).join(", ")})`,
          );
          done.push(`${p.target.name}: foreign key ${fk.name}`);
        }
      }
      for (const p of plans) {
        for (const s of p.source.sequences) {
          const m = p.mappings.find((x) => x.column === s.column);
          if (!m) continue;
          const col = p.source.columns.find((x) => x.name === s.column);
          await c.exec(
            `ALTER TABLE ${table(p)} MODIFY ${c.q(s.column)} ${m.targetType}${col?.nullable === false ? " NOT NULL" : ""} AUTO_INCREMENT`,
          );
          await c.exec(`ALTER TABLE ${table(p)} AUTO_INCREMENT = ${BigInt(s.nextValue)}`);
          done.push(`${p.target.name}: auto_increment ${s.column} → ${s.nextValue}`);
        }
        await c.query(`ANALYZE TABLE ${table(p)}`);
        done.push(`${p.target.name}: analyze`);
      }
      return done;
    },
    async truncate(p) {
      await c.exec(`TRUNCATE TABLE ${table(p)}`);
    },
    async writeChunk(w, batches) {
      const p = w.plan;
      const key = conflictKey(w, uniqueKeys.get(p.target.name) ?? null);
      const cols = p.mappings.map((m) => c.q(m.column)).join(", ");
      const tail =
        w.policy === "skip"
          ? ` ON DUPLICATE KEY UPDATE ${c.q(key?.[0] ?? "")} = ${c.q(key?.[0] ?? "")}`
          : w.policy === "upsert"
            ? ` ON DUPLICATE KEY UPDATE ${p.mappings.map((m) => `${c.q(m.column)} = VALUES(${c.q(m.column)})`).join(", ")}`
            : "";
      let rows = 0;
      let bytes = 0;
      await c.exec("START TRANSACTION");
      try {
        const flush = async (tuples: string[], values: unknown[]) => {
          if (tuples.length === 0) return;
          const n = await c.exec(`INSERT INTO ${table(p)} (${cols}) VALUES ${tuples.join(", ")}${tail}`, values);
          // ON DUPLICATE KEY UPDATE counts an updated row twice and an unchanged one zero times.
          rows += w.policy === "fail" || w.policy === "truncate" ? n : tuples.length;
        };
        const tuple = `(${p.mappings.map(() => "?").join(", ")})`;
        for await (const batch of batches) {
          const kinds = kindsOf(batch);
          const data = kinds.map((_k, i) => columnValues(batch, i));
          let tuples: string[] = [];
          let values: unknown[] = [];
          let size = 0;
          for (let r = 0; r < batch.numRows; r++) {
            for (let i = 0; i < kinds.length; i++) {
              const cell = data[i]?.[r] ?? null;
              size += cellBytes(cell);
              values.push(toMysqlValue(kinds[i] ?? "text", cell, () => `${p.source.name}.${p.mappings[i]?.column}`));
            }
            tuples.push(tuple);
            if (size >= MAX_STATEMENT) {
              await flush(tuples, values);
              bytes += size;
              tuples = [];
              values = [];
              size = 0;
            }
          }
          await flush(tuples, values);
          bytes += size;
        }
        const x = w.checkpoint;
        await save({ ...x, rows: x.rows + rows, bytes: x.bytes + bytes });
        await c.exec("COMMIT");
      } catch (e) {
        await c.exec("ROLLBACK").catch(() => undefined);
        throw e;
      }
      return { rows, bytes };
    },
    close: () => c.close(),
  };
}
