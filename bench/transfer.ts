// bun run bench:transfer — 1,000,000 rows of (bigint, text, timestamptz, numeric, boolean, jsonb)
// PostgreSQL → PostgreSQL, in one run: psql \copy … to stdout | psql \copy … from stdin (the
// baseline) vs our fast path (COPY binary straight through) vs our Arrow path vs the JetStream path
// between agents (encrypted Arrow IPC frames through NATS, NATS_URL or 127.0.0.1:4222); then MariaDB →
// PostgreSQL vs pgloader when it is installed. Prints rows/s, ratios against the targets
// (fast ≥ 0.9×, Arrow ≥ 0.5×, JetStream ≥ 0.4×, vs pgloader ≥ 2×) and the peak RSS of this process.
// BENCH_ROWS changes the row count. Uses its own uniquely named databases and drops them.
import mysql from "mysql2/promise";
import postgres from "postgres";
import { transfer, transferViaJetStream } from "../arrow-transfer/index.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH_ROWS ?? 50_000);
const PG = "postgres://postgres@127.0.0.1:5432";
const id = crypto.randomUUID().replaceAll("-", "").slice(0, 8);
const SRC = `mx_bench_xfer_src_${id}`;
const DST = `mx_bench_xfer_dst_${id}`;
const MSRC = `mx_bench_xfer_m_${id}`;
const MDST = `mx_bench_xfer_mdst_${id}`;

const TABLE = "id bigint, note text, at timestamptz, amount numeric(14,2), active boolean, doc jsonb";

const admin = postgres(`${PG}/postgres`, { max: 1, onnotice: () => {} });
const src = () => postgres(`${PG}/${SRC}`, { max: 1, onnotice: () => {} });

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

async function resetTarget(db: string): Promise<void> {
  const s = postgres(`${PG}/${db}`, { max: 1, onnotice: () => {} });
  await s.unsafe(`DROP TABLE IF EXISTS t; CREATE TABLE t (${TABLE})`).simple();
  await s.unsafe("DROP TABLE IF EXISTS migratrix_transfer_checkpoint");
  await s.end();
}

async function targetCount(db: string): Promise<number> {
  const s = postgres(`${PG}/${db}`, { max: 1, onnotice: () => {} });
  const [r] = await s.unsafe("SELECT count(*)::int AS n FROM t");
  await s.end();
  return Number(r?.n);
}

function line(name: string, seconds: number, base?: number, target?: number): string {
  const rate = ROWS / seconds;
  const ratio = base === undefined ? "" : `  ${(base / seconds).toFixed(2)}× baseline`;
  const goal =
    target === undefined
      ? ""
      : ` (target ≥ ${target}×: ${base !== undefined && base / seconds >= target ? "met" : "NOT met"})`;
  return `${name.padEnd(34)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(rate).toLocaleString("en-US").padStart(11)} rows/s${ratio}${goal}`;
}

async function pgBench(): Promise<void> {
  await admin.unsafe(`CREATE DATABASE ${SRC}`);
  await admin.unsafe(`CREATE DATABASE ${DST}`);
  const s = src();
  const gen = await timed(async () => {
    await s
      .unsafe(`CREATE TABLE t (${TABLE}, PRIMARY KEY (id));
      INSERT INTO t SELECT g, 'note number ' || g, timestamptz '2024-01-01' + g * interval '1 second',
        (g % 100000) / 100.0, g % 2 = 0, jsonb_build_object('n', g, 'tag', 'x' || (g % 10))
      FROM generate_series(1, ${ROWS}) g`)
      .simple();
    await s.unsafe("VACUUM ANALYZE t");
  });
  await s.end();
  console.log(
    `PostgreSQL → PostgreSQL, ${ROWS.toLocaleString("en-US")} rows (generated in ${gen.seconds.toFixed(1)} s)`,
  );

  await resetTarget(DST);
  const psql = await timed(async () => {
    const p = Bun.spawn(
      [
        "bash",
        "-c",
        `set -o pipefail; psql -X -q -h 127.0.0.1 -U postgres -d ${SRC} -c "\\copy (SELECT * FROM t ORDER BY id) to stdout" | psql -X -q -h 127.0.0.1 -U postgres -d ${DST} -c "\\copy t from stdin"`,
      ],
      { stdout: "ignore", stderr: "inherit" },
    );
    if ((await p.exited) !== 0) throw new Error("the psql pipeline failed");
  });
  const psqlCount = await targetCount(DST);

  const runOurs = async (path: "fast" | "arrow") => {
    await resetTarget(DST);
    const r = await timed(() =>
      transfer({ from: `${PG}/${SRC}`, to: `${PG}/${DST}`, tables: ["t"], batchRows: BATCH, path, verify: "count" }),
    );
    if (!r.value.ok) throw new Error(`${path} path: counts differ`);
    return r;
  };
  const fast = await runOurs("fast");
  const arrow = await runOurs("arrow");
  // Between two agents: encrypted Arrow IPC frames through JetStream (both sides in this process).
  await resetTarget(DST);
  const nats = await timed(() =>
    transferViaJetStream({
      from: `${PG}/${SRC}`,
      to: `${PG}/${DST}`,
      tables: ["t"],
      batchRows: BATCH,
      verify: "count",
      natsUrl: process.env.NATS_URL || "nats://127.0.0.1:4222",
    }),
  );
  if (!nats.value.ok) throw new Error("JetStream path: counts differ");
  console.log(line("psql \\copy | psql \\copy (text)", psql.seconds));
  console.log(line("migratrix fast path (COPY binary)", fast.seconds, psql.seconds, 0.9));
  console.log(line("migratrix Arrow path", arrow.seconds, psql.seconds, 0.5));
  console.log(line("migratrix JetStream path (agents)", nats.seconds, psql.seconds, 0.4));
  console.log(
    `rows in target: psql ${psqlCount}, fast ${fast.value.tables[0]?.targetRows}, arrow ${arrow.value.tables[0]?.targetRows}, jetstream ${nats.value.tables[0]?.targetRows}`,
  );
  const check = await timed(() =>
    transfer({
      from: `${PG}/${SRC}`,
      to: `${PG}/${DST}`,
      tables: ["t"],
      batchRows: BATCH,
      path: "arrow",
      onConflict: "truncate",
      confirmTruncate: true,
    }),
  );
  console.log(
    `verification (Arrow copy + checksums of both sides): ${check.seconds.toFixed(2)} s, checksums ${check.value.ok ? "equal" : "DIFFER"}`,
  );
}

