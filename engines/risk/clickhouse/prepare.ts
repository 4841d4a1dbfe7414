// ClickHouse statements made readable by the shared token reader: ON CLUSTER, column codecs, TTLs,
// data-skipping indexes and the table engine clause are taken out and noted; ALTER TABLE … UPDATE /
// DELETE (mutations) become the reader's UPDATE and DELETE, with the mutation noted.
import type { DialectNotes } from "../tokens/context.ts";
import type { Tok } from "../tokens/lex.ts";
import { afterName, editGroups, findTop, groups, type Prepared, parenEnd, synth } from "../tokens/prepare.ts";

/** ALTER TABLE actions that rewrite or drop data parts, and how heavy each is. */
const PART_ACTIONS: Record<string, { heavy: boolean } | undefined> = {
  "CLEAR COLUMN": { heavy: true },
  "CLEAR INDEX": { heavy: false },
  "MATERIALIZE COLUMN": { heavy: true },
  "MATERIALIZE INDEX": { heavy: true },
  "MATERIALIZE PROJECTION": { heavy: true },
  "MATERIALIZE TTL": { heavy: true },
  "MODIFY TTL": { heavy: true },
  "MODIFY ORDER": { heavy: false },
};
const DROP_PARTS = new Set(["DROP PARTITION", "DROP PART", "DETACH PARTITION", "DETACH PART", "REPLACE PARTITION"]);
const COLUMN_TAIL = new Set(["CODEC", "TTL", "COMMENT", "SETTINGS", "STATISTICS"]);
const COMPUTED = new Set(["MATERIALIZED", "ALIAS", "EPHEMERAL"]);

function mutation(notes: DialectNotes, m: { what: string; pos: number; heavy: boolean }): void {
  notes.mutations = [...(notes.mutations ?? []), m];
}

export function prepareClickHouse(input: Tok[]): Prepared {
  const notes: DialectNotes = {};
  const toks = withoutCluster(input);
  const first = toks[0]?.upper ?? "";
  switch (first) {
    case "CREATE":
      return create(toks, notes);
    case "ALTER":
      return toks[1]?.upper === "TABLE" ? alter(toks, notes) : { toks, notes, stmt: { kind: "other", first } };
    case "DELETE":
    case "UPDATE":
      // Lightweight DELETE / UPDATE: rows are masked at once, parts rewritten later.
      mutation(notes, { what: `lightweight ${first}`, pos: toks[0]?.start ?? 0, heavy: false });
      return { toks: withoutSettings(toks), notes };
    case "OPTIMIZE":
      if (toks.some((t) => t.upper === "FINAL" || t.upper === "DEDUPLICATE"))
        mutation(notes, { what: "OPTIMIZE ... FINAL", pos: toks[0]?.start ?? 0, heavy: true });
      return { toks: toks.filter((t) => !/^(FINAL|DEDUPLICATE)$/.test(t.upper)), notes };
    case "INSERT": {
      const format = findTop(toks, 1, (t) => t.upper === "FORMAT");
      // INSERT … FORMAT CSV <data>: the rows follow in the client's input, like VALUES.
      if (format > 0) return { toks: [...toks.slice(0, format), synth("VALUES", toks[format]?.start ?? 0)], notes };
      return { toks: withoutSettings(toks), notes };
    }
    case "SELECT":
    case "WITH":
      return { toks: withoutSettings(toks), notes };
    default:
      return { toks, notes };
  }
}

/** ON CLUSTER name: where a distributed DDL runs, not what it does. */
function withoutCluster(toks: Tok[]): Tok[] {
  const k = toks.findIndex((t, i) => t.upper === "ON" && toks[i + 1]?.upper === "CLUSTER");
  return k < 0 ? toks : [...toks.slice(0, k), ...toks.slice(k + 3)];
}

/** … SETTINGS a = 1, … FORMAT x at the end of a query. */
function withoutSettings(toks: Tok[]): Tok[] {
  const k = findTop(toks, 1, (t) => t.upper === "SETTINGS" || t.upper === "FORMAT");
  return k > 0 ? toks.slice(0, k) : toks;
}

/** A column definition: codecs, TTLs and comments dropped; MATERIALIZED/ALIAS count as a DEFAULT. */
function column(g: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < g.length; i++) {
    const t = g[i] as Tok;
    if (i > 0 && COMPUTED.has(t.upper)) {
      if (t.upper !== "EPHEMERAL") out.push(synth("DEFAULT", t.start), synth("0", t.start));
      break;
    }
    if (i > 0 && COLUMN_TAIL.has(t.upper)) break;
    out.push(t);
  }
  return out;
}

