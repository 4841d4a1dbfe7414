// One transfer job: pre-flight before any row moves (mapping losses, keys, target tables, sizes,
// conflict policy), tables created from the mapped source schema with --create, keyset chunks each
// committed with its checkpoint, then keys/indexes → foreign keys → sequences → ANALYZE, then row
// counts and checksums of both sides compared.
import { randomUUID } from "node:crypto";
import { MigratrixError, redactSecrets } from "../common/errors.ts";
import {
  type ColumnMapping,
  type LossReport,
  lossReport,
  type MapOptions,
  mapColumnType,
  typeMapSource,
  typeMapTarget,
} from "../engines/schema/typemap.ts";
import type { EngineId } from "../engines/types.ts";
import { type Cell, columnValues, makeBatch, RowChecksum } from "./batch.ts";
import { type Endpoints, openEndpoints } from "./endpoints.ts";
import { type ChunkRead, chunkCollector, readAhead } from "./readahead.ts";
import type {
  Checkpoint,
  ConflictPolicy,
  JobMeta,
  KeyRange,
  KeyValue,
  ProgressEvent,
  SourceEndpoint,
  SourceTable,
  TablePlan,
  TargetEndpoint,
  TargetTableInfo,
} from "./types.ts";

export interface TransferHooks {
  /** After a chunk and its checkpoint committed (1-based chunk number of this run, over all tables). */
  afterChunk?(info: { table: string; chunk: number; runChunk: number }): Promise<void> | void;
  /** Before a chunk is written (a throw stops the job before it touches the target again). */
  beforeChunk?(info: { table: string; chunk: number }): Promise<void> | void;
}

export interface TransferOptions {
  from: string;
  to: string;
  /** Table names ("name" or "schema.name"); default every table of the source's default schema. */
  tables?: string[];
  /** Rows per chunk (one target transaction and checkpoint); default 50,000. */
  batchRows?: number;
  /** Bytes per Arrow batch inside a chunk; default 16 MiB. */
  batchBytes?: number;
  /** Create missing target tables from the mapped source schema. */
  create?: boolean;
  onConflict?: ConflictPolicy;
  /** truncate empties target tables: only with this consent. */
  confirmTruncate?: boolean;
  /** Continue this job from its checkpoints. */
  resume?: string;
  /** Id for a new job (default a random UUID). */
  jobId?: string;
  /** Tables without a primary key are refused unless this is set; they are then copied in one chunk. */
  noKeyOk?: boolean;
  /** Go on although columns cannot be carried losslessly (they are still reported). */
  acceptLoss?: boolean;
  overrides?: MapOptions["overrides"];
  enumAs?: MapOptions["enumAs"];
  /** auto: the fast path where PostgreSQL → PostgreSQL types are identical, else Arrow. */
  path?: "auto" | "arrow" | "fast";
  /** checksum (default): counts and checksums; count: counts only. */
  verify?: "checksum" | "count";
  /** Stop after the pre-flight report. */
  dryRun?: boolean;
  /**
   * With jobId: resume when the target already holds that job's checkpoints, start it otherwise
   * (an agent job delivered again, or retried, continues where it stopped).
   */
  resumeIfStarted?: boolean;
  /**
   * Per copied column, a function applied to every value on the way (masking); undefined leaves the
   * column as read. A table with such a column goes through Arrow, never the binary fast path, and
   * its source checksum is taken over the transformed values.
   */
  transform?(table: string, column: string): ((v: Cell) => Cell) | undefined;
  onProgress?(e: ProgressEvent): void;
  hooks?: TransferHooks;
}

export interface PreflightTable {
  table: string;
  target: string;
  key: string[] | null;
  rowEstimate: number;
  bytesEstimate: number | null;
  action: "create" | "existing";
  path: "fast" | "arrow";
  mappings: ColumnMapping[];
  notes: string[];
}

