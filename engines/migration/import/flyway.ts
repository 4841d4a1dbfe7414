// Flyway: V<version>__<description>.sql (versioned) with optional U<version>__<description>.sql (undo).
import {
  compareVersions,
  type ImportedMigration,
  importError,
  migrationText,
  normaliseVersion,
  type SourceFile,
  safeFileName,
} from "./types.ts";

const VERSIONED = /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const UNDO = /^U(\d+(?:[._]\d+)*)__(.+)\.sql$/;

export function looksLikeFlyway(files: SourceFile[]): boolean {
  return files.some((f) => VERSIONED.test(base(f.name)));
}

export function readFlyway(files: SourceFile[]): ImportedMigration[] {
  const undo = new Map<string, SourceFile>();
  for (const f of files) {
    const m = UNDO.exec(base(f.name));
    if (m?.[1]) undo.set(normaliseVersion(m[1]), f);
  }
  const seen = new Map<string, string>();
  const out: (ImportedMigration & { version: string })[] = [];
  for (const f of files) {
    const name = base(f.name);
    const m = VERSIONED.exec(name);
    if (!m?.[1]) continue;
    const version = normaliseVersion(m[1]);
    const dup = seen.get(version);
    if (dup !== undefined) throw importError(f.name, `Flyway version ${version} is also used by ${dup}`);
    seen.set(version, f.name);
    const u = undo.get(version);
    undo.delete(version);
    out.push({
      fileName: safeFileName(name),
      content: migrationText(f.content, u?.content ?? null),
      source: u ? `${f.name} + ${u.name}` : f.name,
      key: version,
      version,
    });
  }
  for (const [version, u] of undo) throw importError(u.name, `undo script without a V${version}__ migration`);
  out.sort((a, b) => compareVersions(a.version, b.version));
  return out.map(({ version: _v, ...m }) => m);
}

function base(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}
