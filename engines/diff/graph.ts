// The dependency graph a sync script is ordered by: what each change provides and requires
// (foreign keys, views on tables and views, defaults calling functions or sequences, types used
// by columns, triggers on tables calling functions), and a stable topological sort that breaks
// cycles by the kind order (foreign keys already come apart from their tables, so they come last).
import type { SchemaSnapshot } from "../schema/snapshot.ts";
import type { Change, ChangeKind } from "./model.ts";

/** Names a definition mentions: "schema.name" and bare "name" (unquoted ones folded to lower case). */
export function mentionedNames(text: string): string[] {
  const ident = `"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*`;
  const re = new RegExp(`(${ident})(?:\\s*\\.\\s*(${ident}))?`, "g");
  const unquote = (s: string) => (s.startsWith('"') ? s.slice(1, -1).replaceAll('""', '"') : s.toLowerCase());
  const out: string[] = [];
  for (const m of text.matchAll(re)) {
    const a = m[1] ?? "";
    const b = m[2];
    out.push(b === undefined ? unquote(a) : `${unquote(a)}.${unquote(b)}`);
    if (b !== undefined) out.push(unquote(b));
  }
  return out;
}

/** Objects by name ("schema.name" and bare "name") → their graph keys, for looking up mentions. */
export class NameIndex {
  private readonly byName = new Map<string, Set<string>>();

  constructor(s: SchemaSnapshot) {
    for (const t of s.tables) this.add(t.schema, t.name, `rel:${t.schema}.${t.name}`);
    for (const o of s.objects ?? []) {
      if (o.kind === "trigger") continue;
      const key =
        o.kind === "function" || o.kind === "procedure"
          ? `fn:${o.schema}.${o.name}`
          : o.kind === "type"
            ? `type:${o.schema}.${o.name}`
            : `rel:${o.schema}.${o.name}`;
      this.add(o.schema, o.name, key);
    }
  }

  private add(schema: string, name: string, key: string) {
    for (const n of [`${schema}.${name}`, name]) {
      const set = this.byName.get(n) ?? new Set<string>();
      set.add(key);
      this.byName.set(n, set);
    }
  }

  /** Keys of the objects `text` mentions. */
  refs(text: string | null | undefined): string[] {
    if (!text) return [];
    const out = new Set<string>();
    for (const n of mentionedNames(text)) for (const k of this.byName.get(n) ?? []) out.add(k);
    return [...out];
  }
}

export interface Unit<T> {
  item: T;
  provides: string[];
  requires: string[];
  /** Tie-break and cycle-break order: lower first. */
  rank: number;
}

/** A binary min-heap of unit indexes ordered by (rank, index). */
class ReadyHeap {
  private readonly items: number[] = [];
  constructor(private readonly before: (a: number, b: number) => boolean) {}
  get size(): number {
    return this.items.length;
  }
  push(i: number): void {
    const h = this.items;
    h.push(i);
    let k = h.length - 1;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (!this.before(h[k] as number, h[parent] as number)) break;
      [h[k], h[parent]] = [h[parent] as number, h[k] as number];
      k = parent;
    }
  }
  pop(): number | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last !== undefined) {
      h[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < h.length && this.before(h[l] as number, h[m] as number)) m = l;
        if (r < h.length && this.before(h[r] as number, h[m] as number)) m = r;
        if (m === k) break;
        [h[k], h[m]] = [h[m] as number, h[k] as number];
        k = m;
      }
    }
    return top;
  }
}

/** Kahn's sort, stable by (rank, input order); on a cycle the lowest-ranked waiting unit goes next. */
export function topoSort<T>(units: Unit<T>[]): { order: T[]; cycles: T[] } {
  const providers = new Map<string, number[]>();
  units.forEach((u, i) => {
    for (const p of u.provides) {
      const list = providers.get(p);
      if (list) list.push(i);
      else providers.set(p, [i]);
    }
  });
  const waiting = units.map(() => 0);
  const dependents: number[][] = units.map(() => []);
  units.forEach((u, i) => {
    const deps = new Set<number>();
    for (const r of u.requires) for (const j of providers.get(r) ?? []) if (j !== i) deps.add(j);
    waiting[i] = deps.size;
    for (const j of deps) dependents[j]?.push(i);
  });
  const before = (a: number, b: number) => {
    const ra = (units[a] as Unit<T>).rank;
    const rb = (units[b] as Unit<T>).rank;
    return ra < rb || (ra === rb && a < b);
  };
  const ready = new ReadyHeap(before);
  units.forEach((_, i) => {
    if (waiting[i] === 0) ready.push(i);
  });
  const done = new Set<number>();
  const order: T[] = [];
  const cycles: T[] = [];
  while (done.size < units.length) {
    let pick = ready.pop();
    if (pick === undefined) {
      // A cycle: the lowest-ranked unit still waiting goes next.
      for (let i = 0; i < units.length; i++) if (!done.has(i) && (pick === undefined || before(i, pick))) pick = i;
      if (pick === undefined) break;
      cycles.push((units[pick] as Unit<T>).item);
    } else if (done.has(pick)) continue;
    done.add(pick);
    order.push((units[pick] as Unit<T>).item);
    for (const d of dependents[pick] ?? []) {
      waiting[d] = (waiting[d] ?? 0) - 1;
      if (waiting[d] === 0 && !done.has(d)) ready.push(d);
    }
  }
  return { order, cycles };
}

