// mx import: read a Flyway, dbmate, golang-migrate, Liquibase formatted-SQL or Atlas directory into
// Migratrix migrations, and mark the ones the tool already applied (history.ts).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { MigratrixError } from "../../../common/errors.ts";
import { parseMigrationFile } from "../parse.ts";
import { looksLikeAtlas, readAtlas } from "./atlas.ts";
import { looksLikeDbmate, readDbmate } from "./dbmate.ts";
import { looksLikeFlyway, readFlyway } from "./flyway.ts";
import { looksLikeGolangMigrate, readGolangMigrate } from "./golang-migrate.ts";
import { looksLikeLiquibase, readLiquibase } from "./liquibase.ts";
import { IMPORT_FORMATS, type ImportedMigration, type ImportFormat, type SourceFile } from "./types.ts";

export { atlasSum } from "./atlas.ts";
export {
  type AppliedMark,
  type HistoryEntry,
  historyEntry,
  markApplied,
  readToolHistory,
  type ToolHistory,
} from "./history.ts";
export { IMPORT_FORMATS, type ImportedMigration, type ImportFormat, type SourceFile } from "./types.ts";

const READERS: Record<ImportFormat, (files: SourceFile[]) => ImportedMigration[]> = {
  flyway: readFlyway,
  dbmate: readDbmate,
  "golang-migrate": readGolangMigrate,
  "liquibase-sql": readLiquibase,
  atlas: readAtlas,
};

// Most specific first: an atlas.sum or a Liquibase header decides; golang-migrate's .up.sql names
// before dbmate's markers; Flyway's V1__ names last.
const DETECTORS: ReadonlyArray<[ImportFormat, (files: SourceFile[]) => boolean]> = [
  ["atlas", looksLikeAtlas],
  ["liquibase-sql", looksLikeLiquibase],
  ["golang-migrate", looksLikeGolangMigrate],
  ["dbmate", looksLikeDbmate],
  ["flyway", looksLikeFlyway],
];

export function isImportFormat(s: string): s is ImportFormat {
  return (IMPORT_FORMATS as readonly string[]).includes(s);
}

export function detectFormat(files: SourceFile[]): ImportFormat | null {
  return DETECTORS.find(([, looks]) => looks(files))?.[0] ?? null;
}

/**
 * The migrations in `files` as Migratrix files, in the tool's order; each is checked to parse as a
 * Migratrix migration, and ids must be unique.
 */
export function importMigrations(files: SourceFile[], format: ImportFormat): ImportedMigration[] {
  const out = READERS[format](files);
  const ids = new Map<string, string>();
  for (const m of out) {
    let id: string;
    try {
      id = parseMigrationFile(m.content, { fileName: m.fileName }).id;
    } catch (err) {
      throw new MigratrixError("invalid_argument", `${m.source}: ${MigratrixError.from(err).message}`, {
        file: m.source,
      });
    }
    const dup = ids.get(id);
    if (dup !== undefined) {
      throw new MigratrixError("invalid_argument", `${m.source} and ${dup} both become migration ${id}`);
    }
    ids.set(id, m.source);
  }
  return out;
}

/** The files of a migration directory (top level; Flyway and Liquibase subfolders one level down). */
export function readSourceDir(dir: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (rel: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(join(dir, rel)).sort();
    } catch (err) {
      const code = err instanceof Error ? Reflect.get(err, "code") : undefined;
      throw new MigratrixError(
        "invalid_argument",
        `cannot read migration directory ${join(dir, rel)}: ${code === "ENOENT" ? "no such directory" : String(code ?? err)}`,
      );
    }
    for (const name of names) {
      const relName = rel === "" ? name : `${rel}/${name}`;
      const path = join(dir, relName);
      if (statSync(path).isDirectory()) {
        if (depth < 1) walk(relName, depth + 1);
        continue;
      }
      if (name.endsWith(".sql") || name === "atlas.sum")
        files.push({ name: relName, content: readFileSync(path, "utf8") });
    }
  };
  walk("", 0);
  return files;
}
