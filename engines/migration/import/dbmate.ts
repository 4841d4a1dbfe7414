// dbmate: <version>_<name>.sql holding "-- migrate:up" and "-- migrate:down" sections.
import { type ImportedMigration, importError, migrationText, type SourceFile, safeFileName } from "./types.ts";

const FILE = /^(\d+)_([^/]+)\.sql$/;
const UP = /^--\s*migrate:up\b.*$/m;
const DOWN = /^--\s*migrate:down\b.*$/m;

export function looksLikeDbmate(files: SourceFile[]): boolean {
  return files.some((f) => FILE.test(f.name) && UP.test(f.content));
}

export function readDbmate(files: SourceFile[]): ImportedMigration[] {
  const out: ImportedMigration[] = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const m = FILE.exec(f.name);
    if (!m?.[1]) continue;
    const up = UP.exec(f.content);
    if (!up) throw importError(f.name, 'no "-- migrate:up" line');
    const afterUp = up.index + up[0].length;
    const down = DOWN.exec(f.content);
    if (down && down.index < afterUp) throw importError(f.name, '"-- migrate:down" comes before "-- migrate:up"');
    const upSql = f.content.slice(afterUp, down ? down.index : undefined).replace(/^\n/, "");
    const downSql = down ? f.content.slice(down.index + down[0].length).replace(/^\n/, "") : null;
    out.push({
      fileName: safeFileName(f.name),
      content: migrationText(upSql, downSql !== null && downSql.trim() === "" ? null : downSql),
      source: f.name,
      key: m[1],
    });
  }
  return out;
}
