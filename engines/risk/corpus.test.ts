// The safe corpora, every engine: realistic migrations written the careful way (online index builds,
// defaults on new NOT NULL columns, key-range backfills, STRICT tables, MergeTree sorting keys). No
// finding may reach Medium on them; a rule that cries wolf on ordinary, careful SQL fails here. Rows
// that are the same on several engines (reference data) live once in corpus/shared/, read by each
// engine listed for them; they do not count towards an engine's own statements.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineId } from "../types.ts";
import { assess } from "./assess.ts";
import { levelRank } from "./model.ts";

const CORPUS = join(import.meta.dir, "corpus");

/** Each engine's corpus folder and how many statements of its own it holds at least. */
const CORPORA: Array<{ engine: EngineId; dir: string; min: number }> = [
  { engine: "postgresql", dir: "postgresql", min: 250 },
  { engine: "mysql", dir: "mysql", min: 250 },
  { engine: "mariadb", dir: "mysql", min: 250 },
  { engine: "sqlite", dir: "sqlite", min: 250 },
  { engine: "sqlserver", dir: "sqlserver", min: 150 },
  { engine: "oracle", dir: "oracle", min: 150 },
  { engine: "clickhouse", dir: "clickhouse", min: 150 },
];
/** Shared corpus files and the engines that read them. */
const SHARED: Record<string, EngineId[]> = { "reference_data.sql": ["oracle", "clickhouse"] };

/** Findings at Medium or above in the files, and how many statements they hold. */
async function loudFindings(engine: EngineId, files: string[]): Promise<{ loud: string[]; statements: number }> {
  let statements = 0;
  const loud: string[] = [];
  for (const file of files) {
    const report = await assess(readFileSync(join(CORPUS, file), "utf8"), { engine });
    statements += report.statements.length;
    for (const s of report.statements)
      for (const f of s.findings)
        if (levelRank(f.level) >= levelRank("Medium"))
          loud.push(`${file}:${f.line}:${f.column} ${f.level} ${f.check}: ${f.message}`);
  }
  return { loud, statements };
}

describe("safe corpora", () => {
  for (const { engine, dir, min } of CORPORA) {
    test(`no finding reaches Medium on the ${engine} safe corpus (≥${min} statements of its own)`, async () => {
      const own = readdirSync(join(CORPUS, dir))
        .sort()
        .map((f) => join(dir, f));
      const shared = Object.keys(SHARED)
        .filter((f) => SHARED[f]?.includes(engine))
        .map((f) => join("shared", f));
      const mine = await loudFindings(engine, own);
      const common = await loudFindings(engine, shared);
      expect([...mine.loud, ...common.loud]).toEqual([]);
      expect(common.statements > 0).toBe(shared.length > 0);
      expect(mine.statements).toBeGreaterThanOrEqual(min);
    });
  }

  test("every shared corpus file is read by at least two engines", () => {
    expect(readdirSync(join(CORPUS, "shared")).sort()).toEqual(Object.keys(SHARED).sort());
    expect(Object.values(SHARED).every((engines) => engines.length >= 2)).toBe(true);
  });
});
