// Row-level data diff of two tables by key-range checksum bisection: each pass asks both
// databases at once for count + combined row hash per bucket of a range, only buckets that differ
// are cut further, and ranges small enough are fetched and compared row by row.
import { MigratrixError } from "../../common/errors.ts";
import { bucketRange, compareKeys, planIntBuckets, sampleEvery, WHOLE } from "./ranges.ts";
import { createScanner, type SideScanner, sideSessions } from "./scan.ts";
import { renderSyncScript } from "./script.ts";
import type {
  Bucketing,
  CanonicalRow,
  DataDiffOptions,
  DataDiffResult,
  DiffColumn,
  DiffSide,
  HashMode,
  KeyRange,
  RowDiff,
  Summary,
  TableName,
  TableShape,
} from "./types.ts";

export const DEFAULT_FETCH_THRESHOLD = 1000;
const LEAVES_PER_QUERY = 64;

export function tableLabel(t: TableName): string {
  return t.schema === undefined ? t.name : `${t.schema}.${t.name}`;
}

function findColumn(shape: TableShape, name: string): DiffColumn | undefined {
  return (
    shape.columns.find((c) => c.name === name) ?? shape.columns.find((c) => c.name.toLowerCase() === name.toLowerCase())
  );
}

async function describe(side: DiffSide, role: string): Promise<TableShape> {
  const shape = await side.facts.describe(side.session, side.table);
  if (!shape) {
    throw new MigratrixError(
      "not_found",
      `table ${tableLabel(side.table)} does not exist in the ${role} database (${side.engine})`,
    );
  }
  return shape;
}

interface Plan {
  key: { source: DiffColumn[]; target: DiffColumn[] };
  columns: { source: DiffColumn[]; target: DiffColumn[] };
  mode: HashMode;
}

function plan(o: DataDiffOptions, s: TableShape, t: TableShape): Plan {
  const src = tableLabel(o.source.table);
  const dst = tableLabel(o.target.table);
  const keyNames = o.key && o.key.length > 0 ? o.key : s.primaryKey;
  if (keyNames.length === 0) {
    throw new MigratrixError(
      "invalid_argument",
      `table ${src} has no primary key: name the key columns (--key COL[,COL])`,
    );
  }
  const pick = (shape: TableShape, name: string, where: string, hint: string): DiffColumn => {
    const c = findColumn(shape, name);
    if (!c) throw new MigratrixError("invalid_argument", `column ${name} does not exist in ${where}${hint}`);
    return c;
  };
  const key = {
    source: keyNames.map((n) => pick(s, n, `source table ${src}`, "")),
    target: keyNames.map((n) => pick(t, n, `target table ${dst}`, "")),
  };
  for (const n of [...(o.include ?? []), ...(o.exclude ?? [])]) pick(s, n, `source table ${src}`, "");
  const keySet = new Set(key.source.map((c) => c.name));
  const include = o.include && o.include.length > 0 ? new Set(o.include.map((n) => n.toLowerCase())) : null;
  const exclude = new Set((o.exclude ?? []).map((n) => n.toLowerCase()));
  const compared = s.columns.filter(
    (c) =>
      !keySet.has(c.name) &&
      (include === null || include.has(c.name.toLowerCase())) &&
      !exclude.has(c.name.toLowerCase()),
  );
  const columns = {
    source: compared,
    target: compared.map((c) => pick(t, c.name, `target table ${dst}`, ` (leave it out with --exclude ${c.name})`)),
  };
  // Both sides must order the key alike: the same kind of value on both (text compares as binary).
  const order = (c: DiffColumn) =>
    c.cls === "uuid" ? "text" : c.cls === "timestamptz" ? "timestamp" : c.cls === "int" ? "integer" : c.cls;
  for (const [i, c] of key.source.entries()) {
    const other = key.target[i];
    if (other && order(c) !== order(other)) {
      throw new MigratrixError(
        "invalid_argument",
        `key column ${c.name} is ${order(c)} (${c.type}) in source table ${src} but ${order(other)} (${other.type}) in target table ${dst}: both sides must order the key alike`,
      );
    }
  }
  const sameTypes = [...key.source, ...columns.source].every((c, i) => {
    const other = [...key.target, ...columns.target][i];
    return other !== undefined && other.type === c.type;
  });
  const native = !o.forceCanonical && o.source.engine === o.target.engine && sameTypes;
  return { key, columns, mode: native ? "native" : "canonical" };
}

