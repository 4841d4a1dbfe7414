// bun run bench:risk — risk assessment of a generated 10,000-statement PostgreSQL file through the
// CLI from a cold start (a new process, every rule on), against squawk on the same file in the
// same run. Prints statements/second for both and the ratio (target ≥ 0.7× squawk).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CHECK_IDS } from "../engines/risk/index.ts";
import { SQUAWK_BIN } from "../engines/risk/squawk.ts";

const STATEMENTS = Number(process.env.BENCH_STATEMENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

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

function time(cmd: string[]): Timing {
  const started = performance.now();
  const p = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  const cpu = p.resourceUsage?.cpuTime;
  const cpuMs = cpu === undefined ? Number.NaN : Number(cpu.user + cpu.system) / 1000;
  return { ms: performance.now() - started, cpuMs, code: p.exitCode, bytes: p.stdout.length };
}

function best(cmd: string[]): Timing {
  const runs = Array.from({ length: RUNS }, () => time(cmd));
  return runs.reduce((a, b) => (b.ms < a.ms ? b : a));
}

const dir = mkdtempSync(join(tmpdir(), "mx-bench-risk-"));
try {
  const file = join(dir, "migration.sql");
  writeFileSync(file, generate(STATEMENTS));
  const cli = join(import.meta.dir, "..", "cli", "main.ts");
  const mx = [
    process.execPath,
    cli,
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
  const squawk = [SQUAWK_BIN, "--reporter", "json", "-i", "require-table-schema", file];
  const ours = best(mx);
  const theirs = best(squawk);
  if (ours.bytes === 0) throw new Error(`mx risk printed nothing (exit ${ours.code})`);
  const rate = (ms: number) => Math.round((STATEMENTS / ms) * 1000);
  console.log(`risk assessment, ${STATEMENTS} PostgreSQL statements, best of ${RUNS} cold starts`);
  const line = (name: string, t: Timing) =>
    `  ${name.padEnd(40)} ${t.ms.toFixed(0).padStart(5)} ms wall ${String(rate(t.ms)).padStart(6)} statements/s   ${t.cpuMs.toFixed(0).padStart(5)} ms CPU ${String(rate(t.cpuMs)).padStart(6)} statements/s`;
  console.log(line("mx risk (bun, libpg-query, every rule)", ours));
  console.log(line("squawk 2.66 (native binary)", theirs));
  console.log(
    `  ratio mx/squawk (throughput): ${(theirs.ms / ours.ms).toFixed(2)}x wall, ${(theirs.cpuMs / ours.cpuMs).toFixed(2)}x CPU  (target ≥ 0.7x)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