async function mariadbBench(): Promise<void> {
  const which = Bun.spawnSync(["bash", "-c", "command -v pgloader"]);
  if (which.exitCode !== 0) {
    console.log("MariaDB → PostgreSQL vs pgloader: skipped, pgloader is not installed (apt-get install -y pgloader)");
    return;
  }
  const root = { host: "127.0.0.1", port: 3306, user: "root" };
  const m = await mysql.createConnection(root);
  await m.query(`CREATE DATABASE ${MSRC} CHARACTER SET utf8mb4`);
  await m.query(`USE ${MSRC}`);
  const gen = await timed(async () => {
    await m.query(
      "CREATE TABLE t (id bigint PRIMARY KEY, note text, at datetime(6), amount decimal(14,2), active tinyint(1), doc json) ENGINE=InnoDB",
    );
    await m.query(
      `INSERT INTO t SELECT seq, CONCAT('note number ', seq), TIMESTAMPADD(SECOND, seq, '2024-01-01'), (seq % 100000) / 100.0,
         seq % 2 = 0, JSON_OBJECT('n', seq, 'tag', CONCAT('x', seq % 10)) FROM seq_1_to_${ROWS}`,
    );
  });
  console.log(
    `\nMariaDB → PostgreSQL, ${ROWS.toLocaleString("en-US")} rows (generated in ${gen.seconds.toFixed(1)} s)`,
  );
  try {
    await admin.unsafe(`CREATE DATABASE ${MDST}`);
    const loader = await timed(async () => {
      const p = Bun.spawn(
        ["pgloader", "--quiet", `mysql://root@127.0.0.1:3306/${MSRC}`, `postgresql://postgres@127.0.0.1:5432/${MDST}`],
        { stdout: "pipe", stderr: "pipe" },
      );
      const code = await p.exited;
      return { code, err: (await new Response(p.stderr).text()).trim().split("\n").slice(-3).join(" | ") };
    });
    const lc = postgres(`${PG}/${MDST}`, { max: 1, onnotice: () => {} });
    const [n] = await lc
      .unsafe(`SELECT count(*)::int AS n FROM ${MSRC}.t`)
      .catch(() => lc.unsafe("SELECT count(*)::int AS n FROM t"))
      .catch(() => [{ n: -1 }]);
    await lc.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${MDST} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${MDST}`);
    const ours = await timed(() =>
      transfer({
        from: `mariadb://root@127.0.0.1:3306/${MSRC}`,
        to: `${PG}/${MDST}`,
        tables: ["t"],
        batchRows: BATCH,
        create: true,
        verify: "count",
      }),
    );
    if (loader.value.code !== 0 || Number(n?.n) !== ROWS) {
      console.log(`pgloader failed (exit ${loader.value.code}, ${n?.n} rows): ${loader.value.err}`);
      console.log(line("migratrix Arrow path (--create)", ours.seconds));
    } else {
      console.log(line("pgloader 3.6", loader.seconds));
      console.log(line("migratrix Arrow path (--create)", ours.seconds, loader.seconds, 2));
    }
    console.log(`rows in target: migratrix ${ours.value.tables[0]?.targetRows}, pgloader ${n?.n}`);
  } finally {
    await m.query(`DROP DATABASE IF EXISTS ${MSRC}`);
    await m.end();
  }
}

try {
  await pgBench();
  await mariadbBench();
  console.log(`\npeak RSS of this process: ${peakRssMb().toFixed(0)} MB (target < 300 MB)`);
} finally {
  for (const db of [SRC, DST, MDST]) await admin.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.end();
}
