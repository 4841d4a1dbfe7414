// bun run bench:risk — risk assessment of a generated 10,000-statement PostgreSQL file through the
// CLI from a cold start (a new process, every rule on), against squawk on the same file in the
// same run. Prints statements/second for both and the ratio (target ≥ 0.7× squawk).
//
// Honest on a shared, busy machine: the runs of both tools are interleaved (mx, squawk, mx, …) so
// both see the same load, each figure is the median of BENCH_RUNS (≥ 5) cold starts, and the load
// average is printed before and after. mx runs as the README tells users to run it, `bun mx risk …`
// in the checkout (package.json's `mx` script, with its runtime settings). BENCH_MX_BEFORE=/other/
// checkout adds another checkout's mx to the same interleaved rounds, for before/after comparisons
// in one time window.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_IDS } from "../engines/risk/index.ts";
import { SQUAWK_BIN } from "../engines/risk/squawk.ts";

const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 10_000);
const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 15));

const TEMPLATES = [
  (i: number) =>
    `CREATE TABLE t${i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  (i: number) => `ALTER TABLE users ADD COLUMN c${i} text`,
  (i: number) => `CREATE INDEX CONCURRENTLY IF NOT EXISTS users_c${i}_idx ON users (c${i})`,
  (i: number) => `UPDATE users SET c${i} = 'x' WHERE id = ${i}`,
  (i: number) => `INSERT INTO audit (id, action) VALUES (${i}, 'migrate ${i}')`,
  (i: number) =>
    `ALTER TABLE orders ADD CONSTRAINT orders_c${i}_fk FOREIGN KEY (c${i}) REFERENCES users (id) NOT VALID`,
  (i: number) => `SELECT id, email FROM users WHERE id = ${i}`,
  (i: number) => `COMMENT ON TABLE t${i - 7} IS 'table ${i}'`,
  (i: number) => `DELETE FROM sessions WHERE expires_at < now() - interval '${i % 90} days' AND id < ${i}`,
  (i: number) => `CREATE INDEX t${i - 9}_name_idx ON t${i - 9} (name)`,
];

function generate(n: number): string {
  const lines = ["SET lock_timeout = '5s';", "SET statement_timeout = '60s';"];
  for (let i = lines.length; i < n; i++) lines.push(`${(TEMPLATES[i % TEMPLATES.length] ?? TEMPLATES[0])?.(i)};`);
  return `${lines.join("\n")}\n`;
}

interface Timing {
  /** Wall-clock time of the whole process. */
  ms: number;
  /** CPU time (user + system): steadier than wall time on a busy machine. */
  cpuMs: number;
  code: number;
  bytes: number;
}

interface Contender {
  name: string;
  cmd: string[];
  runs: Timing[];
}

function time(cmd: string[]): Timing {
  const started = performance.now();
  const p = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  const cpu = p.resourceUsage?.cpuTime;
  const cpuMs = cpu === undefined ? Number.NaN : Number(cpu.user + cpu.system) / 1000;
  return { ms: performance.now() - started, cpuMs, code: p.exitCode, bytes: p.stdout.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

const dir = mkdtempSync(join(tmpdir(), "mx-bench-risk-"));
try {
  const file = join(dir, "migration.sql");
  writeFileSync(file, generate(STATEMENTS));
  const mxArgs = (checkout: string) => [
    process.execPath,
    "run",
    "--cwd",
    checkout,
    "mx",
    "risk",
    file,
    "--engine",
    "postgresql",
    "--format",
    "json",
    "--fail-on",
    "Critical",
    "--include",
    CHECK_IDS.join(","),
  ];
  const contenders: Contender[] = [
    {
      name: "mx risk (bun, libpg-query, every rule)",
      cmd: mxArgs(join(import.meta.dir, "..")),
      runs: [],
    },
    {
      name: "squawk 2.66 (native binary)",
      cmd: [SQUAWK_BIN, "--reporter", "json", "-i", "require-table-schema", file],
      runs: [],
    },
  ];
  const before = process.env.BENCH_MX_BEFORE;
  if (before !== undefined && before !== "")
    contenders.push({ name: `mx risk in ${before}`, cmd: mxArgs(before), runs: [] });
  const loadBefore = load();
  // One warm-up round (file cache, page cache of the binaries), not counted.
  for (const c of contenders) time(c.cmd);
  for (let round = 0; round < RUNS; round++) for (const c of contenders) c.runs.push(time(c.cmd));
  const [ours, theirs] = contenders;
  if (ours === undefined || theirs === undefined) throw new Error("no contenders");
  for (const c of contenders) {
    const bad = c.runs.find((r) => r.bytes === 0);
    if (bad !== undefined) throw new Error(`${c.name} printed nothing (exit ${bad.code})`);
  }
  const rate = (ms: number) => Math.round((STATEMENTS / ms) * 1000);
  const wall = (c: Contender) => median(c.runs.map((r) => r.ms));
  const cpu = (c: Contender) => median(c.runs.map((r) => r.cpuMs));
  console.log(
    `risk assessment, ${STATEMENTS} PostgreSQL statements, median of ${RUNS} interleaved cold starts each, ${navigator.hardwareConcurrency} cores`,
  );
  console.log(`  load average before: ${loadBefore}   after: ${load()}`);
  for (const c of contenders) {
    console.log(
      `  ${c.name.padEnd(40)} ${wall(c).toFixed(0).padStart(5)} ms wall ${String(rate(wall(c))).padStart(6)} statements/s   ${cpu(c).toFixed(0).padStart(5)} ms CPU ${String(rate(cpu(c))).padStart(6)} statements/s   (wall ${Math.min(...c.runs.map((r) => r.ms)).toFixed(0)}–${Math.max(...c.runs.map((r) => r.ms)).toFixed(0)} ms)`,
    );
  }
  console.log(
    `  ratio mx/squawk (throughput): ${(wall(theirs) / wall(ours)).toFixed(2)}x wall, ${(cpu(theirs) / cpu(ours)).toFixed(2)}x CPU  (target ≥ 0.7x)`,
  );
  // Paired: each round's two runs saw the same moment of the machine, so their ratio drifts less.
  const perRound = ours.runs.map((r, i) => (theirs.runs[i]?.ms ?? 0) / r.ms);
  console.log(
    `  per-round ratios (wall): median ${median(perRound).toFixed(2)}x, ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)}x over ${RUNS} rounds`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
