// Reads what SQLite's pragmas do not tell from the CREATE statements it keeps in sqlite_schema:
// column collations, generation expressions, AUTOINCREMENT, CHECK constraints and their names,
// table options (WITHOUT ROWID, STRICT), index key expressions and partial-index predicates.
// A small tokenizer is enough: SQLite stores the statement as the user wrote it, and it parsed.

export interface Token {
  kind: "word" | "ident" | "string" | "group" | "other";
  /** Words upper-cased, identifiers unquoted, groups without their parentheses. */
  value: string;
  /** The source text. */
  raw: string;
  /** Offset of the token in the source. */
  at: number;
}

function closing(src: string, i: number, close: string, doubled: boolean): number {
  let j = i + 1;
  while (j < src.length) {
    if (src[j] === close) {
      if (doubled && src[j + 1] === close) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return src.length;
}

/** Tokens of `src` at the top level; a parenthesised part is one "group" token. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] ?? "";
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && src[i + 1] === "-") {
      const nl = src.indexOf("\n", i);
      i = nl < 0 ? src.length : nl + 1;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === "'") {
      const end = closing(src, i, "'", true);
      out.push({
        kind: "string",
        value: src.slice(i + 1, end - 1).replaceAll("''", "'"),
        raw: src.slice(i, end),
        at: i,
      });
      i = end;
    } else if (c === '"' || c === "`") {
      const end = closing(src, i, c, true);
      out.push({ kind: "ident", value: src.slice(i + 1, end - 1).replaceAll(c + c, c), raw: src.slice(i, end), at: i });
      i = end;
    } else if (c === "[") {
      const end = closing(src, i, "]", false);
      out.push({ kind: "ident", value: src.slice(i + 1, end - 1), raw: src.slice(i, end), at: i });
      i = end;
    } else if (c === "(") {
      let depth = 0;
      let j = i;
      while (j < src.length) {
        const d = src[j];
        if (d === "'" || d === '"' || d === "`") j = closing(src, j, d, true);
        else if (d === "[") j = closing(src, j, "]", false);
        else {
          if (d === "(") depth++;
          else if (d === ")") depth--;
          j++;
          if (depth === 0) break;
        }
      }
      out.push({ kind: "group", value: src.slice(i + 1, j - 1), raw: src.slice(i, j), at: i });
      i = j;
    } else if (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) > 127) {
      let j = i;
      while (j < src.length && (/[A-Za-z0-9_$]/.test(src[j] ?? "") || (src[j] ?? "").charCodeAt(0) > 127)) j++;
      out.push({ kind: "word", value: src.slice(i, j).toUpperCase(), raw: src.slice(i, j), at: i });
      i = j;
    } else {
      out.push({ kind: "other", value: c, raw: c, at: i });
      i++;
    }
  }
  return out;
}

/** Splits a group's text at its top-level commas, each part trimmed. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === "`") i = closing(text, i, c, true) - 1;
    else if (c === "[") i = closing(text, i, "]", false) - 1;
    else if (c === "-" && text[i + 1] === "-") {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 1;
    } else if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "") parts.push(last);
  return parts;
}

export interface ParsedColumn {
  name: string;
  collation?: string;
  generated?: { expression: string; stored: boolean };
  autoIncrement?: true;
  checks: { name?: string; expression: string }[];
}

export interface ParsedTable {
  columns: ParsedColumn[];
  checks: { name?: string; expression: string }[];
  /** Names given to FOREIGN KEY constraints, keyed by their column list "a,b". */
  foreignKeyNames: Map<string, string>;
  withoutRowid: boolean;
  strict: boolean;
}

/** An identifier token's name: quoted ones unquoted, bare words as written (not upper-cased). */
const nameOf = (t: Token | undefined) => (t === undefined ? undefined : t.kind === "word" ? t.raw : t.value);

const TABLE_CONSTRAINT = new Set(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]);

function parseColumn(item: string): ParsedColumn {
  const t = tokenize(item);
  const col: ParsedColumn = { name: nameOf(t[0]) ?? "", checks: [] };
  let pendingName: string | undefined;
  for (let i = 1; i < t.length; i++) {
    const w = t[i]?.kind === "word" ? t[i]?.value : undefined;
    if (w === "CONSTRAINT") {
      pendingName = nameOf(t[i + 1]);
      i++;
    } else if (w === "COLLATE") {
      col.collation = nameOf(t[i + 1]);
      i++;
    } else if (w === "AUTOINCREMENT") {
      col.autoIncrement = true;
    } else if (w === "CHECK" && t[i + 1]?.kind === "group") {
      col.checks.push({ ...(pendingName ? { name: pendingName } : {}), expression: t[i + 1]?.value.trim() ?? "" });
      pendingName = undefined;
      i++;
    } else if (w === "AS" && t[i + 1]?.kind === "group") {
      const after = t[i + 2]?.kind === "word" ? t[i + 2]?.value : undefined;
      col.generated = { expression: t[i + 1]?.value.trim() ?? "", stored: after === "STORED" };
      i++;
    } else if (w === "DEFAULT" || w === "REFERENCES") {
      // Their operands may contain words (COLLATE inside a default expression is in a group anyway).
      i++;
    }
  }
  return col;
}

/** Parses a CREATE TABLE statement as stored in sqlite_schema. */
export function parseCreateTable(sql: string): ParsedTable {
  const t = tokenize(sql);
  const bodyAt = t.findIndex((k) => k.kind === "group");
  const body = t[bodyAt]?.value ?? "";
  const tail = t.slice(bodyAt + 1).map((k) => k.value);
  const parsed: ParsedTable = {
    columns: [],
    checks: [],
    foreignKeyNames: new Map(),
    withoutRowid: tail.includes("ROWID"),
    strict: tail.includes("STRICT"),
  };
  for (const item of splitTopLevel(body)) {
    const it = tokenize(item);
    const first = it[0];
    if (!(first?.kind === "word" && TABLE_CONSTRAINT.has(first.value))) {
      parsed.columns.push(parseColumn(item));
      continue;
    }
    const name = first.value === "CONSTRAINT" ? nameOf(it[1]) : undefined;
    const rest = name !== undefined ? it.slice(2) : it;
    const kind = rest[0]?.value;
    if (kind === "CHECK" && rest[1]?.kind === "group") {
      parsed.checks.push({ ...(name ? { name } : {}), expression: rest[1].value.trim() });
    } else if (kind === "FOREIGN" && name && rest[2]?.kind === "group") {
      const cols = splitTopLevel(rest[2].value).map((c) => nameOf(tokenize(c)[0]) ?? c);
      parsed.foreignKeyNames.set(cols.join(","), name);
    }
  }
  return parsed;
}

/** Key expressions (as written) and the WHERE predicate of a CREATE INDEX statement. */
export function parseCreateIndex(sql: string): { keys: string[]; where?: string } {
  const t = tokenize(sql);
  const on = t.findIndex((k) => k.kind === "word" && k.value === "ON");
  const group = t.findIndex((k, i) => i > on && k.kind === "group");
  const keys = splitTopLevel(t[group]?.value ?? "").map((k) =>
    k.replace(/\s+(ASC|DESC)$/i, "").replace(/\s+COLLATE\s+\S+$/i, ""),
  );
  const where = t.find((k, i) => i > group && k.kind === "word" && k.value === "WHERE");
  return where ? { keys, where: sql.slice(where.at + where.raw.length).trim() } : { keys };
}
