// The proof for MariaDB: every corpus case runs up → generated down against the real server, each
// in its own database, and must come back equal (our introspection with column order, SHOW CREATE
// TABLE, row hashes), or be reported as not reversible with its reason.
import { afterAll, beforeAll, describe, test } from "bun:test";
import { getEngine } from "../../index.ts";
import type { Session } from "../../types.ts";
import { BACKUP_SCHEMA, DOWN_SCRIPTS_TABLE } from "../backup-names.ts";
import { type CorpusCase, loadCorpus } from "../corpus/corpus.ts";
import { captureMyState, type MyState } from "../corpus/my-state.ts";
import { expectCoverage, expectRoundTrip, type Outcome, runCases, tokenRoundTrip } from "../corpus/roundtrip.ts";

const engine = getEngine("mariadb");
const q = engine.dialect.quoteIdent;
const prefix = `mx_rbmy_${process.pid}_${Date.now() % 100000}`;
const url = (db: string) => `mysql://root@127.0.0.1:3306/${db}`;
const cases = loadCorpus("mariadb");
const dbOf = (c: CorpusCase) => `${prefix}_${c.name.slice(0, 3)}`;
const SESSIONS = 4;
let admin: Session;
let outcomes = new Map<string, Outcome<MyState> | Error>();

async function open(c: CorpusCase): Promise<Session> {
  await admin.exec(`CREATE DATABASE ${q(dbOf(c))} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci`);
  return engine.driver.connect(url(dbOf(c)));
}

beforeAll(async () => {
  admin = await engine.driver.connect(url("test"));
  outcomes = await runCases(cases, SESSIONS, (c) => tokenRoundTrip({ engine, c, open, capture: captureMyState }));
}, 180_000);

afterAll(async () => {
  for (const c of cases) await admin?.exec(`DROP DATABASE IF EXISTS ${q(dbOf(c))}`);
  await admin
    ?.query(`DELETE FROM ${q(BACKUP_SCHEMA)}.${q(DOWN_SCRIPTS_TABLE)} WHERE database_name LIKE ?`, [`${prefix}%`])
    .catch(() => {});
  await admin?.close();
});

test("COVERAGE.md lists every MariaDB case as its file says, and covers every required kind", () => {
  expectCoverage("mariadb", cases, 40);
});

describe("mariadb round trips", () => {
  for (const c of cases) {
    test(`${c.name} (${c.expect})`, () => expectRoundTrip(c, outcomes.get(c.name), { backupsListed: true }));
  }
});
