// Key ranges: how a range is cut into buckets, the child range of each bucket, and the SQL
// predicates and bucket expressions that select them (lexicographic, so composite keys work on
// every engine, with the engine's binary ordering for text).
import { MigratrixError } from "../../common/errors.ts";
import type { Bucketing, DataDiffFacts, DiffColumn, KeyRange, KeyTuple } from "./types.ts";

export const WHOLE: KeyRange = { lo: null, hi: null };

function compareElement(cls: DiffColumn["cls"], a: string, b: string): number {
  if (cls === "int") {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  // Binary order of the UTF-8 bytes, the order the range predicates use on every engine.
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * Orders key tuples (or prefixes) lexicographically; a prefix sorts before its extensions, which is
 * what a prefix means as a bound: [5] as lo is (5, -inf), as hi it excludes all of 5.
 */
export function compareKeys(key: readonly DiffColumn[], a: KeyTuple, b: KeyTuple): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareElement(key[i]?.cls ?? "text", a[i] ?? "", b[i] ?? "");
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The part of `a` inside `b`. */
export function intersect(key: readonly DiffColumn[], a: KeyRange, b: KeyRange): KeyRange {
  const lo = a.lo === null ? b.lo : b.lo === null ? a.lo : compareKeys(key, a.lo, b.lo) >= 0 ? a.lo : b.lo;
  const hi = a.hi === null ? b.hi : b.hi === null ? a.hi : compareKeys(key, a.hi, b.hi) <= 0 ? a.hi : b.hi;
  return { lo, hi };
}

/**
 * Integer buckets over [min, max] of the leading key column, about `threshold` rows each when
 * `expectedRows` are spread evenly, never more than maxBuckets, never fewer than 2 unless the span
 * is one value.
 */
export function planIntBuckets(o: {
  min: bigint;
  max: bigint;
  expectedRows: number;
  threshold: number;
  maxBuckets: number;
}): Extract<Bucketing, { kind: "int" }> {
  const span = o.max - o.min + 1n;
  const wanted = BigInt(Math.min(o.maxBuckets, Math.max(2, Math.ceil(o.expectedRows / Math.max(1, o.threshold)))));
  const buckets = wanted < span ? wanted : span;
  const width = (span + buckets - 1n) / buckets;
  const count = Number((span + width - 1n) / width);
  return { kind: "int", lo: o.min, width, count };
}

/** Every how many rows (in key order) a boundary is taken to cut `rows` into about the right buckets. */
export function sampleEvery(o: { rows: number; threshold: number; maxBuckets: number }): number {
  const buckets = Math.min(o.maxBuckets, Math.max(2, Math.ceil(o.rows / Math.max(1, o.threshold))));
  return Math.max(1, Math.ceil(o.rows / buckets));
}

/** The range of bucket `i`, inside `parent`. */
export function bucketRange(key: readonly DiffColumn[], parent: KeyRange, b: Bucketing, i: number): KeyRange {
  if (b.kind === "int") {
    const lo = b.lo + b.width * BigInt(i);
    return intersect(key, parent, { lo: [String(lo)], hi: [String(lo + b.width)] });
  }
  return {
    lo: i === 0 ? parent.lo : (b.bounds[i - 1] ?? null),
    hi: i === b.bounds.length ? parent.hi : (b.bounds[i] ?? null),
  };
}

export function bucketCount(b: Bucketing): number {
  return b.kind === "int" ? b.count : b.bounds.length + 1;
}

/** `parent` cut into `parts` contiguous ranges of whole buckets (as even as the buckets allow). */
export function splitBuckets(key: readonly DiffColumn[], parent: KeyRange, b: Bucketing, parts: number): KeyRange[] {
  const n = bucketCount(b);
  const k = Math.max(1, Math.min(parts, n));
  const out: KeyRange[] = [];
  for (let i = 0; i < k; i++) {
    const first = Math.floor((i * n) / k);
    const end = Math.floor(((i + 1) * n) / k);
    out.push({ lo: bucketRange(key, parent, b, first).lo, hi: bucketRange(key, parent, b, end - 1).hi });
  }
  return out;
}

/** The SQL pieces for one side's key: quoted operands and literals through the engine's facts. */
export interface KeySql {
  operands: string[];
  /** The leading key column, quoted, without the ordering operand (integer buckets use it). */
  lead: string;
  literal(i: number, text: string): string;
}

export function keySql(facts: DataDiffFacts, key: readonly DiffColumn[]): KeySql {
  return {
    operands: key.map((c) => facts.keyOperand(c, facts.quoteIdent(c.name))),
    lead: facts.quoteIdent(key[0]?.name ?? ""),
    literal: (i, text) => {
      const col = key[i];
      if (!col) throw new MigratrixError("internal", `key bound has ${i + 1} values, the key ${key.length} columns`);
      return facts.literal(col, text);
    },
  };
}

// (k0, k1, …) op bound, expanded lexicographically over the bound's length. `strict` is the last
// column's comparison: ">=" for a lower bound, "<" for an upper bound.
function compare(k: KeySql, bound: KeyTuple, dir: ">" | "<", last: ">=" | "<"): string {
  const lits = bound.map((v, i) => k.literal(i, v));
  const build = (i: number): string => {
    const op = k.operands[i] ?? "";
    if (i === bound.length - 1) return `${op} ${last} ${lits[i]}`;
    return `(${op} ${dir} ${lits[i]} OR (${op} = ${lits[i]} AND ${build(i + 1)}))`;
  };
  const body = build(0);
  // The redundant leading-column condition lets an index on the key be used for the range.
  if (bound.length === 1) return body;
  return `${k.operands[0]} ${dir === ">" ? ">=" : "<="} ${lits[0]} AND ${body}`;
}

/** SQL predicate for a range, or null for the whole table. */
export function rangePredicate(k: KeySql, r: KeyRange): string | null {
  const parts: string[] = [];
  if (r.lo !== null && r.lo.length > 0) parts.push(compare(k, r.lo, ">", ">="));
  if (r.hi !== null && r.hi.length > 0) parts.push(compare(k, r.hi, "<", "<"));
  return parts.length > 0 ? parts.join(" AND ") : null;
}

/** SQL expression giving each row's bucket number. */
export function bucketExpression(facts: DataDiffFacts, k: KeySql, b: Bucketing): string {
  if (b.kind === "int") return facts.intBucket(k.lead, b.lo, b.width);
  // A balanced CASE tree: log2(n) comparisons per row instead of n.
  const node = (a: number, z: number): string => {
    if (a === z) return String(a);
    const mid = Math.floor((a + z + 1) / 2);
    const bound = b.bounds[mid - 1] ?? [];
    return `CASE WHEN ${compare(k, bound, "<", "<")} THEN ${node(a, mid - 1)} ELSE ${node(mid, z)} END`;
  };
  return node(0, b.bounds.length);
}
