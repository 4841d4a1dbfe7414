// SQLite as a transfer source (keyset chunks read with bun:sqlite → Arrow batches) and target (Arrow
// batches → one prepared INSERT run row by row inside one transaction per chunk, committed with its
// checkpoint). Integers are read exactly (safeIntegers); exact decimals are kept as TEXT.
import { Database } from "bun:sqlite";
import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { RecordBatch } from "apache-arrow";
import { MigratrixError } from "../common/errors.ts";
import { sqliteDialect } from "../engines/sqlite/dialect.ts";
import { parseSqliteUrl } from "../engines/sqlite/driver.ts";
import { arrowSchema, batchBuilder, type Cell, cellBytes, columnValues, kindsOf } from "./batch.ts";
import { CHECKPOINT_TABLE, checkpointRows, conflictKey } from "./checkpoint.ts";
import { keyText, keyToJson } from "./keys.ts";
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

const q = sqliteDialect.quoteIdent;
type Binding = string | number | bigint | boolean | Uint8Array | null;
type CarriedKind = TablePlan["mappings"][number]["kind"];

export interface SqliteConn {
  db: Database;
  path: string;
  close(): Promise<void>;
}

function sqliteError(e: unknown, what: string): MigratrixError {
  const m = MigratrixError.from(e);
  const code = (e as { code?: string }).code ?? "";
  return new MigratrixError(
    /BUSY|LOCKED/.test(code) ? "unavailable" : /CONSTRAINT/.test(code) ? "already_exists" : m.code,
    `SQLite ${what}: ${m.message}`,
    { ...m.detail, ...(code ? { nativeCode: code } : {}) },
  );
}

export async function openSqlite(url: string): Promise<SqliteConn> {
  const t = parseSqliteUrl(url);
  try {
    const db = new Database(t.path, {
      safeIntegers: true,
      ...(t.mode === "ro" ? { readonly: true } : t.mode === "rw" ? { readwrite: true } : { create: true }),
    });
    db.exec("PRAGMA busy_timeout = 5000");
    return {
      db,
      path: t.path,
      async close() {
        db.close();
      },
    };
  } catch (e) {
    throw sqliteError(e, `cannot open ${t.path}`);
  }
}

function all<T>(c: SqliteConn, sql: string, params: Binding[] = []): T[] {
  try {
    return c.db.query(sql).all(...(params as never[])) as T[];
  } catch (e) {
    throw sqliteError(e, "query failed");
  }
}

function exec(c: SqliteConn, sql: string, params: Binding[] = []): number {
  try {
    return Number(c.db.query(sql).run(...(params as never[])).changes);
  } catch (e) {
    throw sqliteError(e, "statement failed");
  }
}

/** A stored value → the carried kind's cell (integers arrive as bigint). */
function toCell(kind: CarriedKind, v: unknown, where: () => string): Cell {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case "boolean": {
      const n = Number(v);
      if (n !== 0 && n !== 1) throw new MigratrixError("data_loss", `${where()} holds ${String(v)}, not a boolean 0/1`);
      return n === 1;
    }
    case "int16":
    case "int32":
    case "float32":
    case "float64":
      return Number(v);
    case "int64":
      return typeof v === "bigint" ? v : BigInt(String(v));
    case "binary":
      return v instanceof Uint8Array ? new Uint8Array(v) : new Uint8Array(Buffer.from(String(v)));
    default:
      return v instanceof Uint8Array ? Buffer.from(v).toString("utf8") : String(v);
  }
}

/** A key's text as the parameter its column compares with. */
function keyParam(v: string | null, kind: CarriedKind | undefined): Binding {
  if (v === null) return null;
  if (kind === "int16" || kind === "int32" || kind === "int64" || kind === "boolean") return BigInt(v);
  if (kind === "float32" || kind === "float64") return Number(v);
  if (kind === "binary" && v.startsWith("\\x")) return new Uint8Array(Buffer.from(v.slice(2), "hex"));
  return v;
}

