// `bun run demo`: a narrated tour on embedded defaults, in a throw-away data directory and on a
// free port so it never disturbs a running `bun start`. Every step is a real `mx` command against
// the real control plane, bus and local agent. Exits non-zero if any step does not do what it says.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../cli/index.ts";
import { MigratrixError } from "../common/errors.ts";
import { createLogger } from "../control/index.ts";
import { flowTour } from "./demo-flow.ts";
import { startEmbedded } from "./embedded.ts";

const root = resolve(import.meta.dir, "..");
const migrationsDir = join(root, "examples", "migrations");
const tty = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s: string) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s: string) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s = "") => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "migratrix-demo-"));
  const log = createLogger({ level: "error", fields: { component: "demo" } });
  say(bold("Migratrix demo: one change, three environments, nothing run twice"));
  say(dim(`(embedded: PGlite store, in-process bus, local agent; data in ${dir})`));
  const mx = await startEmbedded({
    dir,
    port: 0,
    agentPort: null,
    env: { ...process.env, NATS_URL: "", DATABASE_URL: "" },
    log,
  });
  try {
    const env = { MIGRATRIX_SERVER: mx.url, MIGRATRIX_TOKEN: mx.adminToken, NO_COLOR: process.env.NO_COLOR };
    const mxCli = async (args: string[], expectCode = 0) => {
      say(dim(`$ mx ${args.join(" ")}`));
      const code = await runCli(args, { stdout: process.stdout, stderr: process.stderr, env, cwd: root });
      if (code !== expectCode)
        throw new MigratrixError("internal", `mx ${args.join(" ")} exited ${code}, expected ${expectCode}`);
      say();
    };
    const step = (n: number, title: string) => say(`${bold(`${n}.`)} ${bold(title)}`);

    step(1, "A workspace with a dev → qa → prod pipeline; the local agent serves one SQLite database per environment.");
    await mxCli(["env", "list"]);
    await mxCli(["connection", "list"]);

    const files = readdirSync(migrationsDir)
      .filter((f) => f.endsWith(".sql"))
      .sort();
    const ids: string[] = [];
    step(2, "Register the example migrations: parsed, split per dialect, checksummed.");
    for (const file of files) {
      await mxCli(["migration", "create", join("examples", "migrations", file)]);
      ids.push(file.replace(/\.sql$/, ""));
    }

    let n = 3;
    for (const envName of ["dev", "qa", "prod"]) {
      step(n++, `Run them on ${envName}, statement by statement, with the live log streamed from the agent.`);
      for (const id of ids) await mxCli(["migration", "run", id, "--env", envName]);
    }

    step(n++, "Run the first one on dev again: it is already Completed there, so nothing runs twice.");
    await mxCli(["migration", "run", ids[0] ?? "", "--env", "dev"]);

    step(n++, "What is applied where, per environment.");
    for (const envName of ["dev", "qa", "prod"]) await mxCli(["migration", "history", "--env", envName]);

    step(n++, "The schema prod has now, read by the agent (introspection).");
    await mxCli(["schema", "prod/app"]);

    await flowTour({ url: mx.url, adminToken: mx.adminToken, root, mxCli, step: (title) => step(n++, title) });

    step(n++, "Every change went through the workspace's hash-chained audit log.");
    await mxCli(["audit", "list", "--tail", "10"]);
    say(bold("Demo complete."));
  } finally {
    await mx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${MigratrixError.from(err).message}\n`);
    process.exit(1);
  },
);