// Math.min/max do not take bigints.
const sortBig = (xs: bigint[]) => xs.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));

const sameSummary = (a: Summary | undefined, b: Summary | undefined) =>
  (a?.count ?? 0) === (b?.count ?? 0) && (a?.hash ?? 0n) === (b?.hash ?? 0n);

interface Work {
  range: KeyRange;
  /** Row counts of the range on each side, when a parent pass told them. */
  counts?: [number, number];
}

export async function diffTables(o: DataDiffOptions): Promise<DataDiffResult> {
  const threshold = Math.max(1, o.fetchThreshold ?? DEFAULT_FETCH_THRESHOLD);
  const maxInt = Math.max(2, o.maxIntBuckets ?? 4096);
  const maxSampled = Math.max(2, o.maxSampledBuckets ?? 1024);
  await Promise.all(
    [o.source, o.target].flatMap((side) => sideSessions(side).map((session) => side.facts.prepare(session))),
  );
  // Both at once, but the source's problem is the one reported when both have one.
  const shapes = await Promise.allSettled([describe(o.source, "source"), describe(o.target, "target")]);
  const [s, t] = shapes.map((x) => {
    if (x.status === "rejected") throw x.reason;
    return x.value;
  }) as [TableShape, TableShape];
  const p = plan(o, s, t);
  const key = p.key.source;
  const scanners: [SideScanner, SideScanner] = [
    createScanner(o.source, {
      table: o.source.table,
      key,
      columns: p.columns.source,
      mode: p.mode,
      ...where(o.source),
    }),
    createScanner(o.target, {
      table: o.target.table,
      key: p.key.target,
      columns: p.columns.target,
      mode: p.mode,
      ...where(o.target),
    }),
  ];
  const both = <T>(f: (sc: SideScanner) => Promise<T>) => Promise.all([f(scanners[0]), f(scanners[1])]);
  const isPrimary = (shape: TableShape, cols: DiffColumn[]) =>
    shape.primaryKey.length === cols.length && cols.every((c, i) => shape.primaryKey[i] === c.name);
  // A key named by hand may hold NULLs, which no range selects: refuse it rather than miss rows.
  if (!isPrimary(s, key) || !isPrimary(t, p.key.target)) {
    const nulls = await both((sc) => sc.nullKeys());
    const at = nulls.findIndex((n) => n > 0);
    if (at >= 0) {
      throw new MigratrixError(
        "failed_precondition",
        `key (${key.map((c) => c.name).join(", ")}) is NULL in ${nulls[at]} row(s) of ${tableLabel((at === 0 ? o.source : o.target).table)}: name non-null key columns`,
      );
    }
  }
  let passes = 0;
  const leaves: KeyRange[] = [];

  // How to cut a range, or that it is equal / small enough to fetch.
  const cut = async (w: Work): Promise<Bucketing | "equal" | "leaf"> => {
    const lead = key[0];
    if (lead?.cls === "int" && p.key.target[0]?.cls === "int") {
      const [a, b] = await both((sc) => sc.intBounds(w.range));
      if (!a && !b) return "equal";
      const sides = [a, b].filter((x) => x !== null);
      const min = sortBig(sides.map((x) => x.min))[0]!;
      const max = sortBig(sides.map((x) => x.max)).at(-1)!;
      if (max > min) {
        const span = max - min + 1n;
        const expectedRows = w.counts ? Math.max(...w.counts) : span > 1_000_000_000n ? 1e9 : Number(span);
        return planIntBuckets({ min, max, expectedRows, threshold, maxBuckets: maxInt });
      }
      if (key.length === 1) return "leaf";
    }
    let counts = w.counts;
    if (!counts) {
      const [a, b] = await both((sc) => sc.summarise(w.range, null));
      passes++;
      if (sameSummary(a.get(0), b.get(0))) return "equal";
      counts = [a.get(0)?.count ?? 0, b.get(0)?.count ?? 0];
    }
    if (Math.max(...counts) <= threshold) return "leaf";
    const bigger = counts[0] >= counts[1] ? scanners[0] : scanners[1];
    const every = sampleEvery({ rows: Math.max(...counts), threshold, maxBuckets: maxSampled });
    const bounds = await bigger.sample(w.range, every);
    return bounds.length === 0 ? "leaf" : { kind: "bounds", bounds };
  };

  let queue: Work[] = [{ range: WHOLE }];
  while (queue.length > 0) {
    const next: Work[] = [];
    for (const w of queue) {
      const b = await cut(w);
      if (b === "equal") continue;
      if (b === "leaf") {
        leaves.push(w.range);
        continue;
      }
      const [sa, sb] = await both((sc) => sc.summarise(w.range, b));
      passes++;
      const ids = [...new Set([...sa.keys(), ...sb.keys()])].sort((x, y) => x - y);
      for (const i of ids) {
        const x = sa.get(i);
        const y = sb.get(i);
        if (sameSummary(x, y)) continue;
        const counts: [number, number] = [x?.count ?? 0, y?.count ?? 0];
        const range = bucketRange(key, w.range, b, i);
        if (Math.max(...counts) <= threshold) leaves.push(range);
        else next.push({ range, counts });
      }
    }
    queue = next;
  }

  const fetched: [Map<string, CanonicalRow>, Map<string, CanonicalRow>] = [new Map(), new Map()];
  // Leaf ranges are fetched a batch at a time: one scan serves many where no index serves the
  // key order (text keys compare in binary order, not the index's collation).
  for (let at = 0; at < leaves.length; at += LEAVES_PER_QUERY) {
    const batch = leaves.slice(at, at + LEAVES_PER_QUERY);
    const [ra, rb] = await both((sc) => sc.rows(batch));
    for (const [i, rows] of [ra, rb].entries()) {
      const side = i === 0 ? o.source : o.target;
      for (const r of rows) {
        const id = JSON.stringify(r.slice(0, key.length));
        if (r.slice(0, key.length).includes(null) || fetched[i]?.has(id)) {
          throw new MigratrixError(
            "failed_precondition",
            `key (${key.map((c) => c.name).join(", ")}) does not identify rows in ${tableLabel(side.table)}: ` +
              `${r.slice(0, key.length).includes(null) ? "a key value is NULL" : `${id} appears more than once`}; ` +
              "name unique, non-null key columns",
          );
        }
        fetched[i]?.set(id, r);
      }
    }
  }
  const rows = compareRows(key, p.columns.source, fetched[0], fetched[1]);
  const counts = { inserted: 0, updated: 0, deleted: 0 };
  for (const r of rows) counts[r.kind === "insert" ? "inserted" : r.kind === "update" ? "updated" : "deleted"]++;
  const result: DataDiffResult = {
    sourceTable: tableLabel(o.source.table),
    targetTable: tableLabel(o.target.table),
    key: key.map((c) => c.name),
    columns: p.columns.source.map((c) => c.name),
    counts,
    rows,
    script: "",
    stats: {
      passes,
      leafRanges: leaves.length,
      rowsFetched: { source: scanners[0].rowsRead, target: scanners[1].rowsRead },
      hashMode: p.mode,
    },
  };
  result.script = renderSyncScript(result, {
    facts: o.target.facts,
    table: o.target.table,
    key: p.key.target,
    columns: p.columns.target,
  });
  return result;
}