function rangeWhere(p: TablePlan, r: KeyRange): { sql: string; params: Binding[] } {
  const key = p.key ?? [];
  const kinds = key.map((k) => p.mappings.find((m) => m.column === k)?.kind);
  // Row values ((a, b) > (?, ?)) are lexicographic in SQLite and use the primary key's index.
  const cols = `(${key.map(q).join(", ")})`;
  const ph = `(${key.map(() => "?").join(", ")})`;
  const parts: string[] = [];
  const params: Binding[] = [];
  const bind = (k: KeyValue) => k.map((v, i) => keyParam(v, kinds[i]));
  if (r.after) {
    parts.push(`${cols} > ${ph}`);
    params.push(...bind(r.after));
  }
  if (r.upTo) {
    parts.push(`${cols} <= ${ph}`);
    params.push(...bind(r.upTo));
  }
  return { sql: parts.length ? ` WHERE ${parts.join(" AND ")}` : "", params };
}

const SKIPPED = new Set([CHECKPOINT_TABLE, "migratrix_history"]);

function describeSqlite(c: SqliteConn, names: string[] | undefined): SourceTable[] {
  const wanted = names?.map((n) => n.split(".").pop() ?? n);
  const tables = all<{ name: string }>(
    c,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
  ).filter((t) => !SKIPPED.has(t.name) && (!wanted?.length || wanted.includes(t.name)));
  return tables.map((t) => {
    type Col = { name: string; type: string; notnull: bigint; dflt_value: string | null; pk: bigint };
    const cols = all<Col>(c, `PRAGMA table_info(${q(t.name)})`);
    const pk = cols
      .filter((x) => Number(x.pk) > 0)
      .sort((a, b) => Number(a.pk) - Number(b.pk))
      .map((x) => x.name);
    type Idx = { name: string; unique: bigint; origin: string };
    const indexes = all<Idx>(c, `PRAGMA index_list(${q(t.name)})`)
      .filter((i) => i.origin === "c")
      .map((i) => ({
        name: i.name,
        unique: Number(i.unique) === 1,
        columns: all<{ name: string }>(c, `PRAGMA index_info(${q(i.name)})`).map((x) => x.name),
      }));
    type Fk = { id: bigint; table: string; from: string; to: string | null };
    const foreignKeys: SourceTable["foreignKeys"] = [];
    for (const f of all<Fk>(c, `PRAGMA foreign_key_list(${q(t.name)})`)) {
      const name = `${t.name}_fk${f.id}`;
      let fk = foreignKeys.find((x) => x.name === name);
      if (!fk) {
        fk = { name, columns: [], refTable: f.table, refColumns: [] };
        foreignKeys.push(fk);
      }
      fk.columns.push(f.from);
      fk.refColumns.push(f.to ?? f.from);
    }
    const [n] = all<{ n: bigint }>(c, `SELECT COUNT(*) AS n FROM ${q(t.name)}`);
    return {
      schema: "",
      name: t.name,
      columns: cols.map((x) => ({
        name: x.name,
        // An untyped column (BLOB affinity) is carried as its declared nothing: bytes.
        type: x.type || "BLOB",
        nullable: Number(x.notnull) === 0 && !(pk.length === 1 && pk[0] === x.name),
        default: x.dflt_value,
        ctx: {},
      })),
      primaryKey: pk.length > 0 ? pk : null,
      indexes,
      foreignKeys,
      constraints: [],
      sequences: [],
      rowEstimate: Number(n?.n ?? 0),
      // SQLite tells no per-table size without the dbstat extension.
      bytesEstimate: null,
    };
  });
}

