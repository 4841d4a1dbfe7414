// Rename hints as people type them ("users=customers", "users.email=users.mail",
// "app.users.email=app.users.mail") resolved against the snapshots into full paths.
import { MigratrixError } from "../../common/errors.ts";
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { RenameHint } from "./model.ts";

/** The schema holding table `name` in `s` (the only one with it), else the snapshot's default schema. */
function schemaOfTable(s: SchemaSnapshot, name: string): string | undefined {
  const found = s.tables.filter((t) => t.name === name).map((t) => t.schema);
  if (found.length === 1) return found[0];
  if (found.includes("public")) return "public";
  if (s.schemas.length === 1) return s.schemas[0]?.name;
  return found[0];
}

function resolvePath(path: string, s: SchemaSnapshot, side: string): string {
  const parts = path.split(".");
  if (parts.some((p) => p === "") || parts.length > 3) {
    throw new MigratrixError("invalid_argument", `--rename: '${path}' is not [schema.]table[.column]`);
  }
  if (parts.length === 3) return path;
  const [a = "", b] = parts;
  if (b === undefined) {
    const schema = schemaOfTable(s, a) ?? "public";
    return `${schema}.${a}`;
  }
  // "x.y": a table y in schema x when the snapshot has one, else column y of table x.
  if (s.tables.some((t) => t.schema === a && t.name === b) || s.schemas.some((sc) => sc.name === a)) return path;
  const schema = schemaOfTable(s, a);
  if (schema === undefined) throw new MigratrixError("invalid_argument", `--rename: the ${side} has no table '${a}'`);
  return `${schema}.${a}.${b}`;
}

/**
 * Parses "old=new[,old=new…]" where old names the target's object and new the source's. A column
 * hint's new side may give the column alone ("users.email=mail").
 */
export function parseRenames(text: string, source: SchemaSnapshot, target: SchemaSnapshot): RenameHint[] {
  return text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((pair) => {
      const [from, to, extra] = pair.split("=");
      if (!from || !to || extra !== undefined) {
        throw new MigratrixError("invalid_argument", `--rename: '${pair}' is not old=new`);
      }
      const fromPath = resolvePath(from, target, "target");
      const isColumn = fromPath.split(".").length === 3;
      if (isColumn && !to.includes(".")) {
        // The column keeps its table; the table may be renamed by another hint.
        const table = fromPath.split(".").slice(0, 2).join(".");
        return { from: fromPath, to: `${table}.${to}` };
      }
      return { from: fromPath, to: resolvePath(to, source, "source") };
    });
}
