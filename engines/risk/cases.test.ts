// Runs every case table (SQL in, the findings of one check out), checks that every catalog check
// applicable to an engine assess() supports has its cases, and compares whole reports to the golden
// file (RECORD=1 rewrites it; review the diff).
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineId } from "../types.ts";
import { assess, RISK_ENGINES } from "./assess.ts";
import { ALL_CASES, caseSnapshot } from "./cases/index.ts";
import type { CaseSchema } from "./cases/types.ts";
import { CATALOG, type CheckId, checksFor } from "./catalog.ts";
import type { RiskReport } from "./model.ts";

const GOLDEN = join(import.meta.dir, "golden", "cases.json");
const record = process.env.RECORD === "1";
const golden: Record<string, RiskReport> = record ? {} : JSON.parse(readFileSync(GOLDEN, "utf8"));
const produced: Record<string, RiskReport> = {};

function run(check: CheckId, engine: EngineId, sql: string, schema: CaseSchema | undefined): Promise<RiskReport> {
  return assess(sql, {
    engine,
    schema: schema === undefined ? undefined : caseSnapshot(engine, schema),
    include: "optIn" in CATALOG[check] ? [check] : [],
  });
}

const only = (r: RiskReport, check: CheckId) =>
  r.statements.flatMap((s) => s.findings.filter((f) => f.check === check).map((f) => ({ check, level: f.level })));

for (const c of ALL_CASES) {
  for (const engine of c.engines) {
    describe(`${engine} ${c.check}`, () => {
      c.flagged.forEach((f, i) => {
        test(`flags ${JSON.stringify(f.sql)}`, async () => {
          const report = await run(c.check, engine, f.sql, f.schema);
          produced[`${engine} ${c.check} flagged ${i}`] = report;
          const want = Array.from({ length: f.count ?? 1 }, () => ({ check: c.check, level: f.level }));
          expect(only(report, c.check)).toEqual(want);
        });
      });
      c.clean.forEach((k, i) => {
        const sql = typeof k === "string" ? k : k.sql;
        const schema = typeof k === "string" ? undefined : k.schema;
        test(`does not flag ${JSON.stringify(sql)}`, async () => {
          const report = await run(c.check, engine, sql, schema);
          produced[`${engine} ${c.check} clean ${i}`] = report;
          expect(only(report, c.check)).toEqual([]);
        });
      });
    });
  }
}

describe("coverage", () => {
  for (const engine of RISK_ENGINES) {
    test(`every catalog check applicable to ${engine} has ≥3 flagged and ≥3 clean cases`, () => {
      const thin = checksFor(engine).filter((check) => {
        const cases = ALL_CASES.filter((c) => c.check === check && c.engines.includes(engine));
        const flagged = cases.reduce((n, c) => n + c.flagged.length, 0);
        const clean = cases.reduce((n, c) => n + c.clean.length, 0);
        return flagged < 3 || clean < 3;
      });
      expect(thin).toEqual([]);
    });
  }
});

describe("golden", () => {
  test("whole reports match engines/risk/golden/cases.json", () => {
    if (record) {
      // One case per line: small diffs when a message changes.
      const lines = Object.keys(produced)
        .sort()
        .map((k) => `${JSON.stringify(k)}: ${JSON.stringify(produced[k])}`);
      writeFileSync(GOLDEN, `{\n${lines.join(",\n")}\n}\n`);
      return;
    }
    expect(produced).toEqual(golden);
  });
});
