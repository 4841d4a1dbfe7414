// Liquibase formatted SQL: "--liquibase formatted sql", then "--changeset author:id" blocks whose
// "--rollback" lines (or a "/* liquibase rollback */" block) make the down section. Each changeset
// is one migration, numbered in file-name order then file order.
import { type ImportedMigration, importError, migrationText, type SourceFile, slug } from "./types.ts";

const HEADER = /^\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^--\s*changeset\s+(?:"([^"]+)"|([^:\s]+)):(?:"([^"]+)"|(\S+))/i;
const ROLLBACK = /^--\s*rollback\b ?(.*)$/i;
const ROLLBACK_BLOCK = /^\/\*\s*liquibase\s+rollback\s*$/i;
// Liquibase attributes of a changeset, not SQL: dropped from the up section.
const ATTRIBUTE = /^--\s*(comment|preconditions|precondition-|validCheckSum|ignoreLines|labels|context)\b/i;

export function looksLikeLiquibase(files: SourceFile[]): boolean {
  return files.some((f) => f.name.endsWith(".sql") && HEADER.test(f.content));
}

interface Changeset {
  author: string;
  id: string;
  line: number;
  up: string[];
  down: string[];
}

export function readLiquibase(files: SourceFile[]): ImportedMigration[] {
  const sorted = files
    .filter((f) => f.name.endsWith(".sql") && HEADER.test(f.content))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const all: { file: string; cs: Changeset }[] = [];
  for (const f of sorted) for (const cs of changesets(f)) all.push({ file: f.name, cs });
  const width = Math.max(3, String(all.length).length);
  const seen = new Map<string, string>();
  return all.map(({ file, cs }, i) => {
    const key = `${cs.author}:${cs.id}`;
    const where = `${file}:${cs.line}`;
    const dup = seen.get(key);
    if (dup !== undefined) throw importError(where, `changeset ${key} is also defined at ${dup}`);
    seen.set(key, where);
    if (cs.up.join("").trim() === "") throw importError(where, `changeset ${key} has no SQL`);
    const notRequired = cs.down.length === 1 && /^\s*(not required|empty)\s*$/i.test(cs.down[0] ?? "");
    const down = cs.down.length === 0 || notRequired ? null : cs.down.join("\n");
    return {
      fileName: `${String(i + 1).padStart(width, "0")}_${slug(cs.id)}.sql`,
      content: migrationText(cs.up.join("\n"), down),
      source: where,
      key,
    };
  });
}

function changesets(f: SourceFile): Changeset[] {
  const out: Changeset[] = [];
  let cur: Changeset | null = null;
  let inRollbackBlock = false;
  const lines = f.content.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const trimmed = line.trim();
    if (inRollbackBlock) {
      if (trimmed === "*/") inRollbackBlock = false;
      else cur?.down.push(line);
      continue;
    }
    const cs = CHANGESET.exec(trimmed);
    if (cs) {
      cur = { author: cs[1] ?? cs[2] ?? "", id: cs[3] ?? cs[4] ?? "", line: i + 1, up: [], down: [] };
      out.push(cur);
      continue;
    }
    if (cur === null) {
      if (trimmed !== "" && !trimmed.startsWith("--")) {
        throw importError(`${f.name}:${i + 1}`, "SQL before the first --changeset line");
      }
      continue;
    }
    const rb = ROLLBACK.exec(trimmed);
    if (rb) {
      cur.down.push(rb[1] ?? "");
      continue;
    }
    if (ROLLBACK_BLOCK.test(trimmed)) {
      inRollbackBlock = true;
      continue;
    }
    if (ATTRIBUTE.test(trimmed)) continue;
    cur.up.push(line);
  }
  if (inRollbackBlock) throw importError(f.name, "a /* liquibase rollback block is not closed");
  return out;
}
