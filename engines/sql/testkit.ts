// Helpers for the dialect tests: compact builders of whole expected results, and golden-file cases
// (<case>.sql beside <case>.json; RECORD=1 rewrites the JSON for a reviewer to read in the diff).

import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Dialect, SplitResult, SqlProblem, SqlProblemCode, Statement } from "../types.ts";

/** A statement at line:column, offset; endOffset follows from the text. */
export function st(index: number, text: string, at: [number, number, number], ownSegment = false): Statement {
  const [line, column, offset] = at;
  return { index, text, start: { line, column, offset }, endOffset: offset + text.length, ownSegment };
}

export function pr(code: SqlProblemCode, message: string, line: number, column: number): SqlProblem {
  return { code, message, line, column };
}

export interface SplitCase {
  name: string;
  sql: string;
  want: SplitResult;
}

export function splitCases(dialect: Dialect, cases: SplitCase[]): void {
  for (const c of cases) {
    test(c.name, () => {
      expect(dialect.split(c.sql)).toEqual(c.want);
    });
  }
}

/** Own-segment rules: each SQL text is one statement; the whole flag list is compared at once. */
export function ownSegmentCases(dialect: Dialect, cases: Array<[string, boolean]>): void {
  test("ownSegment", () => {
    const got = cases.map(([sql]) => [sql, dialect.split(sql).statements.map((s) => s.ownSegment)]);
    expect(got).toEqual(cases.map(([sql, own]) => [sql, [own]]));
  });
}

export function goldenSplitCases(dir: string, dialect: Dialect): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  describe("golden split cases", () => {
    test("the golden folder holds cases", () => {
      expect(files.length).toBeGreaterThan(0);
    });
    for (const file of files) {
      test(file, () => {
        const got = dialect.split(readFileSync(join(dir, file), "utf8"));
        const goldenPath = join(dir, file.replace(/\.sql$/, ".json"));
        if (process.env.RECORD === "1") writeFileSync(goldenPath, `${JSON.stringify(got, null, 2)}\n`);
        expect(got).toEqual(JSON.parse(readFileSync(goldenPath, "utf8")));
      });
    }
  });
}

/** A script of `count` small statements on their own lines, for the large-input test. */
export function generatedScript(count: number, statement: (i: number) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(statement(i));
  return parts.join("\n");
}
