// One side's queries for the data diff, assembled from the engine's DataDiffFacts: range
// summaries (count + combined row hash per bucket, in the database where the engine can hash),
// key samples for quantile splits, leading-key bounds and the rows of small ranges.

import type { Session } from "../types.ts";
import { canonicalValue, encodeRow, rowHash64, toUint64 } from "./canonical.ts";
import { bucketCount, bucketExpression, type KeySql, keySql, rangePredicate, splitBuckets } from "./ranges.ts";
import type { Bucketing, CanonicalRow, DataDiffFacts, DiffSide, KeyRange, KeyTuple, Scan, Summary } from "./types.ts";

export interface SideScanner {
  summarise(range: KeyRange, buckets: Bucketing | null): Promise<Map<number, Summary>>;
  /** Boundaries every `every` rows in key order (not the first row), from this side. */
  sample(range: KeyRange, every: number): Promise<KeyTuple[]>;
  /** Smallest and largest leading (integer) key value in the range; null when it is empty. */
  intBounds(range: KeyRange): Promise<{ min: bigint; max: bigint } | null>;
  /** Canonical rows of some ranges (one query: their predicates OR-ed): key columns, then compared columns. */
  rows(ranges: KeyRange[]): Promise<CanonicalRow[]>;
  /** Rows whose key has a NULL (ranges never select them: a key named by hand is checked first). */
  nullKeys(): Promise<number>;
  /** Rows read into the process so far (leaf fetches and JS-side hashing). */
  rowsRead: number;
}

export function tableSql(facts: DataDiffFacts, t: Scan["table"]): string {
  return t.schema === undefined
    ? facts.quoteIdent(t.name)
    : `${facts.quoteIdent(t.schema)}.${facts.quoteIdent(t.name)}`;
}

function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return String(v);
}