export interface Preflight {
  jobId: string;
  resumed: boolean;
  tables: PreflightTable[];
  losses: LossReport[];
  estimatedRows: number;
  estimatedBytes: number | null;
  /** Free space on the target; null: the engine cannot tell. */
  freeBytes: number | null;
}

export interface TableResult {
  table: string;
  path: "fast" | "arrow";
  /** Rows and chunks written in this run; chunks taken from checkpoints of an earlier run. */
  rowsCopied: number;
  bytesCopied: number;
  chunksCopied: number;
  chunksSkipped: number;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string | null;
  targetChecksum: string | null;
  match: boolean;
}

export interface TransferReport {
  preflight: Preflight;
  tables: TableResult[];
  /** Steps after the rows (keys, indexes, foreign keys, sequences, ANALYZE). */
  finished: string[];
  warnings: string[];
  seconds: number;
  rowsPerSecond: number;
  ok: boolean;
}

const DEFAULT_ROWS = 50_000;
const DEFAULT_BYTES = 16 << 20;
/** Rows per Arrow batch inside a chunk. */
const BATCH_ROWS = 10_000;
/**
 * Arrow batches the source reads ahead of the target writer (across a chunk's end: the next chunk's
 * first ones). More would hold more rows in memory for no speed measured here.
 */
const BATCHES_AHEAD = 2;

function label(t: SourceTable): string {
  return t.name;
}

function planTables(
  sourceEngine: EngineId,
  targetEngine: EngineId,
  tables: SourceTable[],
  o: TransferOptions,
): TablePlan[] {
  const src = typeMapSource(sourceEngine);
  const tgt = typeMapTarget(targetEngine);
  if (!src) throw new MigratrixError("unimplemented", `transfer does not read from ${sourceEngine} yet`);
  if (!tgt) throw new MigratrixError("unimplemented", `transfer does not write to ${targetEngine} yet`);
  const mapOpts: MapOptions = {
    ...(o.overrides ? { overrides: o.overrides } : {}),
    ...(o.enumAs ? { enumAs: o.enumAs } : {}),
  };
  return tables.map((t) => ({
    source: t,
    target: { schema: null, name: t.name },
    key: t.primaryKey,
    mappings: t.columns
      .filter((c) => c.generated === undefined)
      .map((c) => mapColumnType(src, tgt, { table: t.name, column: c.name, type: c.type, ctx: c.ctx }, mapOpts)),
  }));
}

function compatibility(plan: TablePlan, info: TargetTableInfo): { missing: string[]; differing: string[] } {
  const byName = new Map(info.columns.map((c) => [c.name, c.type]));
  const missing: string[] = [];
  const differing: string[] = [];
  for (const m of plan.mappings) {
    const t = byName.get(m.column);
    if (t === undefined) missing.push(m.column);
    else if (t.toLowerCase() !== m.targetType.toLowerCase())
      differing.push(`${m.column} ${t} (mapped: ${m.targetType})`);
  }
  return { missing, differing };
}

