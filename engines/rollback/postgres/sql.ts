// The PostgreSQL parser (libpg-query, loaded on first use) and token helpers over one statement.
// Locations from the parser and scanner are UTF-8 byte offsets, so slicing goes through bytes.

type Lib = typeof import("libpg-query");
let lib: Promise<Lib> | undefined;

/** Loads the WASM parser once; ~40 ms, paid only by callers that generate down scripts. */
export function loadParser(): Promise<Lib> {
  lib ??= import("libpg-query").then(async (m) => {
    await m.loadModule();
    return m;
  });
  return lib;
}

/** A parse-tree node: JSON of many shapes, read through the accessors below. */
export type Node = Record<string, unknown>;

function isNode(v: unknown): v is Node {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at `path` under `n`, or undefined. */
export function at(n: unknown, ...path: string[]): unknown {
  let cur = n;
  for (const k of path) {
    if (Array.isArray(cur)) cur = cur[Number(k)];
    else if (isNode(cur)) cur = cur[k];
    else return undefined;
  }
  return cur;
}

export function obj(n: unknown, ...path: string[]): Node | undefined {
  const v = at(n, ...path);
  return isNode(v) ? v : undefined;
}

export function arr(n: unknown, ...path: string[]): Node[] {
  const v = at(n, ...path);
  return Array.isArray(v) ? v.filter(isNode) : [];
}

export function str(n: unknown, ...path: string[]): string | undefined {
  const v = at(n, ...path);
  return typeof v === "string" ? v : undefined;
}

export interface Token {
  start: number;
  end: number;
  text: string;
  /** Upper-cased keyword text, or "" for identifiers, literals and punctuation. */
  keyword: string;
}

/** One up statement with its parse tree and tokens. */
export class Parsed {
  readonly bytes: Buffer;
  constructor(
    readonly text: string,
    readonly stmt: Node,
    readonly tokens: Token[],
  ) {
    this.bytes = Buffer.from(text, "utf8");
  }

  slice(start: number, end?: number): string {
    return this.bytes.subarray(start, end).toString("utf8").trim();
  }

  /** Index of the first token at paren depth 0 that is one of `keywords`, from token `from`. */
  findTop(keywords: string[], from = 0): number {
    let depth = 0;
    for (let i = from; i < this.tokens.length; i++) {
      const t = this.tokens[i] as Token;
      if (t.text === "(") depth++;
      else if (t.text === ")") depth--;
      else if (depth === 0 && keywords.includes(t.keyword)) return i;
    }
    return -1;
  }

  /** Text between token `from` (exclusive) and the next top-level keyword of `until` (or the end). */
  clause(from: number, until: string[]): string {
    const startTok = this.tokens[from];
    if (!startTok) return "";
    const stop = this.findTop(until, from + 1);
    const end = stop < 0 ? undefined : this.tokens[stop]?.start;
    return this.slice(startTok.end, end);
  }

  /** The parenthesised text that starts at or after byte `at`, without its parens; "" if none. */
  parenAfter(at: number): string {
    let depth = 0;
    let open = -1;
    for (const t of this.tokens) {
      if (t.start < at) continue;
      if (t.text === "(") {
        if (depth === 0) open = t.end;
        depth++;
      } else if (t.text === ")") {
        depth--;
        if (depth === 0 && open >= 0) return this.slice(open, t.start);
      }
    }
    return "";
  }

  /** Items of each top-level `( … )` group after token `from`, split on commas at depth 1. */
  groupsAfter(from: number): string[][] {
    const groups: string[][] = [];
    let depth = 0;
    let itemStart = 0;
    let items: string[] = [];
    for (let i = from + 1; i < this.tokens.length; i++) {
      const t = this.tokens[i] as Token;
      if (t.text === "(") {
        depth++;
        if (depth === 1) {
          itemStart = t.end;
          items = [];
        }
      } else if (t.text === ")") {
        if (depth === 1) {
          items.push(this.slice(itemStart, t.start));
          groups.push(items);
        }
        depth--;
        if (depth < 0) break;
      } else if (t.text === "," && depth === 1) {
        items.push(this.slice(itemStart, t.start));
        itemStart = t.end;
      } else if (depth === 0 && t.keyword !== "" && groups.length > 0) {
        break;
      }
    }
    return groups;
  }
}

/** Parses one statement; returns the parser's message (and byte offset) instead of throwing. */
export function parseOne(l: Lib, text: string): Parsed | { error: string; offset: number } {
  try {
    const tree = l.parseSync(text);
    const first = obj(tree, "stmts", "0", "stmt");
    const tokens = l.scanSync(text).tokens.map((t) => ({
      start: t.start,
      end: t.end,
      text: t.text,
      keyword: t.keywordKind > 0 ? t.text.toUpperCase() : "",
    }));
    return new Parsed(text, first ?? {}, tokens);
  } catch (e) {
    const details = (e as { sqlDetails?: { cursorPosition?: number } }).sqlDetails;
    return { error: (e as Error).message, offset: details?.cursorPosition ?? 0 };
  }
}

/** The node kind and body of a `{ Kind: body }` node. */
export function kindOf(n: unknown): [string, Node] {
  if (!isNode(n)) return ["", {}];
  const k = Object.keys(n)[0] ?? "";
  return [k, obj(n, k) ?? {}];
}

/** Names from a list of `{ String: { sval } }` nodes. */
export function names(list: Node[]): string[] {
  return list.map((x) => str(x, "String", "sval") ?? "");
}

/** True for a literal, a signed literal or a literal cast to a type: safe to repeat in a down script. */
export function isConstant(n: unknown): boolean {
  const [k, b] = kindOf(n);
  if (k === "A_Const") return true;
  if (k === "TypeCast") return isConstant(b.arg);
  return false;
}
