// The README's test command: runs the suite area by area (one `bun test` process per top-level
// folder, so a crash in one area cannot hide another's results), prints the time each area took,
// and ends with the line CI reads: "N passed, M failed". Exits non-zero when anything failed.
// Usage: bun run test [area-or-path ...]
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const resultsDir = join(root, ".test-results");
const SKIP_DIRS = new Set(["node_modules", "dist", ".git", ".migratrix", ".test-results", "proto"]);

interface AreaResult {
  area: string;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
  note?: string;
}

function hasTests(dir: string): boolean {
  for (const entry of readdirSync(dir)) {
    if (SKIP_DIRS.has(entry)) continue;
    const p = join(dir, entry);
    const st = statSync(p);
    if (st.isDirectory() ? hasTests(p) : /\.test\.ts$/.test(entry)) return true;
  }
  return false;
}

function discoverAreas(): string[] {
  return readdirSync(root)
    .filter((d) => !SKIP_DIRS.has(d) && !d.startsWith(".") && statSync(join(root, d)).isDirectory())
    .filter((d) => hasTests(join(root, d)))
    .sort();
}

function attr(xml: string, name: string): number {
  const m = new RegExp(`<testsuites[^>]*\\s${name}="(\\d+)"`).exec(xml);
  return m ? Number(m[1]) : 0;
}

async function runArea(target: string): Promise<AreaResult> {
  const area = relative(root, resolve(root, target)) || target;
  const outfile = join(resultsDir, `${area.replaceAll("/", "_")}.xml`);
  rmSync(outfile, { force: true });
  const started = performance.now();
  const proc = Bun.spawn(
    ["bun", "test", `./${area}`, "--timeout=60000", "--reporter=junit", `--reporter-outfile=${outfile}`],
    {
      cwd: root,
      stdio: ["ignore", "inherit", "inherit"],
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? "0" },
    },
  );
  const code = await proc.exited;
  const seconds = (performance.now() - started) / 1000;
  if (!existsSync(outfile)) {
    return { area, passed: 0, failed: 1, skipped: 0, seconds, note: `bun test exited ${code} without a report` };
  }
  const xml = readFileSync(outfile, "utf8");
  const tests = attr(xml, "tests");
  const failures = attr(xml, "failures") + attr(xml, "errors");
  const skipped = attr(xml, "skipped");
  const result: AreaResult = { area, passed: tests - failures - skipped, failed: failures, skipped, seconds };
  if (code !== 0 && failures === 0) {
    // An error outside any test (a crashed hook, an unhandled rejection) still fails the area.
    result.failed = 1;
    result.note = `bun test exited ${code} with an error outside the tests`;
  }
  return result;
}

const requested = process.argv.slice(2);
const areas = requested.length > 0 ? requested : discoverAreas();
mkdirSync(resultsDir, { recursive: true });

const results: AreaResult[] = [];
for (const area of areas) {
  console.log(`\n=== ${area} ===`);
  results.push(await runArea(area));
}

const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log("\narea                 passed  failed skipped    time");
for (const r of results) {
  console.log(
    `${r.area.padEnd(20)} ${pad(r.passed, 6)} ${pad(r.failed, 7)} ${pad(r.skipped, 7)} ${pad(r.seconds.toFixed(1), 6)} s${r.note ? `  (${r.note})` : ""}`,
  );
}
const total = results.reduce(
  (acc, r) => ({ passed: acc.passed + r.passed, failed: acc.failed + r.failed, skipped: acc.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
const totalSeconds = results.reduce((s, r) => s + r.seconds, 0);
console.log(`total time ${totalSeconds.toFixed(1)} s\n`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
