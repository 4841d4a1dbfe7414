// Atlas migration directories: <version>_<name>.sql files in name order, guarded by atlas.sum.
// atlas.sum (Atlas sql/migrate/dir.go, HashFile): one SHA-256 runs over every file in order, fed
// the file's name then its bytes; each file's line carries base64(digest so far) as "h1:…". The
// first line is "h1:" + base64(SHA-256 over every (name, "h1" value) pair, concatenated).
import { createHash } from "node:crypto";
import { type ImportedMigration, importError, migrationText, type SourceFile, safeFileName } from "./types.ts";

export const ATLAS_SUM = "atlas.sum";
const FILE = /^(\d+)_?([^/]*)\.sql$/;

export function looksLikeAtlas(files: SourceFile[]): boolean {
  return files.some((f) => f.name === ATLAS_SUM);
}

export interface AtlasSumLine {
  name: string;
  hash: string;
}

/** The atlas.sum text Atlas writes for these files (its name order, .sql files only). */
export function atlasSum(files: SourceFile[]): string {
  const lines = computeLines(sqlFiles(files));
  return `h1:${total(lines)}\n${lines.map((l) => `${l.name} h1:${l.hash}\n`).join("")}`;
}

export function readAtlas(files: SourceFile[]): ImportedMigration[] {
  const sumFile = files.find((f) => f.name === ATLAS_SUM);
  const sql = sqlFiles(files);
  if (!sumFile) throw importError(ATLAS_SUM, "missing: an Atlas directory needs its atlas.sum");
  verify(sumFile.content, sql);
  return sql.map((f) => {
    const m = FILE.exec(f.name);
    if (!m?.[1]) throw importError(f.name, "an Atlas file name must start with its version: 20240101000000_x.sql");
    // Atlas allows a version without a description ("1.sql"); Migratrix ids need one.
    const fileName = m[2] ? safeFileName(f.name) : `${m[1]}_migration.sql`;
    return { fileName, content: migrationText(f.content, null), source: f.name, key: m[1] };
  });
}

function sqlFiles(files: SourceFile[]): SourceFile[] {
  return files
    .filter((f) => f.name.endsWith(".sql") && !f.name.includes("/"))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function computeLines(files: SourceFile[]): AtlasSumLine[] {
  const h = createHash("sha256");
  return files.map((f) => {
    h.update(f.name);
    h.update(f.content);
    return { name: f.name, hash: h.copy().digest("base64") };
  });
}

function total(lines: AtlasSumLine[]): string {
  const h = createHash("sha256");
  for (const l of lines) {
    h.update(l.name);
    h.update(l.hash);
  }
  return h.digest("base64");
}

function verify(text: string, files: SourceFile[]): void {
  const rows = text.split("\n").filter((l) => l !== "");
  const sum = (rows[0] ?? "").replace(/^h1:/, "");
  const listed: AtlasSumLine[] = rows.slice(1).map((row, i) => {
    const at = row.indexOf("h1:");
    if (at < 0) throw importError(`${ATLAS_SUM}:${i + 2}`, 'a line must be "<file> h1:<hash>"');
    return { name: row.slice(0, at).trim(), hash: row.slice(at + 3) };
  });
  if (total(listed) !== sum) throw importError(ATLAS_SUM, "its own h1 sum does not match its lines (edited by hand?)");
  const actual = computeLines(files);
  for (let i = 0; i < Math.max(actual.length, listed.length); i++) {
    const a = actual[i];
    const l = listed[i];
    if (a === undefined)
      throw importError(l?.name ?? ATLAS_SUM, `listed in ${ATLAS_SUM} but missing from the directory`);
    if (l === undefined || l.name !== a.name) {
      throw importError(a.name, `not in ${ATLAS_SUM} at this position; run 'atlas migrate hash' after checking it`);
    }
    if (l.hash !== a.hash) throw importError(a.name, `checksum mismatch with ${ATLAS_SUM} (edited after hashing?)`);
  }
}