async function preflight(
  ep: Endpoints,
  plans: TablePlan[],
  o: TransferOptions,
  job: { id: string; resumed: boolean; checkpoints: Map<string, Checkpoint>; created: Set<string> },
): Promise<{ report: Preflight; infos: Map<string, TargetTableInfo | null> }> {
  const losses = lossReport(plans.flatMap((p) => p.mappings));
  if (losses.length > 0 && !o.acceptLoss) {
    const lines = losses.map(
      (l) => `${l.table}.${l.column} ${l.sourceType} → ${l.targetType}: ${l.reasons.join("; ")}`,
    );
    throw new MigratrixError(
      "failed_precondition",
      `these columns cannot be carried losslessly (override them or accept the loss):\n  ${lines.join("\n  ")}`,
      { losses },
    );
  }
  const noKey = plans.filter((p) => p.key === null).map((p) => p.source.name);
  if (noKey.length > 0 && !o.noKeyOk) {
    throw new MigratrixError(
      "failed_precondition",
      `tables without a primary key cannot be copied in resumable chunks: ${noKey.join(", ")} (--no-key-ok copies each in one chunk)`,
    );
  }
  const policy = o.onConflict ?? "fail";
  if (policy === "truncate" && !o.confirmTruncate) {
    throw new MigratrixError(
      "invalid_argument",
      "--on-conflict truncate empties the target tables: confirm it with --confirm-truncate",
    );
  }
  const refused = ep.target.refusePolicy?.(policy);
  if (refused) throw new MigratrixError("failed_precondition", refused);
  const infos = new Map<string, TargetTableInfo | null>();
  const rows: PreflightTable[] = [];
  const problems: string[] = [];
  for (const p of plans) {
    const info = await ep.target.table(p);
    infos.set(p.source.name, info);
    const notes = p.mappings.flatMap((m) => m.notes.map((n) => `${m.column}: ${n}`));
    const started = job.checkpoints.has(p.source.name);
    let fastOk = ep.source.engine === "postgresql" && ep.target.engine === "postgresql";
    if (info === null) {
      if (!o.create) problems.push(`target table ${p.target.name} does not exist (--create creates it)`);
    } else {
      const { missing, differing } = compatibility(p, info);
      if (missing.length > 0) problems.push(`target table ${p.target.name} lacks columns ${missing.join(", ")}`);
      if (differing.length > 0) {
        fastOk = false;
        notes.push(`column types differ: ${differing.join("; ")}`);
      }
      if (!info.empty && policy === "fail" && !started && !job.created.has(p.source.name)) {
        problems.push(`target table ${p.target.name} already has rows (choose --on-conflict skip, upsert or truncate)`);
      }
    }
    if (transformsOf(p, o)) {
      fastOk = false;
      notes.push("transformed on the way (masking): copied through Arrow");
    }
    if (o.path === "fast" && !fastOk)
      problems.push(`table ${p.source.name}: the fast path needs PostgreSQL on both sides with identical column types`);
    rows.push({
      table: label(p.source),
      target: p.target.name,
      key: p.key,
      rowEstimate: p.source.rowEstimate,
      bytesEstimate: p.source.bytesEstimate,
      action: info === null ? "create" : "existing",
      path: fastOk && o.path !== "arrow" ? "fast" : "arrow",
      mappings: p.mappings,
      notes,
    });
  }
  if (problems.length > 0) {
    throw new MigratrixError("failed_precondition", `pre-flight failed:\n  ${problems.join("\n  ")}`);
  }
  const sizes = rows.map((r) => r.bytesEstimate);
  const estimatedBytes = sizes.some((s) => s === null) ? null : sizes.reduce<number>((a, b) => a + (b ?? 0), 0);
  const freeBytes = await ep.target.freeBytes();
  if (freeBytes !== null && estimatedBytes !== null && estimatedBytes > freeBytes) {
    throw new MigratrixError(
      "resource_exhausted",
      `the source tables take about ${estimatedBytes} bytes, the target has ${freeBytes} bytes free`,
    );
  }
  return {
    report: {
      jobId: job.id,
      resumed: job.resumed,
      tables: rows,
      losses,
      estimatedRows: rows.reduce((a, r) => a + r.rowEstimate, 0),
      estimatedBytes,
      freeBytes,
    },
    infos,
  };
}

