// ClickHouse (18.16 and later, HTTP interface) as a transfer target, and as a reader of it for
// verification. No transactions: a chunk's rows are INSERTed (TabSeparated, INSERTs of at most
// INSERT_BYTES, one in flight) and then its checkpoint row; a chunk whose rows landed without their
// checkpoint (a crash between the two) is deleted by key before it is written again, so every chunk
// is applied exactly once (see README "ClickHouse").
import { Readable } from "node:stream";
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from "@clickhouse/client";
import type { RecordBatch } from "apache-arrow";
import { MigratrixError, redactSecrets } from "../common/errors.ts";
import { clickHouseDialect } from "../engines/clickhouse/dialect.ts";
import { arrowSchema, batchBuilder, type Cell, cellBytes, columnValues } from "./batch.ts";
import { CHECKPOINT_TABLE, checkpointFromRow, JOB_ROW } from "./checkpoint.ts";
import {
  baseType,
  clickhouseValue,
  type FieldEncoder,
  fieldEncoder,
  fromTsvField,
  parseClickhouseUrl,
  printedText,
} from "./clickhouse-values.ts";
import { LineSplitter } from "./copytext.ts";
import { expandedComparison, keyText, keyToJson } from "./keys.ts";
import type {
  BatchLimits,
  Checkpoint,
  ConflictPolicy,
  KeyRange,
  KeyValue,
  SourceEndpoint,
  SourceTable,
  TablePlan,
  TargetEndpoint,
} from "./types.ts";

const q = clickHouseDialect.quoteIdent;
const lit = clickHouseDialect.quoteLiteral;
type CarriedKind = TablePlan["mappings"][number]["kind"];

/** Bytes of TabSeparated text per INSERT. */
const INSERT_BYTES = 8 << 20;
/** Bytes of key literals per clean-up DELETE (ClickHouse's max_query_size is 256 KiB by default). */
const DELETE_BYTES = 200_000;

