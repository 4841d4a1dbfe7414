// MySQL 8 sync scripts run against the real MariaDB, for every pair of the MariaDB round-trip corpus
// (and a pair with quotes and backslashes in names and comments). No MySQL 8 server can run here.
//
// What this proves: both sides are read from MariaDB and relabelled as MySQL 8 would report them
// (inMysqlFlavour: engine "mysql", string defaults unquoted, checks without a column level; the same
// conversion a diff of a MariaDB side against a MySQL 8 side makes), the sync script is
// rendered by the MySQL 8 renderer and run on MariaDB 10.11, which evaluates the same guard idiom
// (SET @mx := IF(…information_schema…); PREPARE/EXECUTE/DEALLOCATE) and DROP … IF EXISTS,
// CREATE TABLE IF NOT EXISTS, CREATE OR REPLACE VIEW, DROP + CREATE of routines and triggers.
// So: the guards' conditions, their string escaping, the statement order, idempotency (a second run
// changes nothing) and the down script are checked on a real server, and renderCreate of a MySQL
// snapshot rebuilds it.
// What it does not prove: what only MySQL 8 has or does. Every statement a guard runs here is also
// valid MariaDB; MySQL-8-only syntax (functional key parts) is checked as text only, in
// engines/mysql/ddl-mysql8.test.ts, and MySQL 8's own information_schema (its spelling of names under
// lower_case_table_names), the ALGORITHM=INPLACE changes it accepts and its introspection are not
// exercised at all.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { inMysqlFlavour, renderCreateDdl } from "../mysql/ddl.ts";
import { createMysqlEngine } from "../mysql/index.ts";
import type { Session } from "../types.ts";
import { diffSchemas } from "./compare.ts";
import { MARIADB_CASES } from "./corpus/mariadb.ts";
import { runPooled, syncRoundTrip } from "./corpus/pool.ts";
import type { SyncCase } from "./corpus/postgres.ts";
import type { SchemaDiff, SyncPlan } from "./model.ts";
import { createScratch, runScript } from "./scratch.ts";
import { planSync } from "./sync.ts";

const engine = createMysqlEngine({ flavor: "mariadb" });
const q = engine.dialect.quoteIdent;
const tag = `${process.pid}_${Date.now().toString(36)}`;
const root = "mariadb://root@127.0.0.1:3306/test";
const url = (db: string) => `mariadb://root@127.0.0.1:3306/${db}`;
const dbs = (i: number) => [`mx8_${tag}_${i}_a`, `mx8_${tag}_${i}_b`] as const;

const CASES: SyncCase[] = [
  ...MARIADB_CASES,
  {
    name: "quotes-and-backslashes-in-names-and-comments",
    covers: ["column", "index"],
    a: "CREATE TABLE `o'k` (id int PRIMARY KEY, `c``x` varchar(10) DEFAULT 'a''b\\\\c' COMMENT 'it''s a \\\\ path', KEY `i'x` (`c``x`))",
    b: "CREATE TABLE `o'k` (id int PRIMARY KEY)",
  },
];

interface Run {
  plan: SyncPlan & { diff: SchemaDiff };
  rebuilt?: SchemaDiff;
  remaining?: SchemaDiff;
  second?: SchemaDiff;
  afterDown?: SchemaDiff;
}
const runs = new Map<string, Run | Error>();
let admin: Session;

/** A MariaDB schema as MySQL 8 would report it (string defaults unquoted, checks without a column level). */
const read = async (s: Session) => inMysqlFlavour(await engine.inspector.inspect(s, { objects: true }), "mysql");

async function runCase(c: SyncCase, i: number): Promise<Run> {
  const [a, b] = dbs(i);
  const sa = await engine.driver.connect(url(a));
  const sb = await engine.driver.connect(url(b));
  try {
    if (c.a) await runScript(engine, sa, c.a);
    if (c.b) await runScript(engine, sb, c.b);
    const A = await read(sa);
    const B = await read(sb);
    const renames = (c.renames ?? []).map((r) => ({ from: `${a}.${r.from}`, to: `${a}.${r.to}` }));
    const opts = { allowDrop: c.allowDrop ?? false, renames };
    const plan = await planSync(A, B, opts);
    const run: Run = { plan };
    if (c.expect === "noise") return run;
    // The MySQL rendering of the target's whole schema rebuilds it.
    const scratch = await createScratch(engine, root);
    try {
      await runScript(engine, scratch.session, renderCreateDdl(B));
      run.rebuilt = diffSchemas(B, await read(scratch.session));
    } finally {
      await scratch.drop();
    }
    const trip = await syncRoundTrip({ A, B, plan, run: (sql) => runScript(engine, sb, sql), read: () => read(sb) });
    return { ...run, remaining: trip.remaining, second: trip.second, afterDown: trip.afterDown };
  } finally {
    await sa.close();
    await sb.close();
  }
}

