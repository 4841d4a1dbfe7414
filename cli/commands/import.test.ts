// mx import against a real control plane (PGlite store, in-process bus) on a port-0 server, with
// --url marking a golang-migrate database's applied versions on real PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bus, createMemoryBus } from "../../bus/index.ts";
import {
  bootstrap,
  type ControlApp,
  createControlApp,
  openStore,
  type Store,
  silentLogger,
} from "../../control/index.ts";
import type { FreshDatabase } from "../../engines/test/target.ts";
import { postgresTarget } from "../../engines/test/targets/postgres.ts";
import { runCli } from "../main.ts";
import { captureIo } from "../testing.ts";

const home = mkdtempSync(join(tmpdir(), "mx-import-"));
const pg = postgresTarget();
let store: Store;
let bus: Bus;
let control: ControlApp;
let server = "";
let adminToken = "";
let fresh: FreshDatabase;

function folder(name: string, files: Record<string, string>): string {
  const dir = join(home, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

const FLYWAY = {
  "V1__create_users.sql": "CREATE TABLE users (id INT);\n",
  "U1__create_users.sql": "DROP TABLE users;\n",
  "V2__add_email.sql": "ALTER TABLE users ADD email TEXT;\n",
};
const GOLANG = {
  "1_create_orders.up.sql": "CREATE TABLE orders (id INT);\n",
  "1_create_orders.down.sql": "DROP TABLE orders;\n",
  "2_add_total.up.sql": "ALTER TABLE orders ADD total INT;\n",
};

beforeAll(async () => {
  store = await openStore({});
  bus = createMemoryBus();
  const boot = await bootstrap(store.db, { environments: [{ name: "dev", position: 1 }] });
  adminToken = boot.adminToken ?? "";
  control = await createControlApp({
    store,
    bus,
    streamPrefix: `IMP${Date.now()}`,
    log: silentLogger,
    passwordCost: { memoryCost: 1024, timeCost: 1 },
  });
  server = (await control.start(0)).url;
  fresh = await pg.create();
}, 30_000);

afterAll(async () => {
  await control.stop();
  await bus.close();
  await store.close();
  await fresh.drop();
  rmSync(home, { recursive: true, force: true });
});

async function mx(args: string[]) {
  const io = captureIo({ env: { MIGRATRIX_HOME: home } });
  const code = await runCli([...args, "--server", server, "--token", adminToken], io);
  return { code, out: io.out(), err: io.err() };
}

describe("mx import", () => {
  test("--dry-run detects the layout and prints what would be created", async () => {
    const dir = folder("flyway", FLYWAY);
    expect(await mx(["import", dir, "--dry-run"])).toEqual({
      code: 0,
      out: [
        `detected flyway: 2 migration(s) in ${dir}`,
        "ID                FROM                                         DOWN",
        "V1__create_users  V1__create_users.sql + U1__create_users.sql  yes",
        "V2__add_email     V2__add_email.sql                            no",
        "dry run: nothing created or marked",
        "",
      ].join("\n"),
      err: "",
    });
    const json = await mx(["import", dir, "--dry-run", "--json"]);
    expect(JSON.parse(json.out)).toEqual({
      format: "flyway",
      dryRun: true,
      historyTable: null,
      migrations: [
        {
          id: "V1__create_users",
          fileName: "V1__create_users.sql",
          source: "V1__create_users.sql + U1__create_users.sql",
          applied: null,
          content: "-- UP\nCREATE TABLE users (id INT);\n-- DOWN\nDROP TABLE users;\n",
        },
        {
          id: "V2__add_email",
          fileName: "V2__add_email.sql",
          source: "V2__add_email.sql",
          applied: null,
          content: "-- UP\nALTER TABLE users ADD email TEXT;\n",
        },
      ],
    });
  });

  test("a directory in no known layout, or an unknown --format, is a usage error", async () => {
    const dir = folder("plain", { "notes.sql": "SELECT 1;\n" });
    const none = await mx(["import", dir]);
    const bad = await mx(["import", dir, "--format", "sqitch"]);
    expect([none.code, bad.code]).toEqual([2, 2]);
    expect(none.err).toContain(
      `${dir}: no Flyway, dbmate, golang-migrate, Liquibase formatted SQL or Atlas migrations found; pass --format`,
    );
    expect(bad.err).toContain(
      "unknown --format 'sqitch': expected auto, flyway, dbmate, golang-migrate, liquibase-sql, atlas",
    );
  });

  test("imports into the control plane; importing again is harmless", async () => {
    const dir = folder("flyway", FLYWAY);
    for (let i = 0; i < 2; i++) {
      const r = await mx(["import", dir, "--format", "flyway", "--engine", "postgresql"]);
      expect({ code: r.code, err: r.err, tail: r.out.split("\n").slice(-3) }).toEqual({
        code: 0,
        err: "",
        tail:
          i === 0
            ? ["created migration V1__create_users", "created migration V2__add_email", ""]
            : ["V1__create_users was already stored", "V2__add_email was already stored", ""],
      });
    }
    // Both imports are in the changes log.
    const log = JSON.parse((await mx(["gitops", "log", "--json"])).out) as {
      events: { kind: string; summary: string }[];
    };
    expect(log.events.map((e) => `${e.kind}: ${e.summary}`)).toEqual([
      "import: flyway flyway: 0 migration(s) created, 2 already stored",
      "import: flyway flyway: 2 migration(s) created, 0 already stored",
    ]);
    const shown = await mx(["migration", "show", "V1__create_users", "--json"]);
    const m = (JSON.parse(shown.out) as { migration: { id: string; upSql: string; downSql: string } }).migration;
    expect({ id: m.id, up: m.upSql, down: m.downSql }).toEqual({
      id: "V1__create_users",
      up: "CREATE TABLE users (id INT);\n",
      down: "DROP TABLE users;\n",
    });
  });

  test("a stored migration with other content stops the import before anything is created", async () => {
    const dir = folder("flyway-edited", {
      ...FLYWAY,
      "V2__add_email.sql": "ALTER TABLE users ADD email VARCHAR(200);\n",
      "V3__add_name.sql": "ALTER TABLE users ADD name TEXT;\n",
    });
    const r = await mx(["import", dir, "--format", "flyway", "--engine", "postgresql"]);
    expect({ code: r.code, err: r.err }).toEqual({
      code: 1,
      err: "error: already stored with other content: V2__add_email; nothing was imported (give changed migrations new file names) (failed_precondition)\n",
    });
    expect((await mx(["migration", "show", "V3__add_name"])).code).toBe(1);
    const log = JSON.parse((await mx(["gitops", "log", "--limit", "1", "--json"])).out) as {
      events: { kind: string; summary: string }[];
    };
    expect(log.events.map((e) => `${e.kind}: ${e.summary}`)).toEqual([
      "import.failed: flyway import failed: already stored with other content: V2__add_email; nothing was imported (give changed migrations new file names)",
    ]);
  });

  test("--env needs a connection there and names what is missing; nothing is stored", async () => {
    const dir = folder("flyway-env", { "V7__seven.sql": "CREATE TABLE seven (id INT);\n" });
    const none = await mx(["import", dir, "--env", "dev", "--engine", "postgresql"]);
    const named = await mx(["import", dir, "--env", "dev", "--connection", "nope", "--engine", "postgresql"]);
    const both = await mx(["import", dir, "--env", "dev", "--url", "postgres://x@127.0.0.1/x"]);
    expect([none, named].map((r) => [r.code, r.err])).toEqual([
      [
        1,
        "error: environment dev has no connection to read the flyway history on; add one with mx connection add (failed_precondition)\n",
      ],
      [1, "error: connection dev/nope not found (not_found)\n"],
    ]);
    expect([both.code, both.err]).toEqual([2, expect.stringContaining("give --env or --url, not both")]);
    expect((await mx(["migration", "show", "V7__seven"])).code).toBe(1);
  });

  test("--url marks what golang-migrate applied; mx apply then skips it and runs the rest", async () => {
    const session = await pg.engine.driver.connect(fresh.url);
    try {
      await session.exec("CREATE TABLE orders (id INT)");
      await session.exec(
        "CREATE TABLE schema_migrations (version BIGINT NOT NULL PRIMARY KEY, dirty BOOLEAN NOT NULL)",
      );
      await session.exec("INSERT INTO schema_migrations (version, dirty) VALUES (1, FALSE)");
    } finally {
      await session.close();
    }
    const dir = folder("golang", GOLANG);
    const r = await mx(["import", dir, "--url", fresh.url]);
    expect(r).toEqual({
      code: 0,
      out: [
        `detected golang-migrate: 2 migration(s) in ${dir}`,
        "history table public.schema_migrations: 1 applied",
        "ID                 FROM                                               DOWN  APPLIED",
        "001_create_orders  1_create_orders.up.sql + 1_create_orders.down.sql  yes   yes",
        "002_add_total      2_add_total.up.sql                                 no    no",
        "created migration 001_create_orders",
        "created migration 002_add_total",
        "marked 001_create_orders applied (import:golang-migrate)",
        "",
      ].join("\n"),
      err: "",
    });
    // The imported files, run in local mode: the marked one is skipped, the other one runs.
    const dry = JSON.parse((await mx(["import", dir, "--dry-run", "--json"])).out) as {
      migrations: { fileName: string; content: string }[];
    };
    const outcomes: string[] = [];
    for (const m of dry.migrations) {
      writeFileSync(join(home, m.fileName), m.content);
      const applied = await mx(["apply", join(home, m.fileName), "--url", fresh.url]);
      outcomes.push(`${applied.code} ${applied.out.split("\n").at(-2)}`);
    }
    expect(outcomes).toEqual([
      "0 apply 001_create_orders: already applied (1/1 statements)",
      "0 apply 002_add_total: completed (1/1 statements)",
    ]);
  });
});
