// Side by side with squawk (squawk-cli, a devDependency) on every PostgreSQL case: each squawk rule
// that fires and maps to a catalog check must have that check fire in our report too, except where
// we differ on purpose (each kind of difference below says why, and is checked, not assumed).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresDialect } from "../postgres/dialect.ts";
import { assess } from "./assess.ts";
import { ALL_CASES, caseSnapshot } from "./cases/index.ts";
import type { CaseSchema } from "./cases/types.ts";
import { CHECK_IDS, type CheckId } from "./catalog.ts";
import type { RiskReport } from "./model.ts";
import { SQUAWK_BIN, SQUAWK_RULES, type SquawkViolation } from "./squawk.ts";

const dir = mkdtempSync(join(tmpdir(), "mx-squawk-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (sql: string, schema?: CaseSchema): Promise<RiskReport> =>
  assess(sql, {
    engine: "postgresql",
    schema: schema === undefined ? undefined : caseSnapshot("postgresql", schema),
    include: CHECK_IDS,
  });
const checksOf = (r: RiskReport) => new Set(r.statements.flatMap((s) => s.findings.map((f) => f.check)));

/** A new object that locks nothing that existed: squawk asks for timeouts anyway, we do not. */
const CREATES_ONLY =
  /^\s*CREATE\s+(?:SCHEMA|(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE|VIEW)|TYPE|DOMAIN|EXTENSION|SEQUENCE|EVENT\s+TRIGGER)\b/i;
const TIMEOUT_RULES = new Set(["require-lock-timeout", "require-statement-timeout"]);
const UNPARSED: CheckId[] = ["syntax-error", "unsupported-type", "unbalanced-parens", "unclosed-quote"];

async function whyDifferent(
  v: SquawkViolation,
  sql: string,
  schema: CaseSchema | undefined,
  ours: RiskReport,
  checks: readonly CheckId[],
): Promise<string | undefined> {
  const line = v.line + 1;
  const statements = postgresDialect.split(sql).statements;
  const st = statements
    .filter((s) => s.start.line < line || (s.start.line === line && s.start.column <= v.column + 1))
    .at(-1);
  if (st === undefined) return undefined;
  const mine = ours.statements.find((s) => s.sql === st.text);
  if (mine?.findings.some((f) => UNPARSED.includes(f.check))) return "PostgreSQL cannot parse the statement";
  if (v.rule_name === "transaction-nesting" && /^\s*ROLLBACK\s+TO\b/i.test(st.text)) {
    return "ROLLBACK TO SAVEPOINT does not end the transaction";
  }
  if (TIMEOUT_RULES.has(v.rule_name) && (CREATES_ONLY.test(st.text) || /^\s*(SELECT|SAVEPOINT)\b/i.test(st.text))) {
    return "the statement locks nothing that existed before";
  }
  if (TIMEOUT_RULES.has(v.rule_name) && /^\s*CREATE\s+TABLE\b/i.test(st.text) && !/REFERENCES/i.test(st.text)) {
    return "the statement locks nothing that existed before";
  }
  if (v.rule_name === "changing-column-type" && schema !== undefined)
    return "the schema shows a widening without rewrite";
  // Alone, the statement is flagged: what spared it is what the script did before it (created
  // the table, validated a constraint, set a timeout).
  const alone = checksOf(await run(st.text));
  if (checks.some((k) => alone.has(k))) return "an earlier statement of the script makes it safe";
  return undefined;
}

test("every squawk rule firing on a PostgreSQL case that maps to a catalog check fires here too", async () => {
  const cases = ALL_CASES.filter((c) => c.engines.includes("postgresql")).flatMap((c) => [
    ...c.flagged.map((f) => ({ sql: f.sql, schema: f.schema })),
    ...c.clean.map((k) => (typeof k === "string" ? { sql: k, schema: undefined } : k)),
  ]);
  const files = cases.map((c, i) => {
    const file = join(dir, `case_${String(i).padStart(4, "0")}.sql`);
    writeFileSync(file, `${c.sql}\n`);
    return file;
  });
  const proc = Bun.spawnSync([SQUAWK_BIN, "--reporter", "json", "-i", "require-table-schema", ...files]);
  const violations: SquawkViolation[] = JSON.parse(proc.stdout.toString() || "[]");
  expect(violations.length).toBeGreaterThan(100);

  const missed: string[] = [];
  const unmapped = new Set<string>();
  const differences = new Map<string, number>();
  let matched = 0;
  for (const [i, c] of cases.entries()) {
    const mine = violations.filter((v) => v.file === files[i]);
    if (mine.length === 0) continue;
    const report = await run(c.sql, c.schema);
    const ours = checksOf(report);
    for (const v of mine) {
      const checks = SQUAWK_RULES[v.rule_name];
      if (checks === undefined) {
        unmapped.add(v.rule_name);
      } else if (checks.some((k) => ours.has(k))) {
        matched++;
      } else {
        const why = await whyDifferent(v, c.sql, c.schema, report, checks);
        if (why === undefined) missed.push(`${v.rule_name} on ${JSON.stringify(c.sql)}`);
        else differences.set(why, (differences.get(why) ?? 0) + 1);
      }
    }
  }
  expect({ missed, unmapped: [...unmapped].sort() }).toEqual({ missed: [], unmapped: [] });
  expect(matched).toBeGreaterThan(300);
  console.log(`squawk side by side: ${matched} matched`, Object.fromEntries(differences));
}, 30_000);
