// Column masking inside the agent (DESIGN.md: unmasked protected columns never leave it). Pure
// functions: which rule masks a result column, how a value is masked, and the leak rule that
// refuses a query reading a masked column anywhere but as a plain, traced result column.
import { createHmac } from "node:crypto";
import { MigratrixError } from "../common/errors.ts";

export type MaskKind = "full" | "partial" | "hash" | "null";

export interface MaskRule {
  /** "table.column" or "schema.table.column" with `*` globs; a bare "column" means "*.column". */
  pattern: string;
  kind: MaskKind;
  keepLast: number;
}

/** Where a result column was read from; undefined parts are unknown. */
export interface ColumnSource {
  schema?: string;
  table?: string;
  column: string;
}

export interface OutputColumn {
  name: string;
  type: string;
  /** Known only when the driver traced the column to a table column (not an expression). */
  source?: ColumnSource;
}

const MASK_KINDS: readonly MaskKind[] = ["full", "partial", "hash", "null"];

export function isMaskKind(text: string): text is MaskKind {
  return (MASK_KINDS as readonly string[]).includes(text);
}

function globRegex(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "i");
}

interface CompiledRule {
  rule: MaskRule;
  schema?: RegExp;
  table: RegExp;
  column: RegExp;
}

export function compileRules(rules: readonly MaskRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const parts = rule.pattern.split(".");
    if (parts.length > 3 || parts.some((p) => p === "")) {
      throw new MigratrixError("invalid_argument", `mask pattern "${rule.pattern}" must be [schema.]table.column`);
    }
    const column = parts.at(-1) ?? "*";
    const table = parts.length >= 2 ? (parts.at(-2) ?? "*") : "*";
    const schema = parts.length === 3 ? parts[0] : undefined;
    return {
      rule,
      ...(schema !== undefined ? { schema: globRegex(schema) } : {}),
      table: globRegex(table),
      column: globRegex(column),
    };
  });
}

/**
 * The rule masking a column of this source, or undefined. An unknown table or schema counts as
 * matching (the safe side): SQLite reports no source table, so its columns match by name only.
 */
export function ruleFor(rules: readonly CompiledRule[], src: ColumnSource): MaskRule | undefined {
  for (const r of rules) {
    if (!r.column.test(src.column)) continue;
    if (src.table !== undefined && !r.table.test(src.table)) continue;
    if (r.schema && src.schema !== undefined && !r.schema.test(src.schema)) continue;
    return r.rule;
  }
  return undefined;
}

/** True when some rule's column glob matches this name (whatever the table). */
export function isMaskedName(rules: readonly CompiledRule[], name: string): boolean {
  return rules.some((r) => r.column.test(name));
}

/** Masks one text value; null stays null. Hash is HMAC-SHA256 under the workspace key: stable. */
export function maskValue(rule: MaskRule, value: string | null, key: Uint8Array): string | null {
  if (value === null || rule.kind === "null") return null;
  switch (rule.kind) {
    case "full":
      return "***";
    case "partial": {
      // A fixed prefix: the masked value does not tell the original length.
      const chars = [...value];
      return chars.length > rule.keepLast && rule.keepLast > 0 ? `***${chars.slice(-rule.keepLast).join("")}` : "***";
    }
    case "hash":
      return createHmac("sha256", key).update(value, "utf8").digest("hex").slice(0, 16);
  }
}

/** Identifier tokens of SQL text (quoted identifiers unquoted), skipping string literals and comments. */
export function identifierTokens(sql: string): string[] {
  const out: string[] = [];
  const re =
    /'(?:[^']|'')*'|\$([A-Za-z_]*)\$[\s\S]*?\$\1\$|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|"((?:[^"]|"")*)"|`((?:[^`]|``)*)`|\[([^\]]*)\]|([A-Za-z_][A-Za-z0-9_$]*)/g;
  for (const m of sql.matchAll(re)) {
    const ident = m[2]?.replaceAll('""', '"') ?? m[3]?.replaceAll("``", "`") ?? m[4] ?? m[5];
    if (ident !== undefined) out.push(ident);
  }
  return out;
}

export interface LeakCheck {
  /** The statement plus the definitions of the views it names (a view can rename a column). */
  texts: readonly string[];
  columns: readonly OutputColumn[];
  /** Per result column, the rule that masks it (undefined = shown as is). */
  masks: readonly (MaskRule | undefined)[];
  /** Tables named by the statement (or its views) that hold a masked column. */
  tablesWithMaskedColumns: readonly string[];
  /** User-defined functions the statement (or its views) calls. */
  userFunctions: readonly string[];
  /** The driver can trace plain columns to their table (PostgreSQL, MariaDB); SQLite cannot. */
  traces: boolean;
}

/**
 * The safe rule: a masked column may only be read as a plain result column, which is then masked.
 * Refused (permission_denied, with the reason) when
 *  - the text (or a named view's definition) mentions a masked column name more often than masked
 *    result columns carry it: an expression (`lower(email)`), a filter, a join, an order or a
 *    renaming view reads it, and any of those could reveal it;
 *  - on engines that trace columns, a result column is an expression and the statement reads a
 *    table holding a masked column, or calls a user-defined function (which may read one): the
 *    expression may derive from it (`row_to_json(u)`, `u.*::text`, `get_email(1)`).
 */
export function checkLeaks(rules: readonly CompiledRule[], c: LeakCheck): void {
  const mentions = new Map<string, number>();
  for (const text of c.texts) {
    for (const token of identifierTokens(text)) {
      if (!isMaskedName(rules, token)) continue;
      const key = token.toLowerCase();
      mentions.set(key, (mentions.get(key) ?? 0) + 1);
    }
  }
  const covered = new Map<string, number>();
  for (const [i, col] of c.columns.entries()) {
    if (!c.masks[i]) continue;
    const key = (col.source?.column ?? col.name).toLowerCase();
    covered.set(key, (covered.get(key) ?? 0) + 1);
  }
  for (const [name, count] of mentions) {
    if (count > (covered.get(name) ?? 0)) {
      throw new MigratrixError(
        "permission_denied",
        `the query reads masked column "${name}" other than as a plain result column (an expression, filter, join, ordering, alias through a view or a second copy); masked columns may only be selected as they are`,
      );
    }
  }
  if (!c.traces) return;
  const untraced = c.columns.filter((col) => !col.source).map((col) => col.name);
  if (untraced.length > 0 && c.userFunctions.length > 0) {
    throw new MigratrixError(
      "permission_denied",
      `result column "${untraced[0]}" is an expression and the query calls user-defined function ${c.userFunctions.join(", ")}, which may read masked columns; select plain columns only`,
    );
  }
  if (c.tablesWithMaskedColumns.length === 0) return;
  if (untraced.length > 0) {
    throw new MigratrixError(
      "permission_denied",
      `result column "${untraced[0]}" is an expression whose source cannot be traced, and the query reads table ${c.tablesWithMaskedColumns.join(", ")} holding masked columns; select plain columns only`,
    );
  }
}
