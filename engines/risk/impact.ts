// Application impact (--app-dir): for findings that drop, rename or change a table or column, the
// files and lines of the application that name it. A whole-word, case-insensitive text search: it
// over-reports (a word in a comment) rather than misses a use hidden behind an ORM's naming.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import type { AppReference, Finding } from "./model.ts";

const SOURCE =
  /\.(?:[cm]?[jt]sx?|py|rb|go|java|kt|kts|scala|cs|php|ex|exs|rs|swift|sql|erb|vue|svelte|graphql|ya?ml)$/i;
const SKIP = new Set(["node_modules", ".git", "dist", "build", "vendor", "target", ".migratrix", "coverage"]);
const MAX_FILE_BYTES = 1 << 20;
const MAX_FILES = 20_000;
/** Per finding: enough to act on, short enough to read. */
const MAX_REFERENCES = 20;

function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length > 0 && out.length < MAX_FILES) {
    const dir = stack.pop() ?? "";
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!SKIP.has(entry.name) && !entry.name.startsWith(".")) stack.push(join(dir, entry.name));
      } else if (entry.isFile() && SOURCE.test(entry.name)) {
        out.push(join(dir, entry.name));
      }
    }
  }
  return out.sort();
}

function escapeRegExp(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Fills `impact` on every finding that has subjects: one pass over the files for all names. */
export function attachImpact(appDir: string, subjects: Map<Finding, string[]>): void {
  let isDir = false;
  try {
    isDir = statSync(appDir).isDirectory();
  } catch (err) {
    throw new MigratrixError("invalid_argument", `--app-dir ${appDir}: ${(err as Error).message}`);
  }
  if (!isDir) throw new MigratrixError("invalid_argument", `--app-dir ${appDir} is not a directory`);
  const names = new Set([...subjects.values()].flat().filter((n) => n.length >= 2));
  for (const f of subjects.keys()) f.impact = [];
  if (names.size === 0) return;
  const pattern = new RegExp(`(?<![A-Za-z0-9_])(${[...names].map(escapeRegExp).join("|")})(?![A-Za-z0-9_])`, "gi");
  const hits = new Map<string, AppReference[]>();
  for (const file of sourceFiles(appDir)) {
    if (statSync(file).size > MAX_FILE_BYTES) continue;
    const lines = readFileSync(file, "utf8").split(/\r?\n/);
    lines.forEach((text, i) => {
      for (const m of text.matchAll(pattern)) {
        const key = (m[1] ?? "").toLowerCase();
        const list = hits.get(key) ?? [];
        if (list.at(-1)?.line !== i + 1 || list.at(-1)?.file !== relative(appDir, file)) {
          list.push({ file: relative(appDir, file), line: i + 1, text: text.trim().slice(0, 200) });
        }
        hits.set(key, list);
      }
    });
  }
  for (const [finding, subject] of subjects) {
    const refs = subject.flatMap((n) => hits.get(n.toLowerCase()) ?? []);
    finding.impact = refs.slice(0, MAX_REFERENCES);
  }
}