export interface ClickhouseConn {
  client: ClickHouseClient;
  database: string;
  display: string;
  mutationTimeoutMs: number;
  /** A statement without a result (DDL, INSERT … SELECT, ALTER). */
  run(sql: string): Promise<void>;
  rows<T>(sql: string): Promise<T[]>;
  /** The lines of a SELECT's TabSeparated result, streamed. */
  lines(sql: string): AsyncGenerator<string>;
  /** INSERT … FORMAT TabSeparated with a prepared body. */
  insert(table: string, columns: string[], body: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** ClickHouse's error code, from "Code: 60, e.displayText() = DB::Exception: …". */
function clickhouseError(e: unknown, what: string): MigratrixError {
  if (e instanceof MigratrixError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const native = /Code: (\d+)/.exec(raw)?.[1] ?? (e as { code?: string }).code ?? "";
  const text = raw
    .replace(/^Code: \d+, e\.displayText\(\) = (DB::Exception: )?/, "")
    .replace(/,? e\.what\(\) = DB::Exception\s*$/, "")
    .trim();
  const n = Number(native);
  const code =
    n === 60 || n === 81
      ? "not_found"
      : n === 57 || n === 82
        ? "already_exists"
        : n === 192 || n === 193 || n === 194 || n === 516
          ? "unauthenticated"
          : n === 62 || n === 47 || n === 6 || n === 27 || n === 53 || n === 70 || n === 130 || n === 36
            ? "invalid_argument"
            : /ECONNREFUSED|ECONNRESET|ETIMEDOUT|socket|Timeout/i.test(String(native) + raw)
              ? "unavailable"
              : "internal";
  return new MigratrixError(code, `ClickHouse ${what}: ${redactSecrets(text)}`, native ? { nativeCode: native } : {});
}

export async function openClickhouse(url: string): Promise<ClickhouseConn> {
  const t = parseClickhouseUrl(url);
  const client = createClient({
    url: t.http,
    username: t.user,
    password: t.password,
    database: t.database,
    request_timeout: 300_000,
    // The client logs failed queries with their text; errors are returned, never logged here.
    log: { level: ClickHouseLogLevel.OFF },
  });
  const run = async (sql: string) => {
    try {
      await client.command({ query: sql });
    } catch (e) {
      throw clickhouseError(e, "statement failed");
    }
  };
  const rows = async <T>(sql: string) => {
    try {
      return await (await client.query({ query: sql, format: "JSONEachRow" })).json<T>();
    } catch (e) {
      throw clickhouseError(e, "query failed");
    }
  };
  const conn: ClickhouseConn = {
    client,
    database: t.database,
    display: t.display,
    mutationTimeoutMs: t.mutationTimeoutMs,
    run,
    rows,
    async *lines(sql) {
      let stream: Readable;
      try {
        stream = (await client.exec({ query: `${sql} FORMAT TabSeparated` })).stream;
      } catch (e) {
        throw clickhouseError(e, "query failed");
      }
      const split = new LineSplitter();
      try {
        for await (const chunk of stream) yield* split.push(chunk as Buffer);
      } catch (e) {
        throw clickhouseError(e, "reading a result failed");
      } finally {
        stream.destroy();
      }
      if (split.leftover() > 0) throw new MigratrixError("data_loss", "ClickHouse result ended inside a row");
    },
    async insert(table, columns, body) {
      try {
        const r = await client.exec({
          query: `INSERT INTO ${q(table)} (${columns.map(q).join(", ")}) FORMAT TabSeparated`,
          values: Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]),
        });
        for await (const _ of r.stream) {
          // The reply of an INSERT is empty; draining it frees the socket.
        }
      } catch (e) {
        throw clickhouseError(e, `insert into ${table} failed`);
      }
    },
    close: () => client.close(),
  };
  try {
    await rows("SELECT currentDatabase() AS d");
  } catch (e) {
    await client.close().catch(() => undefined);
    const m = MigratrixError.from(e);
    throw new MigratrixError(
      m.code === "internal" ? "unavailable" : m.code,
      `cannot open ${t.display}: ${m.message}`,
      m.detail,
    );
  }
  return conn;
}

// ---- Reading (verification of a ClickHouse target) ----

/** A key value as a ClickHouse expression of the column's type (binary keys as unhex('…')). */
function keyExpr(v: string | null, type: string): string {
  if (v === null) return "NULL";
  if (v.startsWith("\\x") && type === "String") return `unhex(${lit(v.slice(2))})`;
  return `CAST(${lit(v)} AS ${type})`;
}

function rangeWhere(p: TablePlan, r: KeyRange): string {
  const key = p.key ?? [];
  const types = key.map((k) => p.source.columns.find((c) => c.name === k)?.type ?? "String");
  const parts: string[] = [];
  const cmp = (op: ">" | "<=", k: KeyValue) =>
    expandedComparison(key.map(q), op, (i) => keyExpr(k[i] ?? null, types[i] ?? "String"));
  if (r.after) parts.push(cmp(">", r.after));
  if (r.upTo) parts.push(cmp("<=", r.upTo));
  return parts.length ? ` WHERE ${parts.join(" AND ")}` : "";
}

const isArrayType = (type: string | undefined) => type?.replace(/^Nullable\(/, "").startsWith("Array(") ?? false;

function columnType(p: TablePlan, column: string): string | undefined {
  return p.source.columns.find((c) => c.name === column)?.type;
}

/** The key text nextUpper returns: binary keys as \x… hex, like the other readers. */
function keySelect(p: TablePlan, k: string): string {
  const kind = p.mappings.find((m) => m.column === k)?.kind;
  return kind === "binary" ? `concat('\\\\x', lower(hex(${q(k)})))` : `toString(${q(k)})`;
}

const SKIPPED = [CHECKPOINT_TABLE, "migratrix_history"];

async function describeClickhouse(c: ClickhouseConn, names: string[] | undefined): Promise<SourceTable[]> {
  const wanted = names?.map((n) => n.split(".").pop() ?? n);
  const tables = (
    await c.rows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' AND name NOT IN (${SKIPPED.map(lit).join(", ")}) ORDER BY name`,
    )
  ).filter((t) => !wanted?.length || wanted.includes(t.name));
  type Col = { table: string; name: string; type: string; is_in_sorting_key: number; default_expression: string };
  const cols = await c.rows<Col>(
    "SELECT table, name, type, is_in_sorting_key, default_expression FROM system.columns WHERE database = currentDatabase()",
  );
  const counts = await c.rows<{ table: string; n: string }>(
    "SELECT table, toString(sum(rows)) AS n FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table",
  );
  return tables.map((t) => {
    const own = cols.filter((x) => x.table === t.name);
    const key = own.filter((x) => Number(x.is_in_sorting_key) === 1).map((x) => x.name);
    return {
      schema: c.database,
      name: t.name,
      columns: own.map((x) => ({
        name: x.name,
        type: x.type.replace(/^Nullable\((.*)\)$/, "$1"),
        nullable: x.type.startsWith("Nullable("),
        default: x.default_expression || null,
        ctx: {},
      })),
      // The sorting key orders the table but is not unique: good for keyset chunks of a copy we made.
      primaryKey: key.length > 0 ? key : null,
      indexes: [],
      foreignKeys: [],
      constraints: [],
      sequences: [],
      rowEstimate: Number(counts.find((x) => x.table === t.name)?.n ?? 0),
      bytesEstimate: null,
    };
  });
}

export function createClickhouseSource(c: ClickhouseConn): SourceEndpoint & { warnings(): string[] } {
  const table = (p: TablePlan) => q(p.source.name);
  return {
    engine: "clickhouse",
    describe: (names) => describeClickhouse(c, names),
    warnings: () => [],
    async count(p) {
      const [r] = await c.rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${table(p)}`);
      return Number(r?.n ?? 0);
    },
    async nextUpper(p, after, rows) {
      const key = (p.key ?? []).map(q);
      // No window functions in 18.16: the chunk's size and its last key in two reads.
      const inner = `SELECT ${key.join(", ")} FROM ${table(p)}${rangeWhere(p, { after, upTo: null })} ORDER BY ${key.join(", ")} LIMIT ${Math.trunc(rows)}`;
      const [n] = await c.rows<{ n: string }>(`SELECT toString(count()) AS n FROM (${inner})`);
      if (!n || Number(n.n) === 0) return null;
      const ks = (p.key ?? []).map((k, i) => `${keySelect(p, k)} AS k${i}`);
      const [last] = await c.rows<Record<string, string>>(
        `SELECT ${ks.join(", ")} FROM (${inner}) ORDER BY ${key.map((k) => `${k} DESC`).join(", ")} LIMIT 1`,
      );
      if (!last) return null;
      return { key: (p.key ?? []).map((_k, i) => keyText(last[`k${i}`])), rows: Number(n.n) };
    },
    async *read(p: TablePlan, range: KeyRange, limits: BatchLimits): AsyncGenerator<RecordBatch> {
      const cols = p.mappings.map((m) => (m.kind === "binary" ? `hex(${q(m.column)})` : q(m.column)));
      const order = p.key ? ` ORDER BY ${p.key.map(q).join(", ")}` : "";
      const sql = `SELECT ${cols.join(", ")} FROM ${table(p)}${rangeWhere(p, range)}${order}`;
      const convert = p.mappings.map((m) => {
        const where = () => `${p.source.name}.${m.column}`;
        const type = columnType(p, m.column) ?? m.targetType;
        return (raw: string) => fromTsvField(m.kind, raw, type, where);
      });
      const out = batchBuilder(arrowSchema(p.mappings), limits);
      for await (const line of c.lines(sql)) {
        const fields = line.split("\t");
        if (fields.length !== convert.length) {
          throw new MigratrixError("data_loss", `ClickHouse row of ${p.source.name} has ${fields.length} fields`);
        }
        const full = out.row((i) => (convert[i] as (raw: string) => Cell)(fields[i] ?? "\\N"));
        if (full) yield full;
      }
      const rest = out.rest();
      if (rest) yield rest;
    },
    close: () => c.close(),
  };
}

// ---- Writing ----

export interface ClickhouseTargetOptions {
  /**
   * Test hook: runs after a chunk's rows were inserted and before its checkpoint is written (a
   * throw leaves the rows without their checkpoint, as a crash there would).
   */
  afterRows?(info: { table: string; chunk: number }): Promise<void> | void;
}

/** Columns of a table: ClickHouse types without Nullable(…), as the mapping table names them. */
async function tableColumns(c: ClickhouseConn, name: string) {
  return c.rows<{ name: string; type: string }>(
    `SELECT name, type FROM system.columns WHERE database = currentDatabase() AND table = ${lit(name)}`,
  );
}

/** Waits until every mutation of a table finished (18.16 has no mutations_sync), or fails clearly. */
async function awaitMutations(c: ClickhouseConn, table: string): Promise<void> {
  const deadline = Date.now() + c.mutationTimeoutMs;
  // ClickHouse offers no notification for a finished mutation: poll system.mutations, backing off.
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    const pending = await c.rows<{ id: string }>(
      `SELECT mutation_id AS id FROM system.mutations WHERE database = currentDatabase() AND table = ${lit(table)} AND is_done = 0`,
    );
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      throw new MigratrixError(
        "deadline_exceeded",
        `ClickHouse did not finish deleting the rows of an unfinished chunk of ${table} within ${c.mutationTimeoutMs} ms (mutations ${pending.map((x) => x.id).join(", ")}); raise mutation_timeout_ms in the URL and resume`,
      );
    }
    await Bun.sleep(wait);
  }
}

/** The text `toString(col)` prints for a key cell (binary: hex, compared through hex(col)). */
function keyMatchText(kind: CarriedKind, cell: Cell, type: string, where: () => string): string {
  if (cell === null) return "";
  const v = clickhouseValue(kind, cell, type, where);
  return v instanceof Uint8Array ? Buffer.from(v).toString("hex").toUpperCase() : printedText(type, v);
}

/** skip and upsert need unique keys, which ClickHouse lacks: refused before any row moves. */
export function refusePolicy(policy: ConflictPolicy): string | undefined {
  if (policy === "skip" || policy === "upsert") {
    return `--on-conflict ${policy} is not supported for ClickHouse targets: ClickHouse has no unique keys, and ReplacingMergeTree removes duplicates only eventually, in background merges (use fail or truncate)`;
  }
  return undefined;
}

export function createClickhouseTarget(
  c: ClickhouseConn,
  opts: ClickhouseTargetOptions = {},
): TargetEndpoint & { refusePolicy: typeof refusePolicy } {
  const cp = q(CHECKPOINT_TABLE);
  /** Tables whose target rows match their checkpoints in this process (no clean-up needed). */
  const clean = new Set<string>();
  const saveRow = async (
    jobId: string,
    tableName: string,
    lastKey: string | null,
    x: Omit<Checkpoint, "jobId" | "table" | "lastKey">,
  ) => {
    // The version orders a table's checkpoint rows; ReplacingMergeTree keeps the newest, and reads take argMax.
    const same = `job_id = ${lit(jobId)} AND table_name = ${lit(tableName)}`;
    await c.run(
      `INSERT INTO ${cp} (job_id, table_name, last_key, chunks, rows, bytes, done, version)
       SELECT ${lit(jobId)}, ${lit(tableName)}, ${lastKey === null ? "NULL" : lit(lastKey)}, ${x.chunks}, ${x.rows}, ${x.bytes}, ${x.done ? 1 : 0},
       (SELECT max(version) + 1 FROM ${cp} WHERE ${same})`,
    );
  };
  const save = (x: Checkpoint) => saveRow(x.jobId, x.table, keyToJson(x.lastKey), x);
  const latest = (jobId: string) =>
    `SELECT table_name, argMax(last_key, version) AS last_key, toString(argMax(chunks, version)) AS chunks,
     toString(argMax(rows, version)) AS r, toString(argMax(bytes, version)) AS bytes, argMax(done, version) AS done
     FROM ${cp} WHERE job_id = ${lit(jobId)} GROUP BY table_name`;
  const count = async (name: string) =>
    Number((await c.rows<{ n: string }>(`SELECT toString(count()) AS n FROM ${q(name)}`))[0]?.n ?? 0);

  /**
   * Rows a crashed attempt left without their checkpoint: the target holds more rows than its
   * checkpoints count (fail and truncate start from an empty table). Returns true when the chunk must
   * be held and its keys deleted first (cleanUp); a table without a key is one chunk, so it is emptied.
   */
  async function needsCleanUp(p: TablePlan, committed: number): Promise<boolean> {
    const name = p.target.name;
    const extra = (await count(name)) - committed;
    if (extra < 0) {
      throw new MigratrixError(
        "data_loss",
        `ClickHouse table ${name} holds ${-extra} rows fewer than its transfer checkpoints count: rows were deleted by someone else; truncate it and start again`,
      );
    }
    if (extra > 0 && !p.key) await c.run(`TRUNCATE TABLE ${q(name)}`);
    if (extra === 0 || !p.key) {
      clean.add(name);
      return false;
    }
    return true;
  }

  /**
   * Deletes the target rows with this chunk's keys (not by key range: ClickHouse orders text by bytes,
   * the source by its collation), and waits for the mutations, before the chunk is inserted again.
   */
  async function cleanUp(
    p: TablePlan,
    committed: number,
    batches: RecordBatch[],
    typeOf: (column: string) => string,
  ): Promise<void> {
    const name = p.target.name;
    const key = p.key ?? [];
    const keyIdx = key.map((k) => p.mappings.findIndex((m) => m.column === k));
    const kinds = keyIdx.map((i) => p.mappings[i]?.kind ?? "text");
    const lhs = key.map((k, j) => (kinds[j] === "binary" ? `hex(${q(k)})` : `toString(${q(k)})`));
    const tuple = lhs.length === 1 ? (lhs[0] ?? "") : `(${lhs.join(", ")})`;
    let items: string[] = [];
    let size = 0;
    const flush = async () => {
      if (items.length === 0) return;
      await c.run(`ALTER TABLE ${q(name)} DELETE WHERE ${tuple} IN (${items.join(", ")})`);
      items = [];
      size = 0;
    };
    for (const b of batches) {
      const cols = keyIdx.map((i) => columnValues(b, i));
      for (let r = 0; r < b.numRows; r++) {
        const parts = cols.map((col, j) =>
          lit(keyMatchText(kinds[j] ?? "text", col[r] ?? null, typeOf(key[j] ?? ""), () => `${name}.${key[j]}`)),
        );
        const item = parts.length === 1 ? (parts[0] ?? "") : `(${parts.join(", ")})`;
        items.push(item);
        size += item.length + 2;
        if (size >= DELETE_BYTES) await flush();
      }
    }
    await flush();
    await awaitMutations(c, name);
    // Rows beyond this chunk (an attempt with bigger chunks) are deleted with the next chunk.
    if ((await count(name)) === committed) clean.add(name);
  }

  return {
    engine: "clickhouse",
    refusePolicy,
    // 18.16 has no system.disks; the server's free space is not told over SQL.
    freeBytes: async () => null,
    async table(p) {
      const cols = await tableColumns(c, p.target.name);
      if (cols.length === 0) return null;
      return {
        columns: cols.map((x) => ({ name: x.name, type: x.type.replace(/^Nullable\((.*)\)$/, "$1") })),
        // ClickHouse has no unique keys (ORDER BY does not make rows unique).
        uniqueKey: null,
        empty: (await count(p.target.name)) === 0,
      };
    },
    async openCheckpoints() {
      await c.run(
        `CREATE TABLE IF NOT EXISTS ${cp} (job_id String, table_name String, last_key Nullable(String),
         chunks UInt64, rows UInt64, bytes UInt64, done UInt8, version UInt64, updated_at DateTime DEFAULT now())
         ENGINE = ReplacingMergeTree(version) ORDER BY (job_id, table_name)`,
      );
    },
    async readCheckpoints(jobId) {
      const rows = await c.rows<Record<string, unknown>>(latest(jobId));
      return rows
        .filter((r) => r.table_name !== JOB_ROW)
        .map((r) => checkpointFromRow(jobId, { ...r, rows: r.r }, Number(r.done) === 1));
    },
    markDone: (x) => save(x),
    async saveJob(jobId, meta, done) {
      await saveRow(jobId, JOB_ROW, JSON.stringify(meta), { chunks: 0, rows: 0, bytes: 0, done });
    },
    async readJob(jobId) {
      const r = (await c.rows<{ table_name: string; last_key: string | null; done: number }>(latest(jobId))).find(
        (x) => x.table_name === JOB_ROW,
      );
      return r?.last_key ? { meta: JSON.parse(r.last_key), done: Number(r.done) === 1 } : null;
    },
    async createTables(plans) {
      for (const p of plans) {
        const key = p.source.primaryKey ?? [];
        const cols = p.mappings.map((m) => {
          const col = p.source.columns.find((x) => x.name === m.column);
          // Key columns cannot be Nullable in ORDER BY; arrays cannot be Nullable at all.
          const nullable = col?.nullable !== false && !key.includes(m.column) && !isArrayType(m.targetType);
          return `${q(m.column)} ${nullable ? `Nullable(${m.targetType})` : m.targetType}`;
        });
        const order = key.length > 0 ? `(${key.map(q).join(", ")})` : "tuple()";
        await c.run(`CREATE TABLE ${q(p.target.name)} (${cols.join(", ")}) ENGINE = MergeTree ORDER BY ${order}`);
      }
    },
    async finishTables(plans) {
      const done: string[] = [];
      for (const p of plans) {
        const t = p.target.name;
        if (p.source.primaryKey)
          done.push(`${t}: ORDER BY (${p.source.primaryKey.join(", ")}) declared with the table (not unique)`);
        for (const i of p.source.indexes)
          done.push(`${t}: index ${i.name} not created (ClickHouse has no such indexes)`);
        for (const fk of p.source.foreignKeys) done.push(`${t}: foreign key ${fk.name} not created (ClickHouse)`);
        for (const s of p.source.sequences)
          done.push(`${t}: sequence of ${s.column} not carried (ClickHouse has none)`);
      }
      return done;
    },
    async truncate(p) {
      await c.run(`TRUNCATE TABLE ${q(p.target.name)}`);
      clean.delete(p.target.name);
    },
    async writeChunk(w, batches) {
      const p = w.plan;
      const refused = refusePolicy(w.policy);
      if (refused) throw new MigratrixError("failed_precondition", refused);
      const name = p.target.name;
      const cols = p.mappings.map((m) => m.column);
      const info = await tableColumns(c, name);
      const types = cols.map((col) => baseType(info.find((x) => x.name === col)?.type ?? "String"));
      const wheres = cols.map((col) => () => `${name}.${col}`);
      let rows = 0;
      let bytes = 0;
      // Rows of an unfinished attempt in the target: this chunk is held until its keys are deleted.
      const held: RecordBatch[] | null = !clean.has(name) && (await needsCleanUp(p, w.checkpoint.rows)) ? [] : null;
      const encoders = p.mappings.map((m, i) => fieldEncoder(m.kind, types[i] ?? "String", wheres[i] as () => string));
      // Text accumulates in one string; raw bytes (binary columns) cut it into buffers.
      let text = "";
      let pieces: Uint8Array[] = [];
      let size = 0;
      // One INSERT in flight while the next body is encoded (and the source keeps sending).
      let inflight: Promise<void> = Promise.resolve();
      let failure: unknown = null;
      const settle = async () => {
        await inflight;
        if (failure) throw failure;
      };
      const flush = async () => {
        if (text === "" && pieces.length === 0) return;
        pieces.push(Buffer.from(text, "utf8"));
        const body = pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
        text = "";
        pieces = [];
        size = 0;
        await settle();
        inflight = c.insert(name, cols, body).catch((e: unknown) => {
          failure = e;
        });
      };
      const width = cols.length;
      const encode = async (batch: RecordBatch) => {
        const data = cols.map((_c, i) => columnValues(batch, i));
        for (let r = 0; r < batch.numRows; r++) {
          for (let i = 0; i < width; i++) {
            const cell = data[i]?.[r] ?? null;
            bytes += cellBytes(cell);
            const f = (encoders[i] as FieldEncoder)(cell);
            if (typeof f === "string") {
              text += f;
              size += f.length;
            } else {
              pieces.push(Buffer.from(text, "utf8"), f);
              size += f.length;
              text = "";
            }
            text += i === width - 1 ? "\n" : "\t";
          }
          rows++;
          if (size >= INSERT_BYTES) await flush();
        }
      };
      try {
        for await (const batch of batches) {
          if (held) held.push(batch);
          else await encode(batch);
        }
        if (held) {
          await cleanUp(p, w.checkpoint.rows, held, (k) => types[cols.indexOf(k)] ?? "String");
          for (const b of held) await encode(b);
        }
        await flush();
        await settle();
        await opts.afterRows?.({ table: name, chunk: w.checkpoint.chunks });
        const x = w.checkpoint;
        await save({ ...x, rows: x.rows + rows, bytes: x.bytes + bytes });
      } catch (e) {
        await inflight;
        // Rows may have landed without their checkpoint: check (and clean) before the next write.
        clean.delete(name);
        throw e instanceof MigratrixError ? e : clickhouseError(e, `write into ${name} failed`);
      }
      return { rows, bytes };
    },
    close: () => c.close(),
  };
}
