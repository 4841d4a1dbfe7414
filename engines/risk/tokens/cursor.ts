// A cursor over a statement's tokens: the small reading vocabulary the statement readers share.
import type { Tok } from "./lex.ts";

export interface Name {
  /** Last part (the object's own name), as written without quotes. */
  name: string;
  /** Every part: db.table → ["db", "table"]. */
  parts: string[];
  start: number;
}

export class Cursor {
  i = 0;
  constructor(readonly toks: readonly Tok[]) {}

  get done(): boolean {
    return this.i >= this.toks.length;
  }
  peek(k = 0): Tok | undefined {
    return this.toks[this.i + k];
  }
  /** Upper-cased word or operator at k ("" for anything else or the end). */
  up(k = 0): string {
    return this.toks[this.i + k]?.upper ?? "";
  }
  is(...words: string[]): boolean {
    return words.every((w, k) => this.up(k) === w);
  }
  /** Consumes the words if they all follow in order. */
  accept(...words: string[]): boolean {
    if (!this.is(...words)) return false;
    this.i += words.length;
    return true;
  }
  next(): Tok | undefined {
    const t = this.toks[this.i];
    if (t !== undefined) this.i++;
    return t;
  }
  /** Offset of the current token, or of the end of the last one. */
  pos(): number {
    return this.peek()?.start ?? this.toks.at(-1)?.end ?? 0;
  }
  /** An identifier: a quoted one, or a word that is not in `stop`. */
  ident(stop: ReadonlySet<string> = NO_STOP): Tok | undefined {
    const t = this.peek();
    if (t === undefined) return undefined;
    if (t.kind === "ident" || (t.kind === "word" && !stop.has(t.upper))) {
      this.i++;
      return t;
    }
    return undefined;
  }
  /** a, a.b, `a`.`b`. */
  name(stop: ReadonlySet<string> = NO_STOP): Name | undefined {
    const first = this.ident(stop);
    if (first === undefined) return undefined;
    const parts = [first.text];
    while (this.up() === "." && (this.peek(1)?.kind === "ident" || this.peek(1)?.kind === "word")) {
      this.i++;
      parts.push(this.next()?.text ?? "");
    }
    return { name: parts.at(-1) ?? "", parts, start: first.start };
  }
  /** Skips a balanced ( … ) at the cursor and returns its inner tokens (empty when none). */
  parens(): Tok[] {
    if (this.up() !== "(") return [];
    const from = this.i + 1;
    let depth = 0;
    for (; this.i < this.toks.length; this.i++) {
      const u = this.up();
      if (u === "(") depth++;
      else if (u === ")" && --depth === 0) {
        this.i++;
        return this.toks.slice(from, this.i - 1);
      }
    }
    return this.toks.slice(from);
  }
  /** Tokens up to (not including) a depth-0 token for which `stop` is true. */
  until(stop: (t: Tok) => boolean): Tok[] {
    const from = this.i;
    let depth = 0;
    for (; this.i < this.toks.length; this.i++) {
      const t = this.toks[this.i] as Tok;
      if (depth === 0 && stop(t)) break;
      if (t.upper === "(") depth++;
      else if (t.upper === ")") depth = Math.max(0, depth - 1);
    }
    return this.toks.slice(from, this.i);
  }
}

const NO_STOP: ReadonlySet<string> = new Set();

/** Splits tokens at depth-0 commas. */
export function splitCommas(toks: readonly Tok[]): Tok[][] {
  const out: Tok[][] = [[]];
  let depth = 0;
  for (const t of toks) {
    if (t.upper === "(") depth++;
    else if (t.upper === ")") depth = Math.max(0, depth - 1);
    if (depth === 0 && t.upper === ",") out.push([]);
    else out.at(-1)?.push(t);
  }
  return out.filter((g) => g.length > 0);
}

/** Unbalanced parentheses in a statement's tokens, as a finding's place and words; undefined when balanced. */
export function parenProblem(
  toks: readonly Tok[],
  start: number,
): { check: "unbalanced-parens"; at: number; message: string; hint: string } | undefined {
  const hint = "balance the parentheses; every ( needs its )";
  let depth = 0;
  for (const t of toks) {
    if (t.upper === "(") depth++;
    else if (t.upper === ")" && --depth < 0) {
      return {
        check: "unbalanced-parens",
        at: t.start,
        message: "a closing parenthesis without its opening one",
        hint,
      };
    }
  }
  if (depth === 0) return undefined;
  return {
    check: "unbalanced-parens",
    at: toks.at(-1)?.end ?? start,
    message: `${depth} unclosed parenthes${depth === 1 ? "is" : "es"} in this statement`,
    hint,
  };
}
