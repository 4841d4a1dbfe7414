// golang-migrate: <version>_<title>.up.sql / <version>_<title>.down.sql pairs.
import { type ImportedMigration, importError, migrationText, type SourceFile, safeFileName } from "./types.ts";

const FILE = /^(\d+)_(.+)\.(up|down)\.sql$/;

export function looksLikeGolangMigrate(files: SourceFile[]): boolean {
  return files.some((f) => FILE.test(f.name));
}

export function readGolangMigrate(files: SourceFile[]): ImportedMigration[] {
  const byVersion = new Map<string, { title: string; up?: SourceFile; down?: SourceFile }>();
  for (const f of files) {
    const m = FILE.exec(f.name);
    if (!m?.[1] || !m[2]) continue;
    const version = BigInt(m[1]).toString();
    const entry = byVersion.get(version) ?? { title: m[2] };
    const half = m[3] === "up" ? "up" : "down";
    const other = entry[half];
    if (other) throw importError(f.name, `version ${version} already has a .${half}.sql file: ${other.name}`);
    entry[half] = f;
    byVersion.set(version, entry);
  }
  const versions = [...byVersion.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
  // Zero-padded ids keep Migratrix's name order equal to golang-migrate's numeric order.
  const width = Math.max(3, ...versions.map((v) => v.length));
  return versions.map((version) => {
    const e = byVersion.get(version) ?? { title: "" };
    if (!e.up)
      throw importError(e.down?.name ?? version, `version ${version} has a .down.sql file but no .up.sql file`);
    return {
      fileName: safeFileName(`${version.padStart(width, "0")}_${e.title}.sql`),
      content: migrationText(e.up.content, e.down?.content ?? null),
      source: e.down ? `${e.up.name} + ${e.down.name}` : e.up.name,
      key: version,
    };
  });
}
