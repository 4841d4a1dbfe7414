// The MySQL/MariaDB safe corpus: realistic migrations written the careful way. No finding may reach
// Medium on them, on either engine; a rule that cries wolf on ordinary, careful SQL fails here.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assess } from "../assess.ts";
import { levelRank } from "../model.ts";

const dir = join(import.meta.dir, "..", "corpus", "mysql");

for (const engine of ["mysql", "mariadb"] as const) {
  test(`no finding reaches Medium on the MySQL safe corpus (${engine}, several hundred statements)`, async () => {
    let statements = 0;
    const loud: string[] = [];
    for (const file of readdirSync(dir).sort()) {
      const report = await assess(readFileSync(join(dir, file), "utf8"), { engine });
      statements += report.statements.length;
      for (const s of report.statements) {
        for (const f of s.findings) {
          if (levelRank(f.level) >= levelRank("Medium"))
            loud.push(`${file}:${f.line}:${f.column} ${f.level} ${f.check}: ${f.message}`);
        }
      }
    }
    expect(loud).toEqual([]);
    expect(statements).toBeGreaterThanOrEqual(250);
  });
}
