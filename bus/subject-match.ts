// NATS subject rules for the in-process bus: token wildcards ("*" one token, ">" the rest), so a
// subject or filter that works in memory behaves the same on a real server.

const VALID_TOKEN = /^[^\s.*>]+$/;

/** True when `subject` (no wildcards) is matched by `pattern` (wildcards allowed). */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === ">") return s.length > i;
    if (i >= s.length) return false;
    if (token !== "*" && token !== s[i]) return false;
  }
  return p.length === s.length;
}

/** True when some subject could match both patterns (used to refuse overlapping streams). */
export function subjectsOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const tx = x[i];
    const ty = y[i];
    if (tx === ">" || ty === ">") return tx !== undefined && ty !== undefined;
    if (tx === undefined || ty === undefined) return false;
    if (tx !== "*" && ty !== "*" && tx !== ty) return false;
  }
  return true;
}

/** Null when valid, else why not. Wildcards only as whole tokens, ">" only last. */
export function subjectProblem(subject: string, opts: { wildcards: boolean }): string | null {
  if (subject.length === 0) return "is empty";
  const tokens = subject.split(".");
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    if (token === "*" || token === ">") {
      if (!opts.wildcards) return "contains a wildcard";
      if (token === ">" && i !== tokens.length - 1) return 'has ">" before its last token';
      continue;
    }
    if (!VALID_TOKEN.test(token)) return `has an invalid token "${token}" at position ${i + 1}`;
  }
  return null;
}
