// What the noise filters compare instead of the raw text: bodies without comments and runs of
// whitespace, index and constraint definitions without their names, sequences without START.

/**
 * Drops comments and collapses whitespace outside string literals and quoted identifiers. Text
 * inside dollar-quoted bodies is code and is normalised too.
 */
export function normalizeBody(text: string): string {
  let out = "";
  let space = false;
  const push = (s: string) => {
    if (space && out !== "") out += " ";
    space = false;
    out += s;
  };
  for (let i = 0; i < text.length; ) {
    const c = text[i] ?? "";
    const next = text[i + 1] ?? "";
    if (c === "-" && next === "-") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
      space = true;
    } else if (c === "/" && next === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
      space = true;
    } else if (c === "'" || c === '"' || c === "`") {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === c) {
          if (text[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      push(text.slice(i, j + 1));
      i = j + 1;
    } else if (/\s/.test(c)) {
      space = true;
      i++;
    } else {
      push(c);
      i++;
    }
  }
  return out;
}

export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** An index definition with its own name taken out, so two names for one index compare equal. */
export function anonymousIndexDef(definition: string, name: string, quote: (n: string) => string): string {
  const names = [escapeRe(quote(name)), escapeRe(name)].join("|");
  return definition.replace(new RegExp(`^(CREATE (?:UNIQUE )?INDEX )(?:${names}) ON `, "i"), "$1_ ON ");
}

/** A sequence definition without START WITH: the counter's position is not the schema. */
export function withoutStart(definition: string): string {
  return definition.replace(/\s+START(?: WITH)? -?\d+/i, "");
}

/** "*" any run of characters, "?" one character; the rest literal. */
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : escapeRe(ch))).join("");
  return new RegExp(`^${body}$`);
}

/** Each quoted identifier ("x", `x`, and SQLite's [x] with `brackets`) in `text` handed to `f`; string literals are left alone. */
export function mapIdentifiers(text: string, f: (name: string) => string, opts: { brackets?: boolean } = {}): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i] ?? "";
    const close = c === "[" ? "]" : c;
    if (c === "'" || c === '"' || c === "`" || (c === "[" && opts.brackets)) {
      let j = i + 1;
      while (j < text.length) {
        if (text[j] === close) {
          if (close !== "]" && text[j + 1] === close) j += 2;
          else break;
        } else j++;
      }
      const inner = text.slice(i + 1, j);
      out += c === "'" ? text.slice(i, j + 1) : f(close === "]" ? inner : inner.replaceAll(close + close, close));
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** "x = ANY (ARRAY['a', 'b'])" (how PostgreSQL prints IN lists) → "x IN ('a', 'b')". */
export function anyArrayToIn(text: string): string {
  return text.replace(/=\s*ANY\s*\(\s*\(?\s*ARRAY\s*\[([^\]]*)\]\s*\)?\s*\)/gi, "IN ($1)");
}

/**
 * An expression (check, generated column, index key, view body) in a form two engines' prints of
 * the same text share: no identifier quotes, casts, parentheses or table qualifiers, IN for
 * = ANY (ARRAY[…]), "x AS x" aliases dropped, keywords in lower case, one space. Lossy on purpose
 * (parentheses do not count): it decides "same" only across engines, where each prints its own way.
 */
export function comparableExpression(text: string, stripCasts: (s: string) => string): string {
  // MySQL prints count(*) as count(0).
  let s = anyArrayToIn(stripCasts(mapIdentifiers(normalizeBody(text), (n) => n))).replace(
    /\bcount\s*\(\s*\*\s*\)/gi,
    "count(0)",
  );
  s = s.replace(/'(?:[^']|'')*'|[^']+/g, (part) =>
    part.startsWith("'")
      ? part
      : part
          .toLowerCase()
          .replace(/[()[\]]/g, " ")
          .replace(/\b[a-z_][a-z0-9_$]*\s*\.\s*(?=[a-z_])/g, "")
          .replace(/!=/g, "<>"),
  );
  s = s
    .replace(/\s+/g, " ")
    .replace(/\s*([,=<>+*/-])\s*/g, "$1")
    .replace(/([<>])\s+([=>])/g, "$1$2")
    .replace(/\b([a-z_][a-z0-9_$]*) as \1\b/g, "$1")
    .replace(/;$/, "")
    .trim();
  return s;
}

const VIEW_HEAD =
  /^\s*CREATE\s[\s\S]*?\bVIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:"(?:[^"]|"")+"|`[^`]+`|\[[^\]]+\]|[^\s(.]+)(?:\s*\.\s*(?:"(?:[^"]|"")+"|`[^`]+`|[^\s(]+))?\s*(\([^)]*\))?\s*AS\s+/i;

/** A view definition's SELECT, without CREATE … VIEW name AS (and its column list, returned apart). */
export function viewBody(definition: string): { columns?: string; body: string } {
  const m = VIEW_HEAD.exec(definition);
  if (!m) return { body: definition };
  return { ...(m[1] ? { columns: m[1] } : {}), body: definition.slice(m[0].length).replace(/;\s*$/, "") };
}