export async function checksumOf(
  reader: SourceEndpoint,
  plan: TablePlan,
  limits: { rows: number; bytes: number; batchRows: number },
  canonicalJson: boolean,
): Promise<{ rows: number; checksum: string }> {
  // A source served by another agent (jetstream.ts) sums its rows where they are.
  if (reader.checksum) return reader.checksum(plan, limits, canonicalJson);
  // One engine prints equal JSON equally; across engines key order and spacing differ.
  const sum = new RowChecksum({ canonicalJson });
  if (plan.key === null) {
    for await (const b of reader.read(
      plan,
      { after: null, upTo: null },
      { rows: limits.batchRows, bytes: limits.bytes },
    )) {
      sum.addBatch(b);
    }
    return { rows: sum.rows, checksum: sum.hex() };
  }
  // Chunk by chunk, as the copy did: memory stays bounded by the chunk size.
  const collect = chunkCollector();
  let after: KeyValue | null = null;
  for (
    let next = await reader.nextUpper(plan, after, limits.rows);
    next;
    next = await reader.nextUpper(plan, after, limits.rows)
  ) {
    for await (const b of reader.read(
      plan,
      { after, upTo: next.key },
      { rows: limits.batchRows, bytes: limits.bytes },
    )) {
      sum.addBatch(b);
    }
    after = next.key;
    collect();
  }
  return { rows: sum.rows, checksum: sum.hex() };
}

/** The target table read back with the same carried kinds, for counts and checksums. */
function targetReadPlan(p: TablePlan): TablePlan {
  return {
    ...p,
    source: {
      ...p.source,
      schema: p.target.schema ?? "",
      name: p.target.name,
      // Key ranges are cast to the target's column types.
      columns: p.source.columns.map((c) => ({
        ...c,
        type: p.mappings.find((m) => m.column === c.name)?.targetType ?? c.type,
      })),
    },
  };
}

/** `open`: where the endpoints come from (default the two URLs; jetstream.ts passes a remote source). */
export async function transfer(
  o: TransferOptions,
  open: () => Promise<Endpoints> = () => openEndpoints(o.from, o.to),
): Promise<TransferReport> {
  const started = performance.now();
  const ep = await open();
  try {
    return await runJob(ep, o, started);
  } catch (e) {
    const m = MigratrixError.from(e);
    throw m.message === redactSecrets(m.message) ? m : new MigratrixError(m.code, redactSecrets(m.message), m.detail);
  } finally {
    await ep.close();
  }
}

