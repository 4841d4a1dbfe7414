// What the engines' introspection tests share: finders into a snapshot, an expected column in one
// line, running a script through the engine's own splitter, and the coverage tests over a CoverageList.
import { describe, expect, test } from "bun:test";
import type { Dialect, EngineId, Session } from "../types.ts";
import { type CoverageList, INTROSPECTION_KINDS } from "./coverage.ts";
import { type ColumnSnapshot, type SchemaSnapshot, SNAPSHOT_VERSION, type TableSnapshot } from "./snapshot.ts";

type FindTable = (s: SchemaSnapshot, name: string) => TableSnapshot | undefined;

/** Finders by name; `findTable` picks the table (by default the first of that name, whatever its schema). */
export function snapshotFinders(findTable: FindTable = (s, name) => s.tables.find((t) => t.name === name)) {
  return {
    table: findTable,
    column: (s: SchemaSnapshot, t: string, c: string) => findTable(s, t)?.columns.find((k) => k.name === c),
    index: (s: SchemaSnapshot, t: string, i: string) => findTable(s, t)?.indexes.find((k) => k.name === i),
    constraint: (s: SchemaSnapshot, t: string, c: string) => findTable(s, t)?.constraints?.find((k) => k.name === c),
    object: (s: SchemaSnapshot, kind: string, name: string) =>
      s.objects?.find((o) => o.kind === kind && o.name === name),
  };
}

/** A nullable column without a default, as the snapshot holds it; `extra` overrides. */
export const expectedColumn = (name: string, type: string, ordinal: number, extra: object = {}) => ({
  name,
  type,
  nullable: true,
  default: null,
  ordinal,
  ...extra,
});

/**
 * A snapshot of a few tables, as --schema would give it: each column nullable without a default
 * unless its `extra` says otherwise, numbered in order.
 */
export function testSnapshot(
  engine: EngineId,
  tables: Array<{ name: string; columns: Array<[string, string, Partial<ColumnSnapshot>?]>; primaryKey?: string[] }>,
): SchemaSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    engine,
    serverVersion: "test",
    schemas: [],
    tables: tables.map((t) => ({
      schema: "",
      name: t.name,
      columns: t.columns.map(([name, type, extra], i) => ({ ...expectedColumn(name, type, i + 1), ...extra })),
      primaryKey: t.primaryKey === undefined ? null : { columns: t.primaryKey },
      indexes: [],
    })),
  };
}

/** Splits `script` with the engine's dialect (no problems allowed) and runs each statement. */
export async function runScript(dialect: Dialect, session: Session, script: string): Promise<void> {
  const { statements, problems } = dialect.split(script);
  expect(problems).toEqual([]);
  for (const st of statements) await session.exec(st.text);
}

/** The coverage list names every kind, and each kind it can find is found as expected in `snap()`. */
export function coverageTests(coverage: CoverageList<SchemaSnapshot>, snap: () => SchemaSnapshot): void {
  test("the coverage list names every kind of INTROSPECTION_KINDS", () => {
    expect(Object.keys(coverage).sort()).toEqual([...INTROSPECTION_KINDS].sort());
  });

  describe("coverage: each kind created in a real database is found in the snapshot", () => {
    const cases = Object.entries(coverage).flatMap(([kind, c]) => ("find" in c ? [[kind, c] as const] : []));
    test.each(cases)("%s", (_kind, c) => {
      expect(c.find(snap())).toEqual(c.expected);
    });
  });
}
