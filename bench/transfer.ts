// bun run bench:transfer — 1,000,000 rows of (bigint, text, timestamptz, numeric, boolean, jsonb)
// PostgreSQL → PostgreSQL, in one run: psql \copy … to stdout | psql \copy … from stdin (the
// baseline) vs our fast path (COPY binary straight through) vs our Arrow path vs the JetStream path
// between agents (encrypted Arrow IPC frames through NATS, NATS_URL or 127.0.0.1:4222); then MariaDB →
// PostgreSQL vs pgloader when it is installed. Prints rows/s and ratios against the targets (fast ≥
// 0.9×, Arrow ≥ 0.5×, JetStream ≥ 0.4×, vs pgloader ≥ 2×). Each of our transfers runs in its own
// process (bench/transfer-worker.ts), the JetStream path as two (the source's agent and the target's,
// exchanging public keys through this script as the control plane would), so each prints the peak
// RSS of one agent against the 300 MB target; fast and Arrow run again on BENCH_SMALL_ROWS (100,000)
// rows to show memory does not follow the table size. BENCH_ROWS changes the row count. Uses its own
// uniquely named databases and drops them.
import mysql from "mysql2/promise";
import postgres from "postgres";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Math.min(ROWS, Number(process.env.BENCH_SMALL_ROWS ?? 100_000));
const BATCH = Number(process.env.BENCH_BATCH_ROWS ?? 50_000);
const RSS_TARGET_MB = 300;
const PG = "postgres://postgres@127.0.0.1:5432";
const NATS = process.env.NATS_URL || "nats://127.0.0.1:4222";
const id = crypto.randomUUID().replaceAll("-", "").slice(0, 8);
const SRC = `mx_bench_xfer_src_${id}`;
const DST = `mx_bench_xfer_dst_${id}`;
const MSRC = `mx_bench_xfer_m_${id}`;
const MDST = `mx_bench_xfer_mdst_${id}`;
const WORKER = new URL("./transfer-worker.ts", import.meta.url).pathname;

const TABLE = "id bigint, note text, at timestamptz, amount numeric(14,2), active boolean, doc jsonb";

const admin = postgres(`${PG}/postgres`, { max: 1, onnotice: () => {} });
const src = () => postgres(`${PG}/${SRC}`, { max: 1, onnotice: () => {} });

async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t0) / 1000, value };
}