function sessionScanner(facts: DataDiffFacts, session: Session, scan: Scan): SideScanner {
  const k: KeySql = keySql(facts, scan.key);
  const all = [...scan.key, ...scan.columns];
  const from = tableSql(facts, scan.table);
  const where = (r: KeyRange): string => {
    const parts = [rangePredicate(k, r), scan.where ? `(${scan.where})` : null].filter((p) => p !== null);
    return parts.length > 0 ? ` WHERE ${parts.join(" AND ")}` : "";
  };
  const canon = facts.canonical?.bind(facts);
  // Select list: canonical SQL where the engine has it, else raw values normalised in JS below.
  const select = (cols: typeof all) =>
    cols
      .map((c, i) => {
        const q = facts.quoteIdent(c.name);
        return `${canon ? canon(c, q) : q} AS c${i}`;
      })
      .join(", ");
  const toCanonical = (cols: typeof all, row: Record<string, unknown>): CanonicalRow =>
    cols.map((c, i) => (canon ? textOf(row[`c${i}`]) : canonicalValue(c.cls, row[`c${i}`])));

  const scanner: SideScanner = {
    rowsRead: 0,

    async summarise(range, buckets) {
      const bucket = buckets ? bucketExpression(facts, k, buckets) : "0";
      const out = new Map<number, Summary>();
      if (facts.hash) {
        const h = facts.hash.row(
          all.map((c) => ({ col: c, operand: facts.quoteIdent(c.name) })),
          scan.mode,
        );
        const agg = `count(*) AS n, ${facts.hash.combine(h)} AS h`;
        const series = buckets && facts.bucketSeries?.(bucketCount(buckets));
        const sql = !buckets
          ? `SELECT 0 AS b, ${agg} FROM ${from}${where(range)}`
          : series
            ? `SELECT mx_buckets.mx_bucket AS b, ${agg} FROM ${from} JOIN ${series} AS mx_buckets(mx_bucket) ` +
              `ON (${bucket}) = mx_buckets.mx_bucket${where(range)} GROUP BY 1`
            : `SELECT ${bucket} AS b, ${agg} FROM ${from}${where(range)} GROUP BY 1`;
        for (const r of await session.query(sql)) {
          const n = Number(r.n);
          if (n > 0) out.set(Number(r.b), { count: n, hash: toUint64(r.h) });
        }
        return out;
      }
      const rows = await session.query(`SELECT ${bucket} AS b, ${select(all)} FROM ${from}${where(range)}`);
      scanner.rowsRead += rows.length;
      for (const r of rows) {
        const b = Number(r.b);
        const s = out.get(b) ?? { count: 0, hash: 0n };
        s.count++;
        s.hash ^= rowHash64(encodeRow(toCanonical(all, r)));
        out.set(b, s);
      }
      return out;
    },

    async sample(range, every) {
      const sql =
        `SELECT ${scan.key.map((_, i) => `c${i}`).join(", ")} FROM (SELECT ${select(scan.key)}, ` +
        `row_number() OVER (ORDER BY ${k.operands.join(", ")}) AS rn FROM ${from}${where(range)}) s ` +
        `WHERE rn > 1 AND (rn - 1) % ${every} = 0 ORDER BY rn`;
      const rows = await session.query(sql);
      return rows.map((r) => toCanonical(scan.key, r).map((v) => v ?? ""));
    },

    async intBounds(range) {
      const lead = scan.key[0];
      if (!lead) return null;
      const agg = (fn: string) => (canon ? canon(lead, `${fn}(${k.lead})`) : `${fn}(${k.lead})`);
      const [r] = await session.query(`SELECT ${agg("min")} AS lo, ${agg("max")} AS hi FROM ${from}${where(range)}`);
      const lo = canonicalValue("int", r?.lo);
      const hi = canonicalValue("int", r?.hi);
      return lo === null || hi === null ? null : { min: BigInt(lo), max: BigInt(hi) };
    },

    async nullKeys() {
      const anyNull = scan.key.map((c) => `${facts.quoteIdent(c.name)} IS NULL`).join(" OR ");
      const filter = scan.where ? ` AND (${scan.where})` : "";
      const [r] = await session.query(`SELECT count(*) AS n FROM ${from} WHERE (${anyNull})${filter}`);
      return Number(r?.n ?? 0);
    },

    async rows(ranges) {
      const preds = ranges.map((r) => rangePredicate(k, r));
      const any = preds.includes(null) ? null : preds.map((p) => `(${p})`).join(" OR ");
      const parts = [any, scan.where ? `(${scan.where})` : null].filter((p) => p !== null);
      const filter = parts.length > 0 ? ` WHERE ${parts.map((p) => `(${p})`).join(" AND ")}` : "";
      const rows = await session.query(`SELECT ${select(all)} FROM ${from}${filter}`);
      scanner.rowsRead += rows.length;
      return rows.map((r) => toCanonical(all, r));
    },
  };
  return scanner;
}

/** All sessions of one side this scan may use (the extra ones only where scans run in the server). */
export function sideSessions(side: DiffSide): Session[] {
  return [side.session, ...(side.facts.parallelScans ? (side.extraSessions ?? []) : [])];
}

/**
 * One side's scanner. With several sessions a checksum pass over enough buckets is cut into
 * contiguous runs of whole buckets, one per session, run at once and merged (bucket numbers are
 * global, so the parts never overlap); everything else uses the first session.
 */
export function createScanner(side: DiffSide, scan: Scan): SideScanner {
  const parts = sideSessions(side).map((s) => sessionScanner(side.facts, s, scan));
  const first = parts[0]!;
  if (parts.length === 1) return first;
  return {
    get rowsRead() {
      return parts.reduce((n, p) => n + p.rowsRead, 0);
    },
    async summarise(range, buckets) {
      if (!buckets || bucketCount(buckets) < 2 * parts.length) return first.summarise(range, buckets);
      const ranges = splitBuckets(scan.key, range, buckets, parts.length);
      const maps = await Promise.all(ranges.map((r, i) => parts[i]!.summarise(r, buckets)));
      return new Map(maps.flatMap((m) => [...m]));
    },
    sample: (range, every) => first.sample(range, every),
    intBounds: (range) => first.intBounds(range),
    rows: (ranges) => first.rows(ranges),
    nullKeys: () => first.nullKeys(),
  };
}