export function createSqliteSource(c: SqliteConn): SourceEndpoint & { warnings(): string[] } {
  const table = (p: TablePlan) => q(p.source.name);
  return {
    engine: "sqlite",
    describe: async (names) => describeSqlite(c, names),
    warnings: () => [],
    async count(p) {
      const [r] = all<{ n: bigint }>(c, `SELECT COUNT(*) AS n FROM ${table(p)}`);
      return Number(r?.n ?? 0);
    },
    async nextUpper(p, after, rows) {
      const key = (p.key ?? []).map(q);
      const w = rangeWhere(p, { after, upTo: null });
      const inner = `SELECT ${key.join(", ")} FROM ${table(p)}${w.sql} ORDER BY ${key.join(", ")} LIMIT ${Math.trunc(rows)}`;
      const [r] = all<Record<string, unknown>>(
        c,
        `SELECT ${key.join(", ")}, COUNT(*) OVER () AS mx_n FROM (${inner}) ORDER BY ${key.map((k) => `${k} DESC`).join(", ")} LIMIT 1`,
        w.params,
      );
      return r ? { key: (p.key ?? []).map((k) => keyText(r[k])), rows: Number(r.mx_n) } : null;
    },
    async *read(p: TablePlan, range: KeyRange, limits: BatchLimits): AsyncGenerator<RecordBatch> {
      const w = rangeWhere(p, range);
      const order = p.key ? ` ORDER BY ${p.key.map(q).join(", ")}` : "";
      const sql = `SELECT ${p.mappings.map((m) => q(m.column)).join(", ")} FROM ${table(p)}${w.sql}${order}`;
      const convert = p.mappings.map((m) => {
        const where = () => `${p.source.name}.${m.column}`;
        return (v: unknown) => toCell(m.kind, v, where);
      });
      const out = batchBuilder(arrowSchema(p.mappings), limits);
      let stmt: ReturnType<Database["query"]>;
      try {
        stmt = c.db.query(sql);
      } catch (e) {
        throw sqliteError(e, `cannot read ${p.source.name}`);
      }
      for (const row of stmt.iterate(...(w.params as never[])) as Iterable<Record<string, unknown>>) {
        const full = out.row((i) => (convert[i] as (v: unknown) => Cell)(row[p.mappings[i]?.column ?? ""]));
        if (full) yield full;
      }
      const rest = out.rest();
      if (rest) yield rest;
    },
    close: () => c.close(),
  };
}

/** A cell as bun:sqlite binds it. */
function toBinding(v: Cell): Binding {
  if (typeof v === "boolean") return v ? 1 : 0;
  return v;
}

