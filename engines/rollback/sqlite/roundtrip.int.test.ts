// The proof for SQLite: every corpus case runs up → generated down on a real database file of its
// own, and must come back equal (our introspection with column order, sqlite_schema's stored text,
// row hashes), or be reported as not reversible with its reason.
import { afterAll, beforeAll, describe, test } from "bun:test";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getEngine } from "../../index.ts";
import { loadCorpus } from "../corpus/corpus.ts";
import { expectCoverage, expectRoundTrip, type Outcome, runCases, tokenRoundTrip } from "../corpus/roundtrip.ts";
import { captureSqliteState, type SqliteState } from "../corpus/sqlite-state.ts";

const engine = getEngine("sqlite");
const dir = realpathSync(mkdtempSync(join(tmpdir(), "mx_rbsq_")));
const cases = loadCorpus("sqlite");
const SESSIONS = 4;
let outcomes = new Map<string, Outcome<SqliteState> | Error>();

beforeAll(async () => {
  outcomes = await runCases(cases, SESSIONS, (c) =>
    tokenRoundTrip({
      engine,
      c,
      open: (c) => engine.driver.connect(`sqlite://${join(dir, `${c.name}.db`)}`),
      capture: captureSqliteState,
    }),
  );
}, 180_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

test("COVERAGE.md lists every SQLite case as its file says, and covers every required kind", () => {
  expectCoverage("sqlite", cases, 25);
});

describe("sqlite round trips", () => {
  for (const c of cases) {
    test(`${c.name} (${c.expect})`, () => expectRoundTrip(c, outcomes.get(c.name), { backupsListed: true }));
  }
});
