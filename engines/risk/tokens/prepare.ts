// Token edits for the engines whose statements the shared reader (read.ts) reads after a dialect's
// own clauses are taken out or spelled the way the reader knows (SQL Server, Oracle, ClickHouse).
// Every edit keeps file offsets: an inserted word sits at the offset of the text it stands for.
import type { DialectNotes } from "./context.ts";
import type { Tok } from "./lex.ts";
import type { Stmt } from "./model.ts";

/** What an engine's preparation hands to the reader: the tokens to read, or a statement it read itself. */
export interface Prepared {
  toks: Tok[];
  notes: DialectNotes;
  stmt?: Stmt;
}

/** A word standing in for text at `at` (a keyword the reader expects, in the engine's spelling). */
export function synth(text: string, at: number): Tok {
  return { kind: "word", text, upper: text.toUpperCase(), start: at, end: at };
}

/** Index just past a (possibly qualified) name starting at `at`: ALTER TABLE db.t … → the first action. */
export function afterName(toks: readonly Tok[], at: number): number {
  let i = at;
  while (toks[i + 1]?.upper === "." && i + 2 < toks.length) i += 2;
  return i + 1;
}

/** Index just past the ")" matching the "(" at `i` (the end when it never closes). */
export function parenEnd(toks: readonly Tok[], i: number): number {
  let depth = 0;
  for (let k = i; k < toks.length; k++) {
    const u = toks[k]?.upper;
    if (u === "(") depth++;
    else if (u === ")" && --depth === 0) return k + 1;
  }
  return toks.length;
}

/** [from, to) index ranges of the depth-0 comma-separated groups of toks[from, to). */
export function groups(toks: readonly Tok[], from: number, to = toks.length): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let depth = 0;
  let start = from;
  for (let k = from; k < to; k++) {
    const u = toks[k]?.upper;
    if (u === "(") depth++;
    else if (u === ")") depth = Math.max(0, depth - 1);
    else if (u === "," && depth === 0) {
      if (k > start) out.push([start, k]);
      start = k + 1;
    }
  }
  if (to > start) out.push([start, to]);
  return out;
}

/** Index of the first depth-0 token at or after `from` for which `is` holds; -1 when none. */
export function findTop(toks: readonly Tok[], from: number, is: (t: Tok) => boolean): number {
  let depth = 0;
  for (let k = from; k < toks.length; k++) {
    const t = toks[k] as Tok;
    if (depth === 0 && is(t)) return k;
    if (t.upper === "(") depth++;
    else if (t.upper === ")") depth = Math.max(0, depth - 1);
  }
  return -1;
}

/** Words of `toks` in order, upper-cased, joined by spaces: for prefix tests ("ALTER TABLE"). */
export function head(toks: readonly Tok[], n: number): string {
  return toks
    .slice(0, n)
    .map((t) => t.upper || t.text.toUpperCase())
    .join(" ");
}

/** Rebuilds toks[from, to) group by group: `edit` returns each group's replacement tokens. */
export function editGroups(
  toks: readonly Tok[],
  from: number,
  to: number,
  edit: (group: Tok[], index: number) => Tok[],
): Tok[] {
  const out: Tok[] = [];
  groups(toks, from, to).forEach(([a, b], i) => {
    const replaced = edit(toks.slice(a, b), i);
    if (replaced.length === 0) return;
    if (out.length > 0) out.push({ ...(toks[a - 1] as Tok) });
    out.push(...replaced);
  });
  return out;
}

/**
 * ALTER TABLE actions where a dialect lets one verb cover several items (`ADD a int, b int`,
 * `DROP COLUMN a, b`): each continuing group gets the verb of the group before it.
 */
export function repeatVerbs(group: Tok[], prev: Tok[] | undefined, actionWords: ReadonlySet<string>): Tok[] {
  const first = group[0];
  if (first === undefined || prev === undefined || actionWords.has(first.upper)) return group;
  const verb =
    prev[0]?.upper === "DROP" && prev[1] !== undefined && /^(COLUMN|CONSTRAINT)$/.test(prev[1].upper) ? 2 : 1;
  return [...prev.slice(0, verb).map((t) => synth(t.text, first.start)), ...group];
}

/** Drops the words of `drop` wherever they stand alone (CLUSTERED, NONCLUSTERED, …). */
export function withoutWords(toks: readonly Tok[], drop: ReadonlySet<string>): Tok[] {
  return toks.filter((t) => t.kind !== "word" || !drop.has(t.upper));
}
