// The sweep: every source schema of the same-engine corpora (PostgreSQL, MariaDB, SQLite: every
// object kind each engine has) synced into an empty database of each other engine. The script must
// run, leave the cross-engine diff empty and change nothing when run again; what the target cannot
// hold is left out with a note, so nothing fails and nothing is dropped silently.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EngineAdapter } from "../adapter.ts";
import { getEngine } from "../index.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { Session } from "../types.ts";
import { diffSchemas } from "./compare.ts";
import type { CrossEngine } from "./corpus/cross.ts";
import { MARIADB_CASES } from "./corpus/mariadb.ts";
import { POSTGRES_CASES } from "./corpus/postgres.ts";
import { SQLITE_CASES } from "./corpus/sqlite.ts";
import { runScript } from "./scratch.ts";
import { planSync } from "./sync.ts";

const tag = `${process.pid}_${Date.now().toString(36)}`;
const adapters: Record<CrossEngine, EngineAdapter> = {
  mariadb: getEngine("mariadb"),
  postgresql: getEngine("postgresql"),
  sqlite: getEngine("sqlite"),
};
const ROOT = { mariadb: "mariadb://root@127.0.0.1:3306/test", postgresql: "postgres://postgres@127.0.0.1:5432/test" };
const SOURCES: Record<CrossEngine, string[]> = {
  postgresql: POSTGRES_CASES.filter((c) => c.a).map((c) => c.a.replaceAll("{s}", "public")),
  mariadb: MARIADB_CASES.filter((c) => c.a).map((c) => c.a),
  sqlite: SQLITE_CASES.filter((c) => c.a).map((c) => c.a),
};
const PAIRS: [CrossEngine, CrossEngine][] = [
  ["postgresql", "mariadb"],
  ["postgresql", "sqlite"],
  ["mariadb", "postgresql"],
  ["mariadb", "sqlite"],
  ["sqlite", "postgresql"],
  ["sqlite", "mariadb"],
];

const admins: Partial<Record<CrossEngine, Session>> = {};
const dbs: string[] = [];

/** An empty database: PostgreSQL's and MariaDB's made once per role and emptied for each case. */
async function empty(engine: CrossEngine, role: string): Promise<Session> {
  const a = adapters[engine];
  if (engine === "sqlite") return a.driver.connect("sqlite::memory:");
  const name = `mxw_${tag}_${role}`;
  const admin = admins[engine] as Session;
  const q = a.dialect.quoteIdent;
  if (engine === "mariadb" || !dbs.includes(`${engine}/${name}`)) {
    if (engine === "mariadb") await admin.exec(`DROP DATABASE IF EXISTS ${q(name)}`);
    await admin.exec(`CREATE DATABASE ${q(name)}`);
    if (!dbs.includes(`${engine}/${name}`)) dbs.push(`${engine}/${name}`);
  }
  const s = await a.driver.connect(ROOT[engine].replace(/\/test$/, `/${name}`));
  if (engine === "postgresql") {
    await s.exec(
      "DO $x$ DECLARE r record; BEGIN FOR r IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' LOOP EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname); END LOOP; END $x$",
    );
    await s.exec("CREATE SCHEMA public");
  }
  return s;
}

const inspect = (e: CrossEngine, s: Session): Promise<SchemaSnapshot> =>
  adapters[e].inspector.inspect(s, { objects: true });

const results = new Map<string, string[]>();

beforeAll(async () => {
  for (const e of ["mariadb", "postgresql"] as const) admins[e] = await adapters[e].driver.connect(ROOT[e]);
  // One worker per pair: each has its own source and target databases.
  await Promise.all(
    PAIRS.map(async ([from, to]) => {
      const problems: string[] = [];
      for (const [i, ddl] of SOURCES[from].entries()) {
        const sa = await empty(from, `${from}_${to}_a`);
        const sb = await empty(to, `${from}_${to}_b`);
        try {
          await runScript(adapters[from], sa, ddl);
          const A = await inspect(from, sa);
          const plan = await planSync(A, await inspect(to, sb), { risk: false });
          await runScript(adapters[to], sb, plan.sql);
          const after = await inspect(to, sb);
          const left = diffSchemas(A, after).changes.map((c) => `${c.action} ${c.kind} ${c.name}`);
          await runScript(adapters[to], sb, plan.sql);
          const again = (await planSync(A, await inspect(to, sb), { risk: false })).sql;
          if (left.length > 0 || again !== "") problems.push(`#${i}: left ${left.join(", ")}; again ${again}`);
        } catch (e) {
          problems.push(`#${i}: ${(e as Error).message}`);
        } finally {
          await sa.close();
          await sb.close();
        }
      }
      results.set(`${from} → ${to}`, problems);
    }),
  );
}, 180_000);

afterAll(async () => {
  for (const d of dbs) {
    const [engine, name] = d.split("/") as [CrossEngine, string];
    const force = engine === "postgresql" ? " WITH (FORCE)" : "";
    await admins[engine]?.exec(`DROP DATABASE IF EXISTS ${adapters[engine].dialect.quoteIdent(name)}${force}`);
  }
  for (const s of Object.values(admins)) await s?.close();
}, 60_000);

describe("every corpus schema into an empty database of each other engine", () => {
  for (const [from, to] of PAIRS) {
    test(`${from} → ${to} (${SOURCES[from].length} schemas)`, () => {
      expect(results.get(`${from} → ${to}`)).toEqual([]);
    });
  }
});
