// What every importer produces: one Migratrix migration per migration of the source tool, in the
// tool's order, with the key the tool's history table records it under.
import { MigratrixError } from "../../../common/errors.ts";

export const IMPORT_FORMATS = ["flyway", "dbmate", "golang-migrate", "liquibase-sql", "atlas"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One file of the source directory: its name relative to the directory, and its text. */
export interface SourceFile {
  name: string;
  content: string;
}

export interface ImportedMigration {
  /** A valid Migratrix file name (engines/migration/filename.ts), e.g. "V1__init.sql". */
  fileName: string;
  /** Migratrix file text: "-- UP" section, and "-- DOWN" when the tool had a down script. */
  content: string;
  /** Source file(s) it came from, for messages. */
  source: string;
  /** What the tool's history table records: a version ("1.1", "20240101000000") or "author:id". */
  key: string;
}

export function importError(where: string, why: string): MigratrixError {
  return new MigratrixError("invalid_argument", `${where}: ${why}`, { file: where });
}

/** The Migratrix file text; sections keep the tool's SQL exactly, trailing blank lines aside. */
export function migrationText(up: string, down: string | null): string {
  const trim = (s: string) => s.replace(/\s+$/, "");
  const head = `-- UP\n${trim(up)}\n`;
  return down === null ? head : `${head}-- DOWN\n${trim(down)}\n`;
}

/** Numeric-aware comparison of dotted versions ("1.10" after "1.9"). */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0n;
    const y = pb[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function versionParts(v: string): bigint[] {
  const parts = v.split(/[._]/).map((p) => BigInt(p));
  while (parts.length > 1 && parts[parts.length - 1] === 0n) parts.pop();
  return parts;
}

/** "1_01.2" → "1.1.2": the form versions are compared and matched in. */
export function normaliseVersion(v: string): string {
  return versionParts(v).join(".");
}

/** The tool's file name with characters Migratrix ids refuse (spaces, quotes…) made "_". */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** A file-name-safe description: "Add users!" → "add_users". */
export function slug(text: string): string {
  const s = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return s === "" ? "migration" : s.slice(0, 120);
}
