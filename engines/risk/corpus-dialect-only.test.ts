// The safe corpora of the dialect-only engines (SQL Server, Oracle, ClickHouse): realistic migrations
// written the careful way (online index builds, defaults on new NOT NULL columns, key-range backfills,
// MergeTree sorting keys). No finding may reach Medium on them.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineId } from "../types.ts";
import { assess } from "./assess.ts";
import { levelRank } from "./model.ts";

const ENGINES: EngineId[] = ["sqlserver", "oracle", "clickhouse"];

describe("safe corpora", () => {
  for (const engine of ENGINES) {
    test(`no finding reaches Medium on the ${engine} safe corpus (≥150 statements)`, async () => {
      const dir = join(import.meta.dir, "corpus", engine);
      let statements = 0;
      const loud: string[] = [];
      for (const file of readdirSync(dir).sort()) {
        const report = await assess(readFileSync(join(dir, file), "utf8"), { engine });
        statements += report.statements.length;
        for (const s of report.statements)
          for (const f of s.findings)
            if (levelRank(f.level) >= levelRank("Medium"))
              loud.push(`${file}:${f.line}:${f.column} ${f.level} ${f.check}: ${f.message}`);
      }
      expect(loud).toEqual([]);
      expect(statements).toBeGreaterThanOrEqual(150);
    });
  }
});