/** Creation order of kinds when nothing else decides; foreign keys sit apart, after indexes. */
const CREATE_RANK: Record<ChangeKind, number> = {
  schema: 0,
  extension: 1,
  type: 2,
  sequence: 3,
  function: 4,
  table: 5,
  column: 6,
  primary_key: 7,
  constraint: 8,
  index: 9,
  view: 11,
  materialized_view: 12,
  trigger: 13,
  procedure: 14,
};

export function createRank(ch: Change): number {
  if (ch.kind === "constraint" && (ch.source ?? ch.target)?.kind === "foreign") return 10;
  return CREATE_RANK[ch.kind];
}

/**
 * Keys the change makes exist and the keys it needs to exist first: in the source's terms for
 * creates, in the target's (what is there to drop) for drops.
 */
export function dependencies(
  change: Change,
  names: NameIndex,
  side: "source" | "target" = "source",
): { provides: string[]; requires: string[] } {
  const ch = (side === "source" ? change : { ...change, source: change.target }) as Change;
  const rel = (schema: string, name: string) => `rel:${schema}.${name}`;
  const inSchema = `schema:${ch.schema}`;
  switch (ch.kind) {
    case "schema":
      return { provides: [inSchema], requires: [] };
    case "extension":
      return { provides: [`ext:${ch.name}`], requires: [inSchema] };
    case "table": {
      const t = ch.source;
      const requires = [inSchema];
      for (const c of t?.columns ?? [])
        requires.push(...names.refs(c.type), ...names.refs(c.default), ...names.refs(c.generated));
      if (t?.partitionOf) requires.push(`rel:${t.partitionOf.parent}`);
      return { provides: [rel(ch.schema, ch.name), `cols:${ch.schema}.${ch.name}`], requires };
    }
    case "column": {
      const c = ch.source;
      const table = rel(ch.schema, ch.table ?? "");
      return {
        provides: [`cols:${ch.schema}.${ch.table}`],
        requires: [table, ...names.refs(c?.type), ...names.refs(c?.default), ...names.refs(c?.generated)],
      };
    }
    case "primary_key":
      return {
        provides: [`key:${ch.schema}.${ch.table}`],
        requires: [rel(ch.schema, ch.table ?? ""), `cols:${ch.schema}.${ch.table}`],
      };
    case "constraint": {
      const k = ch.source;
      const requires = [rel(ch.schema, ch.table ?? ""), `cols:${ch.schema}.${ch.table}`];
      if (k?.kind === "foreign" && k.references)
        requires.push(`rel:${k.references}`, `key:${k.references}`, `cols:${k.references}`);
      else requires.push(...names.refs(k?.definition).filter((r) => r.startsWith("fn:") || r.startsWith("type:")));
      const provides = k?.kind === "primary" || k?.kind === "unique" ? [`key:${ch.schema}.${ch.table}`] : [];
      return { provides, requires };
    }
    case "index":
      return {
        provides: [],
        requires: [
          rel(ch.schema, ch.table ?? ""),
          `cols:${ch.schema}.${ch.table}`,
          ...names.refs(ch.source?.definition).filter((r) => r.startsWith("fn:")),
        ],
      };
    case "trigger":
      return {
        provides: [],
        requires: [
          rel(ch.schema, ch.table ?? ""),
          ...names.refs(ch.source?.definition).filter((r) => r.startsWith("fn:")),
        ],
      };
    case "view":
    case "materialized_view": {
      const o = ch.source;
      const reads = o?.dependsOn ?? [];
      const requires = [
        inSchema,
        ...reads.map((d) => `rel:${d}`),
        ...reads.map((d) => `cols:${d}`),
        ...names.refs(o?.definition),
      ];
      return { provides: [rel(ch.schema, ch.name), `cols:${ch.schema}.${ch.name}`], requires };
    }
    case "sequence":
      return { provides: [rel(ch.schema, ch.name)], requires: [inSchema] };
    case "type":
      return { provides: [`type:${ch.schema}.${ch.name}`], requires: [inSchema, ...names.refs(ch.source?.definition)] };
    default: {
      // Routines: their signature and result name types (bodies are not checked when created).
      const header = (ch.source?.definition ?? "").split(/\bAS\s+\$|\bBEGIN\s+ATOMIC\b/i)[0] ?? "";
      return {
        provides: [`fn:${ch.schema}.${ch.name}`],
        requires: [inSchema, ...names.refs(header).filter((r) => r.startsWith("type:") || r.startsWith("rel:"))],
      };
    }
  }
}