beforeAll(async () => {
  admin = await engine.driver.connect(root);
  for (const i of CASES.keys()) for (const db of dbs(i)) await admin.exec(`CREATE DATABASE ${q(db)}`);
  for (const [name, run] of await runPooled(CASES, 4, runCase)) runs.set(name, run);
}, 120_000);

afterAll(async () => {
  for (const i of CASES.keys()) for (const db of dbs(i)) await admin?.exec(`DROP DATABASE IF EXISTS ${q(db)}`);
  await admin?.close();
});

const kinds = (d: SchemaDiff | undefined) => (d?.changes ?? []).map((ch) => `${ch.action} ${ch.kind} ${ch.name}`);

describe("MySQL 8 sync scripts on MariaDB", () => {
  for (const c of CASES) {
    test(c.name, () => {
      const run = runs.get(c.name);
      if (run instanceof Error) throw run;
      if (!run) throw new Error(`case ${c.name} did not run`);
      expect(run.plan.engine).toBe("mysql");
      if (c.expect === "noise") {
        expect({ changes: run.plan.diff.changes, sql: run.plan.sql }).toEqual({ changes: [], sql: "" });
        return;
      }
      expect(run.plan.unsupported).toEqual([]);
      // No MariaDB-only IF [NOT] EXISTS form: only what MySQL 8.0 has.
      expect(
        run.plan.statements.filter((s) =>
          /ALTER TABLE IF EXISTS|(COLUMN|KEY|INDEX|CONSTRAINT) IF (NOT )?EXISTS|CREATE OR REPLACE (FUNCTION|PROCEDURE|TRIGGER)/.test(
            s,
          ),
        ),
      ).toEqual([]);
      expect(kinds(run.rebuilt)).toEqual([]);
      if (c.expect === "withheld") {
        expect(run.plan.withheld.length).toBeGreaterThan(0);
        expect(run.remaining?.changes.every((ch) => ch.action === "dropped")).toBe(true);
        return;
      }
      expect({ remaining: kinds(run.remaining), second: kinds(run.second), down: kinds(run.afterDown) }).toEqual({
        remaining: [],
        second: [],
        down: [],
      });
    });
  }

  test("a MariaDB SOURCE against a MySQL 8 TARGET: compared in MySQL 8's conventions, synced once", async () => {
    const [a, b] = dbs(CASES.length);
    await admin.exec(`CREATE DATABASE ${q(a)}`);
    await admin.exec(`CREATE DATABASE ${q(b)}`);
    const sa = await engine.driver.connect(url(a));
    const sb = await engine.driver.connect(url(b));
    try {
      await runScript(
        engine,
        sa,
        "CREATE TABLE t (id int PRIMARY KEY, s varchar(9) DEFAULT 'it''s', n int CHECK (n > 0))",
      );
      await runScript(engine, sb, "CREATE TABLE t (id int PRIMARY KEY, n int CHECK (n > 0))");
      const A = await engine.inspector.inspect(sa, { objects: true });
      const plan = await planSync(A, await read(sb));
      expect(kinds(plan.diff)).toEqual(["added column s"]);
      await runScript(engine, sb, plan.sql);
      await runScript(engine, sb, plan.sql);
      expect(kinds(diffSchemas(A, await read(sb)))).toEqual([]);
    } finally {
      await sa.close();
      await sb.close();
      await admin.exec(`DROP DATABASE ${q(a)}`);
      await admin.exec(`DROP DATABASE ${q(b)}`);
    }
  });

  test("the guards ran: most pairs need at least one", () => {
    const guarded = CASES.filter((c) => {
      const run = runs.get(c.name);
      return run && !(run instanceof Error) && run.plan.sql.includes("PREPARE mx_stmt FROM @mx");
    });
    expect(guarded.length).toBeGreaterThanOrEqual(15);
  });
});