export function createSqliteTarget(c: SqliteConn): TargetEndpoint {
  const cp = q(CHECKPOINT_TABLE);
  const table = (p: TablePlan) => q(p.target.name);
  const uniqueKeys = new Map<string, string[] | null>();
  const save = (x: Checkpoint) =>
    exec(
      c,
      `INSERT INTO ${cp} (job_id, table_name, last_key, chunks, "rows", bytes, done) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_id, table_name) DO UPDATE SET last_key = excluded.last_key, chunks = excluded.chunks,
       "rows" = excluded."rows", bytes = excluded.bytes, done = excluded.done`,
      [x.jobId, x.table, keyToJson(x.lastKey), x.chunks, x.rows, x.bytes, x.done ? 1 : 0],
    );
  return {
    engine: "sqlite",
    async freeBytes() {
      if (c.path === ":memory:") return null;
      try {
        const s = statfsSync(dirname(resolve(c.path)));
        return Number(s.bavail) * Number(s.bsize);
      } catch {
        return null;
      }
    },
    async table(p) {
      const cols = all<{ name: string; type: string; pk: bigint }>(c, `PRAGMA table_info(${table(p)})`);
      if (cols.length === 0) return null;
      const pk = cols
        .filter((x) => Number(x.pk) > 0)
        .sort((a, b) => Number(a.pk) - Number(b.pk))
        .map((x) => x.name);
      let uniqueKey: string[] | null = pk.length > 0 ? pk : null;
      if (!uniqueKey) {
        const unique = all<{ name: string; unique: bigint }>(c, `PRAGMA index_list(${table(p)})`).find(
          (i) => Number(i.unique) === 1,
        );
        if (unique) uniqueKey = all<{ name: string }>(c, `PRAGMA index_info(${q(unique.name)})`).map((x) => x.name);
      }
      const [e] = all<{ e: bigint }>(c, `SELECT EXISTS (SELECT 1 FROM ${table(p)}) AS e`);
      uniqueKeys.set(p.target.name, uniqueKey);
      const info: TargetTableInfo = {
        columns: cols.map((x) => ({ name: x.name, type: x.type })),
        uniqueKey,
        empty: Number(e?.e) !== 1,
      };
      return info;
    },
    async openCheckpoints() {
      exec(
        c,
        `CREATE TABLE IF NOT EXISTS ${cp} (job_id TEXT NOT NULL, table_name TEXT NOT NULL, last_key TEXT,
         chunks INTEGER NOT NULL, "rows" INTEGER NOT NULL, bytes INTEGER NOT NULL, done INTEGER NOT NULL,
         updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (job_id, table_name))`,
      );
    },
    ...checkpointRows({
      q,
      query: (sql, params) => all(c, sql, params as Binding[]),
      exec: (sql, params) => exec(c, sql, params as Binding[]),
      save,
    }),
    async createTables(plans) {
      // SQLite cannot add a primary key to an existing table: it is declared here, with the table.
      for (const p of plans) {
        const cols = p.mappings.map((m) => {
          const col = p.source.columns.find((x) => x.name === m.column);
          return `${q(m.column)} ${m.targetType}${col?.nullable === false ? " NOT NULL" : ""}`;
        });
        const pk = p.source.primaryKey ? [`PRIMARY KEY (${p.source.primaryKey.map(q).join(", ")})`] : [];
        exec(c, `CREATE TABLE ${table(p)} (${[...cols, ...pk].join(", ")})`);
      }
    },
    async finishTables(plans) {
      const done: string[] = [];
      for (const p of plans) {
        if (p.source.primaryKey) done.push(`${p.target.name}: primary key (declared with the table)`);
        for (const i of p.source.indexes) {
          exec(
            c,
            `CREATE ${i.unique ? "UNIQUE " : ""}INDEX IF NOT EXISTS ${q(i.name)} ON ${table(p)} (${i.columns.map(q).join(", ")})`,
          );
          done.push(`${p.target.name}: index ${i.name}`);
        }
        // SQLite adds no foreign key to an existing table; they are reported, not created.
        for (const fk of p.source.foreignKeys)
          done.push(`${p.target.name}: foreign key ${fk.name} not created (SQLite)`);
        exec(c, `ANALYZE ${table(p)}`);
        done.push(`${p.target.name}: analyze`);
      }
      return done;
    },
    async truncate(p) {
      exec(c, `DELETE FROM ${table(p)}`);
    },
    async writeChunk(w, batches) {
      const p = w.plan;
      const key = conflictKey(w, uniqueKeys.get(p.target.name) ?? null);
      const cols = p.mappings.map((m) => q(m.column));
      const conflict = `(${(key ?? []).map(q).join(", ")})`;
      const tail =
        w.policy === "skip"
          ? ` ON CONFLICT ${conflict} DO NOTHING`
          : w.policy === "upsert"
            ? ` ON CONFLICT ${conflict} DO UPDATE SET ${cols.map((x) => `${x} = excluded.${x}`).join(", ")}`
            : "";
      const stmt = c.db.prepare(
        `INSERT INTO ${table(p)} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})${tail}`,
      );
      let rows = 0;
      let bytes = 0;
      exec(c, "BEGIN IMMEDIATE");
      try {
        for await (const batch of batches) {
          const data = kindsOf(batch).map((_k, i) => columnValues(batch, i));
          const row: Binding[] = new Array(data.length);
          for (let r = 0; r < batch.numRows; r++) {
            for (let i = 0; i < data.length; i++) {
              const cell = data[i]?.[r] ?? null;
              bytes += cellBytes(cell);
              row[i] = toBinding(cell);
            }
            stmt.run(...(row as never[]));
            rows++;
          }
        }
        const x = w.checkpoint;
        save({ ...x, rows: x.rows + rows, bytes: x.bytes + bytes });
        exec(c, "COMMIT");
      } catch (e) {
        if (c.db.inTransaction) c.db.exec("ROLLBACK");
        throw e instanceof MigratrixError ? e : sqliteError(e, `write into ${p.target.name} failed`);
      } finally {
        stmt.finalize();
      }
      return { rows, bytes };
    },
    close: () => c.close(),
  };
}