async function runJob(ep: Endpoints, o: TransferOptions, started: number): Promise<TransferReport> {
  const chunkRows = o.batchRows ?? DEFAULT_ROWS;
  // Arrow batches are smaller than chunks, so the target writes the first rows of a chunk while the
  // source still sends the rest.
  const limits = { rows: chunkRows, bytes: o.batchBytes ?? DEFAULT_BYTES, batchRows: Math.min(chunkRows, BATCH_ROWS) };
  if (!(limits.rows >= 1) || !(limits.bytes >= 1024)) {
    throw new MigratrixError("invalid_argument", "batch rows must be at least 1 and batch bytes at least 1024");
  }
  const source = transformedSource(ep.source, o);
  const described = await source.describe(o.tables);
  const missing = (o.tables ?? []).filter((t) => !described.some((d) => d.name === t || `${d.schema}.${d.name}` === t));
  if (missing.length > 0) throw new MigratrixError("not_found", `source has no table ${missing.join(", ")}`);
  if (described.length === 0) throw new MigratrixError("not_found", "the source has no table to transfer");
  const plans = planTables(ep.source.engine, ep.target.engine, described, o);
  const policy = o.onConflict ?? "fail";

  await ep.target.openCheckpoints();
  const checkpoints = new Map<string, Checkpoint>();
  let jobId = o.jobId ?? randomUUID();
  let created = new Set<string>();
  let resume = o.resume;
  if (resume === undefined && o.resumeIfStarted && o.jobId !== undefined && (await ep.target.readJob(o.jobId))) {
    resume = o.jobId;
  }
  if (resume !== undefined) {
    jobId = resume;
    const job = await ep.target.readJob(jobId);
    if (!job) throw new MigratrixError("not_found", `the target has no transfer job ${jobId} to resume`);
    const names = plans.map((p) => p.source.name).sort();
    if (JSON.stringify(job.meta.tables) !== JSON.stringify(names)) {
      throw new MigratrixError(
        "invalid_argument",
        `job ${jobId} copied tables ${job.meta.tables.join(", ")}; resume it with the same tables (got ${names.join(", ")})`,
      );
    }
    created = new Set(job.meta.created ?? []);
    for (const c of await ep.target.readCheckpoints(jobId)) checkpoints.set(c.table, c);
  } else if (await ep.target.readJob(jobId)) {
    throw new MigratrixError("already_exists", `transfer job ${jobId} already exists on the target: use --resume`);
  }

  const { report: pre } = await preflight(ep, plans, o, {
    id: jobId,
    resumed: resume !== undefined,
    checkpoints,
    created,
  });
  const base = { preflight: pre, finished: [] as string[], warnings: [] as string[] };
  if (o.dryRun)
    return { ...base, tables: [], seconds: (performance.now() - started) / 1000, rowsPerSecond: 0, ok: true };

  const toCreate = plans.filter((p) => pre.tables.find((t) => t.table === p.source.name)?.action === "create");
  for (const p of toCreate) created.add(p.source.name);
  const meta: JobMeta = {
    tables: plans.map((p) => p.source.name).sort(),
    create: o.create === true,
    policy,
    path: pre.tables.every((t) => t.path === "fast") ? "fast" : "arrow",
    created: [...created].sort(),
  };
  if (toCreate.length > 0) await ep.target.createTables(toCreate);
  await ep.target.saveJob(jobId, meta, false);

  const results: TableResult[] = [];
  const collect = chunkCollector();
  let totalRows = 0;
  let totalBytes = 0;
  let runChunk = 0;
  for (const p of plans) {
    const name = p.source.name;
    const path = pre.tables.find((t) => t.table === name)?.path ?? "arrow";
    let cp: Checkpoint = checkpoints.get(name) ?? {
      jobId,
      table: name,
      lastKey: null,
      chunks: 0,
      rows: 0,
      bytes: 0,
      done: false,
    };
    const chunksSkipped = cp.chunks;
    if (policy === "truncate" && !checkpoints.has(name)) await ep.target.truncate(p);
    const info = await ep.target.table(p);
    const pipe = chunkPipe(ep, source, p, { path, limits, uniqueKey: info?.uniqueKey ?? null, policy });
    let chunksCopied = 0;
    let rowsCopied = 0;
    let bytesCopied = 0;
    /**
     * One chunk, number `chunk`: its rows may go to the target while the chunk before is still
     * written (`before`: that chunk done, hooks included); its checkpoint and commit come after.
     */
    const writeOne = async (c: PlannedChunk, chunk: number, before: Promise<void>) => {
      await o.hooks?.beforeChunk?.({ table: name, chunk });
      let next: Checkpoint | undefined;
      const r = await c.write(chunk, async () => {
        await before;
        next = { ...cp, lastKey: c.range.upTo, chunks: chunk, done: p.key === null };
        return next;
      });
      if (!next) throw new MigratrixError("internal", `chunk ${chunk} of ${name} committed without its checkpoint`);
      cp = { ...next, rows: next.rows + r.rows, bytes: next.bytes + r.bytes };
      chunksCopied++;
      runChunk++;
      rowsCopied += r.rows;
      bytesCopied += r.bytes;
      totalRows += r.rows;
      totalBytes += r.bytes;
      const secs = (performance.now() - started) / 1000;
      const rate = secs > 0 ? totalRows / secs : 0;
      const left = Math.max(
        0,
        pre.estimatedRows - totalRows - [...checkpoints.values()].reduce((a, c) => a + c.rows, 0),
      );
      o.onProgress?.({
        table: name,
        chunksCopied,
        chunksSkipped,
        rows: rowsCopied,
        bytes: bytesCopied,
        totalRows,
        totalBytes,
        estimatedRows: pre.estimatedRows,
        rowsPerSecond: rate,
        etaSeconds: rate > 0 ? left / rate : null,
      });
      await o.hooks?.afterChunk?.({ table: name, chunk: cp.chunks, runChunk });
      collect();
    };
    if (cp.done) {
      // Nothing left of this table.
    } else if (p.key === null) {
      const range = { after: null, upTo: null };
      const c = pipe.start(range, path === "fast" ? await source.count(p, "source") : 0);
      await writeOne(c, cp.chunks + 1, Promise.resolve());
    } else {
      const plan = async (after: KeyValue | null): Promise<PlannedChunk | null> => {
        const upper = await source.nextUpper(p, after, limits.rows);
        return upper ? pipe.start({ after, upTo: upper.key }, upper.rows) : null;
      };
      // Pipelined: once a chunk's source read is over, the next chunk's bound is found and its read
      // starts, while the target still writes and commits this one; up to pipe.writers chunks go to
      // the target at once, each committed (with its checkpoint) only after the one before it.
      const writing: Promise<void>[] = [];
      let before: Promise<void> = Promise.resolve();
      let chunk = cp.chunks;
      let c = await plan(cp.lastKey);
      try {
        while (c) {
          const current: PlannedChunk = c;
          const ahead = current.read.sourceDone.then(() => plan(current.range.upTo));
          ahead.catch(() => undefined);
          const done = writeOne(current, ++chunk, before);
          done.catch(() => current.read.abandon());
          writing.push(done);
          before = done;
          try {
            if (writing.length >= pipe.writers) await writing.shift();
          } catch (e) {
            ahead.then(
              (n) => n?.read.abandon(),
              () => undefined,
            );
            throw e;
          }
          c = await ahead;
        }
        for (let w = writing.shift(); w; w = writing.shift()) await w;
      } finally {
        // A failed job: chunks still in flight wait for the failed one, then roll back.
        for (const w of writing) w.catch(() => undefined);
      }
      cp = { ...cp, done: true };
      await ep.target.markDone(cp);
    }
    results.push({
      table: name,
      path,
      rowsCopied,
      bytesCopied,
      chunksCopied,
      chunksSkipped,
      sourceRows: 0,
      targetRows: 0,
      sourceChecksum: null,
      targetChecksum: null,
      match: false,
    });
  }

  // Taken before verification, which reads the source again.
  const warnings = ep.warnings();
  const finishing = plans.filter((p) => created.has(p.source.name));
  const finished = finishing.length > 0 ? await ep.target.finishTables(finishing) : [];
  await ep.target.saveJob(jobId, meta, true);
  const copySeconds = (performance.now() - started) / 1000;

  for (const r of results) {
    const p = plans.find((x) => x.source.name === r.table);
    if (!p) continue;
    const back = targetReadPlan(p);
    if ((o.verify ?? "checksum") === "checksum") {
      const cross = ep.source.engine !== ep.target.engine;
      // Each side on its own connection, at the same time.
      const [s, t] = await Promise.all([
        checksumOf(source, p, limits, cross),
        checksumOf(ep.targetReader, back, limits, cross),
      ]);
      Object.assign(r, {
        sourceRows: s.rows,
        targetRows: t.rows,
        sourceChecksum: s.checksum,
        targetChecksum: t.checksum,
      });
      r.match = s.rows === t.rows && s.checksum === t.checksum;
    } else {
      [r.sourceRows, r.targetRows] = await Promise.all([
        source.count(p, "source"),
        ep.targetReader.count(back, "source"),
      ]);
      r.match = r.sourceRows === r.targetRows;
    }
  }
  return {
    ...base,
    finished,
    warnings,
    tables: results,
    seconds: (performance.now() - started) / 1000,
    rowsPerSecond: copySeconds > 0 ? totalRows / copySeconds : 0,
    ok: results.every((r) => r.match),
  };
}

