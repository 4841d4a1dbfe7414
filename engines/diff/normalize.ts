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

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

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