function where(side: DiffSide): { where?: string } {
  return side.where ? { where: side.where } : {};
}

/** Classifies fetched rows by key: source only → insert, target only → delete, different → update. */
export function compareRows(
  key: readonly DiffColumn[],
  columns: readonly DiffColumn[],
  source: Map<string, CanonicalRow>,
  target: Map<string, CanonicalRow>,
): RowDiff[] {
  const out: RowDiff[] = [];
  const n = key.length;
  for (const [id, a] of source) {
    const keyValues = a.slice(0, n).map((v) => v ?? "");
    const b = target.get(id);
    if (!b) {
      const row: Record<string, string | null> = {};
      for (const [i, c] of [...key, ...columns].entries()) row[c.name] = a[i] ?? null;
      out.push({ kind: "insert", key: keyValues, row });
      continue;
    }
    const changes = columns
      .map((c, i) => ({ column: c.name, before: b[n + i] ?? null, after: a[n + i] ?? null }))
      .filter((ch) => ch.before !== ch.after);
    if (changes.length > 0) out.push({ kind: "update", key: keyValues, changes });
  }
  for (const [id, b] of target) {
    if (!source.has(id)) out.push({ kind: "delete", key: b.slice(0, n).map((v) => v ?? "") });
  }
  return out.sort((x, y) => compareKeys(key, x.key, y.key));
}