export type { TargetEndpoint };

/** The column transforms of a table, by copied column; undefined when none applies. */
function transformsOf(p: TablePlan, o: TransferOptions): (((v: Cell) => Cell) | undefined)[] | undefined {
  if (!o.transform) return undefined;
  const fns = p.mappings.map((m) => o.transform?.(p.source.name, m.column));
  return fns.some((f) => f !== undefined) ? fns : undefined;
}

/**
 * The source with its column transforms applied to every batch it reads, for the copy and for the
 * source's checksum alike (the target holds the transformed values). No transform: the source as is.
 */
export function transformedSource(s: SourceEndpoint, o: TransferOptions): SourceEndpoint {
  if (!o.transform) return s;
  return {
    engine: s.engine,
    describe: (t) => s.describe(t),
    count: (p, side) => s.count(p, side),
    nextUpper: (p, after, rows) => s.nextUpper(p, after, rows),
    ...(s.readsBuffered ? { readsBuffered: true } : {}),
    close: () => s.close(),
    read(plan, range, limits) {
      const fns = transformsOf(plan, o);
      const batches = s.read(plan, range, limits);
      if (!fns) return batches;
      return (async function* () {
        for await (const b of batches) {
          const cols = fns.map((f, i) => {
            const values = columnValues(b, i);
            return f ? values.map(f) : values;
          });
          yield makeBatch(b.schema, cols, b.numRows);
        }
      })();
    },
  };
}

