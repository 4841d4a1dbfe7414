// bun run bench:datadiff — row-level data diff of two 1,000,000-row PostgreSQL tables that differ
// in 10 rows (updated, inserted, deleted), against the floor of one full-table hash pass per side
// run in parallel (bit_xor(hashtextextended(t::text, 0)), and the same with hash_record_extended, the
// hash the diff itself uses) and against count(*) on both, in the same run. Prints the median of
// BENCH_RUNS runs and the ratios (target ≤ 1.5× the floor).
import { MigratrixError } from "../common/errors.ts";
import { datadiff, getEngine, type Session } from "../engines/index.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SESSIONS = Math.max(1, Number(process.env.BENCH_SESSIONS ?? 2));
const BASE = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const DB = `mx_bench_datadiff_${process.pid}`;

const pg = getEngine("postgresql");

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function setup(s: Session): Promise<void> {
  await s.exec(
    `CREATE TABLE a (id bigint PRIMARY KEY, name text NOT NULL, amount numeric(12,2), created timestamptz NOT NULL, active boolean NOT NULL)`,
  );
  await s.exec(
    `INSERT INTO a SELECT g, 'customer ' || g, (g % 100000) / 100.0, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', g % 3 = 0
       FROM generate_series(1, ${ROWS}) g`,
  );
  await s.exec("CREATE TABLE b (LIKE a INCLUDING ALL)");
  await s.exec("INSERT INTO b SELECT * FROM a");
  // 10 differences: 4 updated, 3 deleted from b (inserts for the target), 3 only in b (deletes).
  const at = (f: number) => Math.max(1, Math.floor(ROWS * f));
  await s.exec(`UPDATE b SET name = 'changed' WHERE id IN (${at(0.1)}, ${at(0.35)})`);
  await s.exec(`UPDATE b SET amount = NULL WHERE id = ${at(0.6)}`);
  await s.exec(`UPDATE b SET created = created + interval '1 microsecond' WHERE id = ${at(0.85)}`);
  await s.exec(`DELETE FROM b WHERE id IN (${at(0.2)}, ${at(0.5)}, ${at(0.99)})`);
  await s.exec(
    `INSERT INTO b VALUES (${ROWS + 1}, 'new 1', 1, now(), true), (${ROWS + 500}, 'new 2', 2, now(), false), (${ROWS * 2}, 'new 3', 3, now(), true)`,
  );
  await s.exec("VACUUM ANALYZE a");
  await s.exec("VACUUM ANALYZE b");
}

async function main(): Promise<void> {
  const admin = await pg.driver.connect(`${BASE}/postgres`);
  await admin.exec(`CREATE DATABASE ${DB}`);
  const url = `${BASE}/${DB}`;
  const [s1, s2] = [await pg.driver.connect(url), await pg.driver.connect(url)];
  // PostgreSQL runs the floors with its parallel workers; the diff is also timed with SESSIONS
  // connections per side, each scanning part of the buckets (the library's extraSessions).
  const connectMore = () => Promise.all(Array.from({ length: SESSIONS - 1 }, () => pg.driver.connect(url)));
  const [extra1, extra2] = [await connectMore(), await connectMore()];
  try {
    const load = await timed(() => setup(s1));
    console.log(`setup: 2 × ${ROWS.toLocaleString("en")} rows in ${(load.ms / 1000).toFixed(1)} s (database ${DB})`);
    const both = (sql: (t: string) => string) => Promise.all([s1.query(sql("a")), s2.query(sql("b"))]);
    const floor = () => both((t) => `SELECT bit_xor(hashtextextended(${t}::text, 0)) AS h FROM ${t}`);
    const count = () => both((t) => `SELECT count(*) AS n FROM ${t}`);
    const side = (session: Session, extraSessions: Session[], name: string): datadiff.DiffSide => ({
      session,
      extraSessions,
      facts: datadiff.dataDiffFacts("postgresql"),
      engine: "postgresql",
      table: { name },
    });
    const diff = (o: { forceCanonical?: boolean; parallel?: boolean } = {}) =>
      datadiff.diffTables({
        source: side(s1, o.parallel === false ? [] : extra1, "a"),
        target: side(s2, o.parallel === false ? [] : extra2, "b"),
        forceCanonical: o.forceCanonical ?? false,
      });
    // The same floor with the hash the diff itself uses on PostgreSQL (values, not their text).
    const valueFloor = () => both((t) => `SELECT bit_xor(hash_record_extended(${t}, 0)) AS h FROM ${t}`);
    // Warm the cache for everything before timing anything.
    await floor();
    await valueFloor();
    await count();
    const first = await diff({ parallel: false });
    if (first.rows.length !== 10) {
      throw new MigratrixError("internal", `expected 10 differing rows, found ${first.rows.length}`);
    }
    const runs = { floor: [] as number[], valueFloor: [] as number[], count: [] as number[] };
    const diffRuns = { single: [] as number[], parallel: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      runs.floor.push((await timed(floor)).ms);
      runs.valueFloor.push((await timed(valueFloor)).ms);
      runs.count.push((await timed(count)).ms);
      diffRuns.single.push((await timed(() => diff({ parallel: false }))).ms);
      if (SESSIONS > 1) diffRuns.parallel.push((await timed(() => diff())).ms);
    }
    // For information: the cross-engine form (md5 over canonical text) on the same tables, one run.
    const canonical = await timed(() => diff({ forceCanonical: true, parallel: false }));
    const f = median(runs.floor);
    const vf = median(runs.valueFloor);
    const c = median(runs.count);
    const d = median(diffRuns.single);
    const { counts, stats } = first;
    console.log(
      `differences: ${counts.inserted} to insert, ${counts.updated} to update, ${counts.deleted} to delete ` +
        `(${stats.passes} checksum pass(es), ${stats.leafRanges} range(s) fetched, ` +
        `${stats.rowsFetched.source} + ${stats.rowsFetched.target} rows, ${stats.hashMode} hash)`,
    );
    const line = (label: string, ms: number, note = "") =>
      console.log(`  ${label.padEnd(44)} ${ms.toFixed(0).padStart(7)} ms${note}`);
    console.log(`median of ${RUNS} runs, both tables at once:`);
    line("count(*)", c);
    line("floor: bit_xor(hashtextextended(t::text, 0))", f);
    line("floor: bit_xor(hash_record_extended(t, 0))", vf);
    line("migratrix datadiff (1 session per side)", d);
    if (SESSIONS > 1) line(`migratrix datadiff (${SESSIONS} sessions per side)`, median(diffRuns.parallel));
    line("migratrix datadiff, cross-engine md5 form", canonical.ms, " (one run)");
    console.log(`ratio to the floor (hashtextextended):      ${(d / f).toFixed(2)}× (target ≤ 1.5×)`);
    console.log(`ratio to the floor (hash_record_extended):  ${(d / vf).toFixed(2)}×`);
    console.log(`ratio to count(*):                          ${(d / c).toFixed(2)}×`);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
    console.log(
      `runs (ms): floor ${fmt(runs.floor)}; value floor ${fmt(runs.valueFloor)}; count ${fmt(runs.count)}; ` +
        `datadiff ${fmt(diffRuns.single)}${SESSIONS > 1 ? `; ${SESSIONS} sessions ${fmt(diffRuns.parallel)}` : ""}`,
    );
  } finally {
    for (const s of [s1, s2, ...extra1, ...extra2]) await s.close();
    await admin.exec(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.close();
  }
}

await main();
