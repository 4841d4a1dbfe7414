// mx against a real control plane (PGlite store, in-process bus) and a real agent serving a real
// PostgreSQL database and a SQLite file: the quickstart's commands, their output and exit codes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import postgres from "postgres";
import { type Agent, silentLogger as agentLog, createAgent, openVault } from "../agent/index.ts";
import { type Bus, createMemoryBus } from "../bus/index.ts";
import {
  bootstrap,
  type ControlApp,
  createControlApp,
  openStore,
  type Store,
  silentLogger,
  writeBootstrapTokens,
} from "../control/index.ts";
import { runCli } from "./main.ts";
import { captureIo } from "./testing.ts";

const REPO = resolve(import.meta.dir, "..");
const ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";
const targetDb = `mx_cli_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
// Trust auth ignores the password: it is here to prove mx never shows or sends it in the clear.
const targetUrl = `postgres://postgres:s3cret-pw@127.0.0.1:5432/${targetDb}`;
const dir = mkdtempSync(join(tmpdir(), "mx-cli-int-"));

let store: Store;
let bus: Bus;
let control: ControlApp;
let agent: Agent;
let server = "";

beforeAll(async () => {
  const admin = postgres(ADMIN, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${targetDb}`);
  await admin.end();

  store = await openStore({});
  bus = createMemoryBus();
  const boot = await bootstrap(store.db, {
    environments: [
      { name: "dev", position: 1 },
      { name: "qa", position: 2 },
      { name: "prod", position: 3, requiredApprovals: 2, protected: true },
    ],
  });
  // The CLI finds the admin token the way the quickstart does: MIGRATRIX_DIR/admin-token.
  writeBootstrapTokens(dir, boot);
  const streamPrefix = `CLI${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
  control = await createControlApp({ store, bus, streamPrefix, log: silentLogger, watchPollMs: 20 });
  server = (await control.start(0)).url;
  const vault = await openVault({
    path: join(dir, "agent", "vault.json"),
    passphrase: "cli-int-test",
    iterations: 200_000,
    agentId: "agent-cli",
  });
  agent = createAgent({
    bus,
    workspaceId: boot.workspaceId,
    token: boot.agentToken ?? "",
    vault,
    streamPrefix,
    log: agentLog,
  });
  await agent.start();
  // PGlite's first start and the vault's key derivation take seconds on a small machine.
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await control?.stop();
  await bus?.close();
  await store?.close();
  const admin = postgres(ADMIN, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${targetDb} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

async function mx(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ env: { MIGRATRIX_DIR: dir, NO_COLOR: "1" }, cwd: REPO });
  const code = await runCli([...argv, "--server", server], io);
  return { code, out: io.out(), err: io.err() };
}

/** Times and durations differ per run; a time keeps its width so table columns still align. */
function stable(text: string): string {
  return text.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/g, "YYYY-MM-DD hh:mm:ssZ").replace(/\d+\.\d+ m?s/g, "<ms>");
}

describe("mx against the control plane", () => {
  test("whoami with the token found under MIGRATRIX_DIR", async () => {
    const { code, out } = await mx("whoami", "--json");
    const doc = JSON.parse(out);
    expect({ code, email: doc.email, workspace: doc.workspaceName }).toEqual({
      code: 0,
      email: "admin@localhost",
      workspace: "default",
    });
  });

  test("env list and env create", async () => {
    expect(await mx("env", "create", "staging", "--position", "4", "--approvals", "1")).toEqual({
      code: 0,
      err: "",
      out: "created environment staging at position 4 (approvals 1)\n",
    });
    const list = await mx("env", "list");
    expect({ code: list.code, out: stable(list.out) }).toEqual({
      code: 0,
      out:
        "POSITION  NAME     APPROVALS  PROTECTED  CREATED\n" +
        "1         dev      0          no         YYYY-MM-DD hh:mm:ssZ\n" +
        "2         qa       0          no         YYYY-MM-DD hh:mm:ssZ\n" +
        "3         prod     2          yes        YYYY-MM-DD hh:mm:ssZ\n" +
        "4         staging  1          no         YYYY-MM-DD hh:mm:ssZ\n",
    });
    expect(await mx("env", "create", "dev")).toEqual({
      code: 1,
      out: "",
      err: expect.stringMatching(/^error: .*dev.* \(already_exists\)\n$/),
    });
  });

  test("agent list shows the local agent online", async () => {
    const { code, out } = await mx("agent", "list", "--json");
    const agents = JSON.parse(out).agents.map((a: { id: string; online: boolean }) => ({ id: a.id, online: a.online }));
    expect({ code, agents }).toEqual({ code: 0, agents: [{ id: "agent-cli", online: true }] });
  });

  test("connection add seals the URL; the password never shows", async () => {
    const added = await mx("connection", "add", "main", "--env", "dev", "--url", targetUrl);
    expect({ ...added, out: added.out.replace(/PostgreSQL [^\n]+/, "PostgreSQL <version>") }).toEqual({
      code: 0,
      err: "",
      out:
        "added connection dev/main (postgresql) served by agent agent-cli\n" +
        `  url     postgres://postgres:***@127.0.0.1:5432/${targetDb}\n` +
        "  server  PostgreSQL <version>\n",
    });
    const sqlite = await mx("connection", "add", "main", "--env", "qa", "--url", `sqlite://${join(dir, "qa.db")}`);
    expect(sqlite.code).toBe(0);
    expect(await mx("connection", "list")).toEqual({
      code: 0,
      err: "",
      out: expect.stringMatching(
        /^ENV {2}NAME {2}ENGINE {6}AGENT {6}ID\s*\ndev {2}main {2}postgresql {2}agent-cli {2}\S+\nqa {3}main {2}sqlite {6}agent-cli {2}\S+\n$/,
      ),
    });
    const everything = JSON.stringify(
      await Promise.all([mx("connection", "list", "--json"), mx("audit", "list", "--json")]),
    );
    expect(everything.includes("s3cret-pw")).toBe(false);
  });

  test("migration create, run with the live log, history", async () => {
    const file = "examples/migrations/20260101090000_create_customers.sql";
    const created = await mx("migration", "create", file);
    expect({ ...created, out: created.out.replace(/checksum {4}\S+/, "checksum    <sum>") }).toEqual({
      code: 0,
      err: "",
      out:
        "created migration 20260101090000_create_customers\n" +
        "  statements  4 (postgresql)\n" +
        "  checksum    <sum>\n" +
        "  risk        Low (6 findings; down: Critical, 3 findings)\n" +
        "next: mx migration run 20260101090000_create_customers --env ENV\n",
    });
    const run = await mx("migration", "run", "20260101090000_create_customers", "--env", "dev");
    expect({ code: run.code, err: run.err, out: stable(run.out).replace(/run \S+/, "run <id>") }).toEqual({
      code: 0,
      err: "",
      out: [
        "dev/main  run <id>  20260101090000_create_customers",
        "  started attempt 1: 4 statements",
        "  · generated down script for rollback: exact, 0 backup(s) to take",
        "  ✓ [1/4] <ms>  CREATE TABLE customers ( id INTEGER PRIMARY KEY, email VARC…",
        "  ✓ [2/4] <ms>  CREATE UNIQUE INDEX customers_email_uq ON customers (email)",
        "  ✓ [3/4] <ms>  INSERT INTO customers (id, email, name) VALUES (1, 'ada@exa… (1 row)",
        "  ✓ [4/4] <ms>  INSERT INTO customers (id, email, name) VALUES (2, 'grace@e… (1 row)",
        "  · schema impact:",
        "    + table public.customers",
        "    1 difference (noise filters on: generated-names, whitespace, column-order, collation, auto-increment)",
        "  Completed: 4/4 statements in <ms>",
        "",
      ].join("\n"),
    });
    const history = await mx("migration", "history", "--env", "dev");
    expect({ code: history.code, out: stable(history.out) }).toEqual({
      code: 0,
      out:
        "MIGRATION                        CONNECTION  STATE      ATTEMPT  STATEMENTS  APPLIED AT            APPLIED BY\n" +
        "20260101090000_create_customers  main        Completed  1        4           YYYY-MM-DD hh:mm:ssZ  admin@localhost\n",
    });
    const again = await mx("migration", "run", "20260101090000_create_customers", "--env", "dev");
    expect({ code: again.code, out: stable(again.out).replace(/run \S+,/, "run <id>,") }).toEqual({
      code: 0,
      out: "dev/main  already Completed (run <id>, attempt 1, finished YYYY-MM-DD hh:mm:ssZ): nothing runs twice\n",
    });
  });

  test("a failing statement prints its SQLSTATE and position and exits 1", async () => {
    const file = join(dir, "20260103090000_broken.sql");
    writeFileSync(file, "-- UP\nCREATE TABLE ok_table (id int);\nINSERT INTO missing_table VALUES (1);\n");
    expect((await mx("migration", "create", file)).code).toBe(0);
    const run = await mx("migration", "run", "20260103090000_broken", "--env", "dev");
    expect({
      code: run.code,
      lines: stable(run.out)
        .replace(/run \S+/, "run <id>")
        .split("\n"),
    }).toEqual({
      code: 1,
      lines: [
        "dev/main  run <id>  20260103090000_broken",
        "  started attempt 1: 2 statements",
        "  · generated down script for rollback: irreversible, 0 backup(s) to take",
        "  ✓ [1/2] <ms>  CREATE TABLE ok_table (id int)",
        // Positions are lines of the file: the INSERT is on line 3, below the "-- UP" marker.
        '  ✗ [2/2] ERROR 42P01 at 3:13 relation "missing_table" does not exist',
        // PostgreSQL rolls the whole migration back (transactional DDL): nothing stays done.
        '  Failed at statement 2/2 (0 done): ERROR 42P01 at 3:13 relation "missing_table" does not exist',
        "",
      ],
    });
  });

  test("list, show, and a watch that replays a finished run from seq 0", async () => {
    const list = await mx("migration", "list");
    expect({
      code: list.code,
      ids: list.out
        .trimEnd()
        .split("\n")
        .map((l) => l.split(" ")[0]),
    }).toEqual({
      code: 0,
      ids: ["ID", "20260101090000_create_customers", "20260103090000_broken"],
    });
    const show = await mx("migration", "show", "20260101090000_create_customers");
    const lines = stable(show.out).split("\n");
    const runRow = lines.find((l) => l.includes(" dev ") && l.includes("Completed")) ?? "";
    expect({ code: show.code, head: lines.slice(0, 6), run: runRow.split(/\s+/).slice(1) }).toEqual({
      code: 0,
      head: [
        "20260101090000_create_customers  create customers",
        "  statements  4",
        expect.stringMatching(/^ {2}checksum {4}\S+$/),
        "  risk        Low (6 findings; down: Critical, 3 findings)",
        "  created     YYYY-MM-DD hh:mm:ssZ by admin@localhost",
        "",
      ],
      run: ["dev", "main", "Completed", "1", "4/4", "YYYY-MM-DD", "hh:mm:ssZ"],
    });
    const runId = runRow.split(" ")[0] ?? "";
    const watch = await mx("migration", "watch", runId, "--json");
    const doc = JSON.parse(watch.out);
    expect({
      code: watch.code,
      state: doc.runs[0].run.state,
      kinds: doc.runs[0].events.map((e: { event: Record<string, unknown> }) =>
        Object.keys(e.event).find((k) =>
          ["started", "log", "statementStarted", "statementFinished", "schemaImpact", "finished"].includes(k),
        ),
      ),
    }).toEqual({
      code: 0,
      state: "RUN_STATE_COMPLETED",
      kinds: [
        "started",
        // The agent says which down script it prepared for a rollback (PostgreSQL).
        "log",
        ...Array.from({ length: 4 }, () => ["statementStarted", "statementFinished"]).flat(),
        // What the apply changed, read under the run's lock (agent/impact.ts).
        "schemaImpact",
        "finished",
      ],
    });
  });

  test("an environment that needs approvals refuses a direct run", async () => {
    expect(await mx("migration", "run", "20260101090000_create_customers", "--env", "prod")).toEqual({
      code: 1,
      out: "",
      err: expect.stringMatching(/^error: .*approv.* \(failed_precondition\)\n$/),
    });
  });

  test("schema summary of the live database", async () => {
    const { code, out } = await mx("schema", "dev/main");
    expect({ code, lines: out.split("\n").slice(2, 8) }).toEqual({
      code: 0,
      lines: [
        "public.customers",
        "  id          integer                      primary key, not null",
        "  email       character varying(255)       not null",
        "  name        character varying(200)",
        "  created_at  timestamp without time zone  default CURRENT_TIMESTAMP",
        "  unique index customers_email_uq (email)",
      ],
    });
  });

  test("risk with --schema ENV/CONNECTION reads the live schema through the agent", async () => {
    const file = join(dir, "risk-live.sql");
    writeFileSync(file, "UPDATE customers SET nickname = 'x' WHERE id = 1;\n");
    const live = await mx("risk", file, "--engine", "postgresql", "--schema", "dev/main", "--format", "json");
    const offline = await mx("risk", file, "--engine", "postgresql", "--format", "json");
    const checks = (out: string) =>
      (JSON.parse(out) as { statements: { findings: { check: string }[] }[] }).statements.flatMap((st) =>
        st.findings.map((f) => f.check),
      );
    // Only the live schema knows customers has no column nickname.
    expect({ live: checks(live.out), offline: checks(offline.out) }).toEqual({
      live: ["missing-statement-timeout", "unknown-column"],
      offline: ["missing-statement-timeout"],
    });
  });

  test("tokens: create, use, revoke", async () => {
    const created = await mx("token", "create", "ci", "--ttl", "1d", "--json");
    const { token, secret } = JSON.parse(created.out);
    const io = captureIo({ env: { NO_COLOR: "1" }, cwd: dir });
    expect(await runCli(["whoami", "--json", "--token", secret, "--server", server], io)).toBe(0);
    const listed = await mx("token", "list");
    expect(listed.out.split("\n").filter((l) => l.includes(token.id) && l.includes("active")).length).toBe(1);
    expect(await mx("token", "revoke", token.id)).toEqual({ code: 0, err: "", out: `revoked token ${token.id}\n` });
    const denied = captureIo({ env: {}, cwd: dir });
    expect(await runCli(["whoami", "--token", secret, "--server", server], denied)).toBe(1);
    expect(denied.err()).toMatch(/^error: .+ \(unauthenticated\)\nthe token came from --token\n$/);
  });

  test("audit list shows the chain", async () => {
    const { code, out } = await mx("audit", "list", "--limit", "3");
    const lines = out.trimEnd().split("\n");
    expect({
      code,
      header: lines[0]?.split(/\s+/),
      rows: lines.length - 1,
      seqs: lines.slice(1).map((l) => l.split(" ")[0]),
    }).toEqual({
      code: 0,
      header: ["SEQ", "AT", "ACTOR", "ACTION", "ENV", "TARGET", "HASH"],
      rows: 3,
      seqs: ["1", "2", "3"],
    });
  });
});