const loadAverage = async () => (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");

async function resetTarget(db: string, table = "t"): Promise<void> {
  const s = postgres(`${PG}/${db}`, { max: 1, onnotice: () => {} });
  await s.unsafe(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (${TABLE})`).simple();
  await s.unsafe("DROP TABLE IF EXISTS migratrix_transfer_checkpoint");
  await s.end();
}

async function targetCount(db: string): Promise<number> {
  const s = postgres(`${PG}/${db}`, { max: 1, onnotice: () => {} });
  const [r] = await s.unsafe("SELECT count(*)::int AS n FROM t");
  await s.end();
  return Number(r?.n);
}

/** What a worker process reports when it is done (bench/transfer-worker.ts). */
interface Done {
  seconds: number;
  maxRssMb: number;
  ok: boolean;
  tables: { table: string; path: string; rows: number; chunks: number }[];
}

/** A worker process: its JSON lines in order, and its stdin for the key exchange. */
function startWorker(job: Record<string, unknown>) {
  const proc = Bun.spawn(["bun", WORKER, JSON.stringify(job)], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const lines = (async function* () {
    let rest = "";
    for await (const chunk of proc.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const l of parts) if (l.trim()) yield JSON.parse(l) as Record<string, unknown>;
    }
  })();
  return {
    /** The next line that has `key`. */
    async next<T>(key: string): Promise<T> {
      for (let r = await lines.next(); !r.done; r = await lines.next()) if (key in r.value) return r.value[key] as T;
      throw new Error(`the ${String(job.role)} worker exited (${await proc.exited}) before it said ${key}`);
    },
    send(o: unknown) {
      proc.stdin.write(`${JSON.stringify(o)}\n`);
      proc.stdin.flush();
    },
    async end() {
      proc.stdin.end();
      if ((await proc.exited) !== 0) throw new Error(`the ${String(job.role)} worker failed`);
    },
  };
}

async function runTransfer(o: Record<string, unknown>): Promise<Done> {
  const w = startWorker({ role: "transfer", ...o });
  const done = await w.next<Done>("done");
  await w.end();
  if (!done.ok) throw new Error(`${String(o.path ?? "transfer")}: counts or checksums differ`);
  return done;
}

/** The JetStream path as two agents: the source's (sender) and the target's (receiver), keys exchanged here. */
async function runJetStream(o: { table: string }): Promise<{ receiver: Done; senderRssMb: number }> {
  const jobId = `bench-${id}-${o.table}`;
  const sender = startWorker({ role: "send", jobId, from: `${PG}/${SRC}`, natsUrl: NATS, tables: [o.table] });
  const receiver = startWorker({
    role: "receive",
    jobId,
    to: `${PG}/${DST}`,
    natsUrl: NATS,
    tables: [o.table],
    batchRows: BATCH,
    verify: "count",
  });
  const [senderKey, receiverKey] = await Promise.all([
    sender.next<string>("publicKey"),
    receiver.next<string>("publicKey"),
  ]);
  sender.send({ peerPublicKey: receiverKey });
  await sender.next("serving");
  receiver.send({ peerPublicKey: senderKey });
  const done = await receiver.next<Done>("done");
  const sent = await sender.next<{ maxRssMb: number; finished: boolean }>("done");
  await Promise.all([receiver.end(), sender.end()]);
  if (!done.ok || !sent.finished)
    throw new Error("JetStream path: counts differ or the sender was not told it finished");
  return { receiver: done, senderRssMb: sent.maxRssMb };
}

function line(
  name: string,
  rows: number,
  seconds: number,
  o: { base?: number; target?: number; rss?: string } = {},
): string {
  const ratio = o.base === undefined ? "" : `  ${(o.base / seconds).toFixed(2)}× baseline`;
  const goal =
    o.target === undefined || o.base === undefined
      ? ""
      : ` (target ≥ ${o.target}×: ${o.base / seconds >= o.target ? "met" : "NOT met"})`;
  const rss = o.rss ? `  peak RSS ${o.rss}` : "";
  return `${name.padEnd(36)} ${seconds.toFixed(2).padStart(7)} s  ${Math.round(rows / seconds)
    .toLocaleString("en-US")
    .padStart(11)} rows/s${ratio}${goal}${rss}`;
}

/** Peak RSS of every agent process of the run, against the target. */
const memory: { what: string; mb: number }[] = [];
function rss(what: string, mb: number): string {
  memory.push({ what, mb });
  return `${mb} MB${mb < RSS_TARGET_MB ? "" : ` (over ${RSS_TARGET_MB} MB)`}`;
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
      FROM generate_series(1, ${ROWS}) g;
      CREATE TABLE t_small (${TABLE}, PRIMARY KEY (id));
      INSERT INTO t_small SELECT * FROM t WHERE id <= ${SMALL}`)
      .simple();
    await s.unsafe("VACUUM ANALYZE t");
    await s.unsafe("VACUUM ANALYZE t_small");
  });
  await s.end();
  console.log(
    `PostgreSQL → PostgreSQL, ${ROWS.toLocaleString("en-US")} rows (generated in ${gen.seconds.toFixed(1)} s), load average ${await loadAverage()}`,
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

  const ours = async (path: "fast" | "arrow", table = "t") => {
    await resetTarget(DST, table);
    return runTransfer({
      from: `${PG}/${SRC}`,
      to: `${PG}/${DST}`,
      tables: [table],
      batchRows: BATCH,
      path,
      verify: "count",
    });
  };
  const fast = await ours("fast");
  const arrow = await ours("arrow");
  await resetTarget(DST);
  const nats = await runJetStream({ table: "t" });
  const fastSmall = await ours("fast", "t_small");
  const arrowSmall = await ours("arrow", "t_small");
  console.log(line("psql \\copy | psql \\copy (text)", ROWS, psql.seconds));
  console.log(
    line("migratrix fast path (COPY binary)", ROWS, fast.seconds, {
      base: psql.seconds,
      target: 0.9,
      rss: rss("fast path", fast.maxRssMb),
    }),
  );
  console.log(
    line("migratrix Arrow path", ROWS, arrow.seconds, {
      base: psql.seconds,
      target: 0.5,
      rss: rss("Arrow path", arrow.maxRssMb),
    }),
  );
  console.log(
    line("migratrix JetStream path (agents)", ROWS, nats.receiver.seconds, {
      base: psql.seconds,
      target: 0.4,
      rss: `receiver ${rss("JetStream receiver", nats.receiver.maxRssMb)}, sender ${rss("JetStream sender", nats.senderRssMb)}`,
    }),
  );
  console.log(
    `rows in target: psql ${psqlCount}, fast ${fast.tables[0]?.rows}, arrow ${arrow.tables[0]?.rows}, jetstream ${nats.receiver.tables[0]?.rows}`,
  );
  console.log(`${SMALL.toLocaleString("en-US")} rows (memory must not follow the table size):`);
  console.log(
    line("migratrix fast path", SMALL, fastSmall.seconds, { rss: rss(`fast path ${SMALL} rows`, fastSmall.maxRssMb) }),
  );
  console.log(
    line("migratrix Arrow path", SMALL, arrowSmall.seconds, {
      rss: rss(`Arrow path ${SMALL} rows`, arrowSmall.maxRssMb),
    }),
  );
  const check = await runTransfer({
    from: `${PG}/${SRC}`,
    to: `${PG}/${DST}`,
    tables: ["t"],
    batchRows: BATCH,
    path: "arrow",
    onConflict: "truncate",
    confirmTruncate: true,
  });
  console.log(
    `verification (Arrow copy + checksums of both sides): ${check.seconds.toFixed(2)} s, checksums ${check.ok ? "equal" : "DIFFER"}, peak RSS ${rss("Arrow copy + checksums", check.maxRssMb)}`,
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
    const ours = await runTransfer({
      from: `mariadb://root@127.0.0.1:3306/${MSRC}`,
      to: `${PG}/${MDST}`,
      tables: ["t"],
      batchRows: BATCH,
      create: true,
      verify: "count",
    });
    const r = rss("MariaDB → PostgreSQL", ours.maxRssMb);
    if (loader.value.code !== 0 || Number(n?.n) !== ROWS) {
      console.log(`pgloader failed (exit ${loader.value.code}, ${n?.n} rows): ${loader.value.err}`);
      console.log(line("migratrix Arrow path (--create)", ROWS, ours.seconds, { rss: r }));
    } else {
      console.log(line("pgloader 3.6", ROWS, loader.seconds));
      console.log(
        line("migratrix Arrow path (--create)", ROWS, ours.seconds, { base: loader.seconds, target: 2, rss: r }),
      );
    }
    console.log(`rows in target: migratrix ${ours.tables[0]?.rows}, pgloader ${n?.n}`);
  } finally {
    await m.query(`DROP DATABASE IF EXISTS ${MSRC}`);
    await m.end();
  }
}

try {
  await pgBench();
  await mariadbBench();
  const over = memory.filter((m) => m.mb >= RSS_TARGET_MB);
  const top = memory.reduce((a, m) => (m.mb > a.mb ? m : a), { what: "", mb: 0 });
  console.log(
    `\npeak RSS per agent process: highest ${top.mb} MB (${top.what}); target < ${RSS_TARGET_MB} MB each: ${over.length === 0 ? "met" : `NOT met by ${over.map((m) => m.what).join(", ")}`}`,
  );
  console.log(`load average at the end: ${await loadAverage()}`);
} finally {
  for (const db of [SRC, DST, MDST]) await admin.unsafe(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await admin.end();
}
