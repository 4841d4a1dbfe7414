// Readable diff text, grouped by object: a table's columns, keys, indexes and triggers under it,
// each line saying what changed ("users.email: character varying(100) → text").
import type { Change, FieldChange, SchemaDiff } from "./model.ts";

const MARK = { added: "+", dropped: "-", changed: "~", renamed: ">" } as const;

function show(v: unknown): string {
  if (v === null || v === undefined) return "none";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/** Long or many-line values (view and routine bodies) are summarised, short ones shown whole. */
function fieldLine(subject: string, f: FieldChange): string {
  const before = show(f.before);
  const after = show(f.after);
  if (f.field === "type") return `${subject}: ${before} → ${after}`;
  if (f.field === "nullable") return `${subject}: ${f.before ? "NULL" : "NOT NULL"} → ${f.after ? "NULL" : "NOT NULL"}`;
  if (before.includes("\n") || after.includes("\n") || before.length + after.length > 160) {
    const a = before.split("\n");
    const b = after.split("\n");
    const i = a.findIndex((line, k) => line !== b[k]);
    const at = i < 0 ? Math.min(a.length, b.length) : i;
    return `${subject} ${f.field} changed at line ${at + 1}: ${(a[at] ?? "").trim() || "∅"} → ${(b[at] ?? "").trim() || "∅"}`;
  }
  return `${subject} ${f.field}: ${before} → ${after}`;
}

function describe(ch: Change): string {
  const sig = ch.signature !== undefined ? `(${ch.signature})` : "";
  const kind = ch.kind.replace("_", " ");
  if (ch.kind === "schema" || ch.kind === "extension") return `${kind} ${ch.name}`;
  if (ch.table !== undefined && ch.kind !== "trigger") return `${kind} ${ch.name}`;
  if (ch.kind === "trigger") return `trigger ${ch.name}`;
  return `${kind} ${ch.schema}.${ch.name}${sig}`;
}

function lines(ch: Change): string[] {
  const head = `${MARK[ch.action]} ${describe(ch)}`;
  if (ch.action === "added" && ch.kind === "column" && ch.source) {
    const c = ch.source;
    return [`${head} ${c.type}${c.nullable ? "" : " NOT NULL"}${c.default !== null ? ` DEFAULT ${c.default}` : ""}`];
  }
  if (ch.action === "renamed") {
    const out = [`${head} (was ${ch.from})`];
    for (const f of ch.fields) out.push(`    ${fieldLine(ch.table ? `${ch.table}.${ch.name}` : ch.name, f)}`);
    return out;
  }
  if (ch.action !== "changed") return [head];
  const subject = ch.kind === "column" ? `${ch.table}.${ch.name}` : ch.name;
  if (ch.fields.length === 1 && ch.fields[0])
    return [`~ ${ch.kind === "column" ? "" : `${ch.kind.replace("_", " ")} `}${fieldLine(subject, ch.fields[0])}`];
  return [head, ...ch.fields.map((f) => `    ${fieldLine(subject, f)}`)];
}

/** Text of a diff: one block per table (its parts indented under it), then the other objects. */
/** Cross-engine: what the target cannot hold as the source has it, and what was done instead. */
function notesText(diff: SchemaDiff): string[] {
  return (diff.notes ?? []).map((n) => `! ${n.object}: ${n.note}`);
}

export function renderDiffText(diff: SchemaDiff): string {
  if (diff.changes.length === 0) return ["No differences.", ...notesText(diff)].join("\n");
  const blocks: string[] = [];
  const tables = new Map<string, string[]>();
  const tableHead = new Map<string, string>();
  const order: string[] = [];
  const ensure = (key: string) => {
    if (!tables.has(key)) {
      tables.set(key, []);
      order.push(key);
    }
    return tables.get(key) as string[];
  };
  for (const ch of diff.changes) {
    if (ch.kind === "table") {
      const key = `${ch.schema}.${ch.name}`;
      ensure(key);
      const head = `${MARK[ch.action]} table ${key}${ch.action === "renamed" ? ` (was ${ch.schema}.${ch.from})` : ""}`;
      tableHead.set(key, head);
      for (const f of ch.fields) ensure(key).push(`    ${fieldLine(key, f)}`);
    } else if (ch.table !== undefined) {
      ensure(`${ch.schema}.${ch.table}`).push(...lines(ch).map((l) => `    ${l}`));
    } else {
      order.push(`\u0000${blocks.length}`);
      blocks.push(lines(ch).join("\n"));
    }
  }
  const out: string[] = [];
  for (const key of order) {
    if (key.startsWith("\u0000")) out.push(blocks[Number(key.slice(1))] ?? "");
    else out.push([tableHead.get(key) ?? `~ table ${key}`, ...(tables.get(key) ?? [])].join("\n"));
  }
  const n = diff.changes.length;
  const across =
    diff.sourceEngine !== diff.targetEngine ? `, ${diff.sourceEngine} compared in ${diff.targetEngine}'s terms` : "";
  out.push(`${n} difference${n === 1 ? "" : "s"} (noise filters on: ${diff.filters.join(", ") || "none"}${across})`);
  return [...out, ...notesText(diff)].join("\n");
}

/** JSON of a diff: the changes without the whole objects, which the snapshots already hold. */
export function diffToJson(diff: SchemaDiff): unknown {
  return {
    ...diff,
    changes: diff.changes.map(({ source: _s, target: _t, ...rest }) => rest),
  };
}