/** A chunk whose range is known and whose source read has started. */
interface PlannedChunk {
  range: KeyRange;
  read: Pick<ChunkRead<unknown>, "sourceDone" | "abandon">;
  /**
   * The chunk into one target transaction with its checkpoint; `checkpoint` is asked for once the
   * rows are in, just before it is saved (the chunk before may still be committing until then).
   */
  write(chunk: number, checkpoint: () => Promise<Checkpoint>): Promise<{ rows: number; bytes: number }>;
}

interface ChunkPipe {
  start(range: KeyRange, rows: number): PlannedChunk;
  /** Chunks written at once (each still committed after the one before). */
  writers: number;
}

/**
 * Chunks the fast path writes at once: the target's backend is the slowest part (measured, 1M rows
 * already read: one connection 0.8 s, two 0.5 s).
 */
const FAST_WRITERS = 2;

/**
 * How a table's chunks travel: binary COPY bytes (fast path) or Arrow batches. `rows`: the range's
 * row count from nextUpper (the fast path does not parse its bytes).
 */
function chunkPipe(
  ep: Endpoints,
  source: SourceEndpoint,
  p: TablePlan,
  o: {
    path: "fast" | "arrow";
    limits: { bytes: number; batchRows: number };
    uniqueKey: string[] | null;
    policy: ConflictPolicy;
  },
): ChunkPipe {
  if (o.path === "fast") {
    const from = ep.source;
    const to = ep.target;
    const readBinary = from.readBinary?.bind(from);
    const writeBinary = to.writeBinary?.bind(to);
    if (!readBinary || !writeBinary) {
      throw new MigratrixError("failed_precondition", "the fast path needs PostgreSQL on both sides");
    }
    return {
      writers: FAST_WRITERS,
      start(range, rows) {
        const read = readBinary(p, range);
        return {
          range,
          read,
          write: (chunk, checkpoint) =>
            writeBinary({ plan: p, policy: o.policy, chunk, checkpoint }, read.items, {
              uniqueKey: o.uniqueKey,
              rows,
            }),
        };
      },
    };
  }
  return {
    writers: 1,
    start(range) {
      const batches = source.read(p, range, { rows: o.limits.batchRows, bytes: o.limits.bytes });
      const read = readAhead(batches, source.readsBuffered ? Number.POSITIVE_INFINITY : BATCHES_AHEAD);
      return {
        range,
        read,
        // One writer: the chunk before is done when this one starts.
        write: async (_chunk, checkpoint) =>
          ep.target.writeChunk({ plan: p, policy: o.policy, checkpoint: await checkpoint() }, read.items),
      };
    },
  };
}