function create(toks: Tok[], notes: DialectNotes): Prepared {
  let k = 1;
  while (toks[k]?.upper === "OR" || toks[k]?.upper === "REPLACE" || toks[k]?.upper === "TEMPORARY") k++;
  if (toks[k]?.upper !== "TABLE") return { toks, notes };
  const open = toks.findIndex((t, i) => i > k && t.upper === "(");
  const engineAt = findTop(toks, k, (t) => t.upper === "ENGINE");
  if (open < 0 || (engineAt > 0 && engineAt < open)) {
    // CREATE TABLE t AS other / ENGINE = … AS SELECT: columns come from elsewhere.
    notes.tableEngine = tableEngine(toks, engineAt);
    const name = afterName(toks, toks[k + 1]?.upper === "IF" ? k + 4 : k + 1);
    const as = findTop(toks, name, (t) => t.upper === "AS");
    return { toks: as > 0 ? [...toks.slice(0, name), ...toks.slice(as)] : toks.slice(0, name), notes };
  }
  const end = parenEnd(toks, open);
  const body = editGroups(toks, open + 1, end - 1, (g) =>
    g[0]?.upper === "INDEX" || g[0]?.upper === "PROJECTION" ? [] : column(g),
  );
  notes.tableEngine = tableEngine(toks, engineAt);
  const as = findTop(toks, end, (t) => t.upper === "AS");
  const tail = as > 0 ? toks.slice(as) : [];
  return {
    toks: [...toks.slice(0, open + 1), ...body, toks[end - 1] as Tok, ...tail],
    notes,
  };
}

function tableEngine(toks: Tok[], at: number): DialectNotes["tableEngine"] {
  if (at < 0) return undefined;
  const name = toks[toks[at + 1]?.upper === "=" ? at + 2 : at + 1];
  const order = findTop(toks, at, (t) => t.upper === "ORDER");
  const orderBy = order > 0 && toks[order + 1]?.upper === "BY";
  const pk = toks.some((t, i) => i > at && t.upper === "PRIMARY" && toks[i + 1]?.upper === "KEY");
  const after = orderBy ? toks.slice(order + 2, order + 5).map((t) => t.upper) : [];
  const emptyOrder = orderBy && after[0] === "TUPLE" && after[1] === "(" && after[2] === ")";
  return {
    name: name?.text ?? "",
    pos: name?.start ?? 0,
    orderBy: (orderBy && !emptyOrder) || pk,
    emptyOrder: emptyOrder && !pk,
  };
}

function alter(toks: Tok[], notes: DialectNotes): Prepared {
  const i = afterName(toks, 2);
  const table = toks.slice(2, i);
  const rest = toks.slice(i);
  const [only] = groups(rest, 0);
  const verb = rest[0]?.upper ?? "";
  if (only !== undefined && (verb === "UPDATE" || verb === "DELETE")) {
    // ALTER TABLE t UPDATE … WHERE … / DELETE WHERE …: a mutation rewriting every part it touches.
    mutation(notes, { what: `ALTER TABLE ... ${verb}`, pos: rest[0]?.start ?? 0, heavy: true });
    const at = rest[0] as Tok;
    const body = rest.slice(1);
    return {
      toks:
        verb === "UPDATE"
          ? [at, ...table, synth("SET", at.start), ...body]
          : [at, synth("FROM", at.start), ...table, ...body],
      notes,
    };
  }
  const actions = editGroups(rest, 0, rest.length, (g) => {
    const two = `${g[0]?.upper ?? ""} ${g[1]?.upper ?? ""}`;
    const part = PART_ACTIONS[two];
    if (part !== undefined) {
      mutation(notes, { what: two, pos: g[0]?.start ?? 0, heavy: part.heavy });
      return [synth("COMMENT", g[0]?.start ?? 0)];
    }
    if (DROP_PARTS.has(two)) {
      notes.dropPartition = { what: two, pos: g[0]?.start ?? 0 };
      return [synth("COMMENT", g[0]?.start ?? 0)];
    }
    if (two === "ADD COLUMN" || two === "MODIFY COLUMN") {
      const skip = g[2]?.upper === "IF" ? 5 : 2;
      const col = g.slice(skip);
      // MODIFY COLUMN c COMMENT/TTL/CODEC/REMOVE/SETTING …: no type change.
      if (two === "MODIFY COLUMN" && /^(COMMENT|TTL|CODEC|REMOVE|MODIFY|RESET)$/.test(col[1]?.upper ?? ""))
        return [synth("COMMENT", g[0]?.start ?? 0)];
      const position = col.findIndex((t, n) => n > 0 && (t.upper === "AFTER" || t.upper === "FIRST"));
      return [...g.slice(0, skip), ...column(position > 0 ? col.slice(0, position) : col)];
    }
    if (/^(DROP|RENAME) COLUMN$/.test(two) || /^(ADD|DROP) CONSTRAINT$/.test(two)) return g;
    // ADD/DROP INDEX|PROJECTION, MODIFY SETTING, FREEZE, ATTACH, MOVE, COMMENT COLUMN, …
    return [synth("COMMENT", g[0]?.start ?? 0)];
  });
  return { toks: [...toks.slice(0, i), ...actions], notes };
}
