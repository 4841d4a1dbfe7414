// The round-trip corpus: one file per case (setup with seed data, then the up script) and the
// coverage table in COVERAGE.md that says what each case covers and how reversible it must be.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Reversibility } from "../types.ts";

export interface CorpusCase {
  /** File name without extension, e.g. "001-create-table". */
  name: string;
  engine: string;
  covers: string[];
  expect: Reversibility;
  /** Schema and seed data before the migration. */
  setup: string;
  up: string;
  /** 1-based file line where `up` starts. */
  upLine: number;
  /** `-- allow-no-backup`: the case runs under the policy that allows running without a backup. */
  allowNoBackup: boolean;
}

export interface CoverageRow {
  name: string;
  engine: string;
  covers: string[];
  expect: Reversibility;
}

/** The statement kinds issue 5 names; every one needs a case per engine that has it. */
export const REQUIRED_KINDS: Record<string, string[]> = {
  postgresql: [
    "CREATE TABLE",
    "CREATE INDEX",
    "CREATE VIEW",
    "CREATE MATERIALIZED VIEW",
    "CREATE SEQUENCE",
    "CREATE TYPE",
    "CREATE FUNCTION",
    "CREATE TRIGGER",
    "ADD COLUMN",
    "RENAME TABLE",
    "RENAME COLUMN",
    "RENAME INDEX",
    "ALTER COLUMN TYPE",
    "ALTER COLUMN DEFAULT",
    "ALTER COLUMN NULL",
    "ADD CONSTRAINT",
    "DROP CONSTRAINT",
    "DROP INDEX",
    "DROP VIEW",
    "DROP FUNCTION",
    "DROP TABLE",
    "DROP COLUMN",
    "TRUNCATE",
    "DELETE",
    "UPDATE",
    "INSERT",
    "NARROWING TYPE",
  ],
  mariadb: [
    "CREATE TABLE",
    "CREATE INDEX",
    "CREATE VIEW",
    "CREATE PROCEDURE",
    "CREATE FUNCTION",
    "CREATE TRIGGER",
    "ADD COLUMN",
    "RENAME TABLE",
    "RENAME COLUMN",
    "RENAME INDEX",
    "ALTER COLUMN TYPE",
    "ALTER COLUMN DEFAULT",
    "ALTER COLUMN NULL",
    "ALTER COLUMN COLLATION",
    "ALTER COLUMN COMMENT",
    "ALTER COLUMN ON UPDATE",
    "ADD CONSTRAINT",
    "DROP CONSTRAINT",
    "DROP INDEX",
    "DROP VIEW",
    "DROP PROCEDURE",
    "DROP FUNCTION",
    "DROP TRIGGER",
    "DROP TABLE",
    "DROP COLUMN",
    "TRUNCATE",
    "DELETE",
    "UPDATE",
    "INSERT",
    "NARROWING TYPE",
  ],
  // SQLite has no sequences, types, functions, materialized views, ALTER COLUMN or TRUNCATE.
  sqlite: [
    "CREATE TABLE",
    "CREATE INDEX",
    "CREATE VIEW",
    "CREATE TRIGGER",
    "ADD COLUMN",
    "RENAME TABLE",
    "RENAME COLUMN",
    "DROP INDEX",
    "DROP VIEW",
    "DROP TRIGGER",
    "DROP TABLE",
    "DROP COLUMN",
    "DELETE",
    "UPDATE",
    "INSERT",
  ],
};

const dir = import.meta.dir;
const REVERSIBILITY = new Set(["exact", "partly", "irreversible"]);

export function loadCorpus(engine: string): CorpusCase[] {
  const folder = join(dir, engine);
  return readdirSync(folder)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => parseCase(f.replace(/\.sql$/, ""), engine, readFileSync(join(folder, f), "utf8")));
}

function header(text: string, key: string): string {
  return new RegExp(`^-- ${key}:(.*)$`, "m").exec(text)?.[1]?.trim() ?? "";
}

export function parseCase(name: string, engine: string, text: string): CorpusCase {
  const lines = text.split("\n");
  const setupAt = lines.findIndex((l) => l.trim() === "-- SETUP");
  const upAt = lines.findIndex((l) => l.trim() === "-- UP");
  const expect = header(text, "expect");
  if (setupAt < 0 || upAt < setupAt || !REVERSIBILITY.has(expect)) {
    throw new Error(`corpus case ${engine}/${name}: needs "-- expect:", "-- SETUP" then "-- UP"`);
  }
  return {
    name,
    engine,
    covers: header(text, "covers")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    expect: expect as Reversibility,
    setup: lines.slice(setupAt + 1, upAt).join("\n"),
    up: lines.slice(upAt + 1).join("\n"),
    upLine: upAt + 2,
    allowNoBackup: /^-- allow-no-backup$/m.test(text),
  };
}

/** Rows of the table in COVERAGE.md: | case | engine | covers | expect |. */
export function loadCoverage(): CoverageRow[] {
  const text = readFileSync(join(dir, "COVERAGE.md"), "utf8");
  const rows: CoverageRow[] = [];
  for (const line of text.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 6 || cells[1] === "case" || cells[1]?.startsWith("-")) continue;
    rows.push({
      name: cells[1] ?? "",
      engine: cells[2] ?? "",
      covers: (cells[3] ?? "")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      expect: (cells[4] ?? "") as Reversibility,
    });
  }
  return rows;
}
