// Keyset ranges: key values travel as text (what the source printed) and are stored in checkpoints
// as JSON; binary key parts as \x… hex.
import { MigratrixError } from "../common/errors.ts";
import type { KeyValue } from "./types.ts";

export function keyToJson(k: KeyValue | null): string | null {
  return k === null ? null : JSON.stringify(k);
}

export function keyFromJson(text: string | null, where: string): KeyValue | null {
  if (text === null) return null;
  const v: unknown = JSON.parse(text);
  if (!Array.isArray(v) || v.some((x) => x !== null && typeof x !== "string")) {
    throw new MigratrixError("data_loss", `checkpoint of ${where} holds a malformed key: ${text}`);
  }
  return v as KeyValue;
}

/** A key cell as read from a driver → its text form. */
export function keyText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString("hex")}`;
  return String(v);
}

/**
 * Lexicographic "key > after" (or "key <= upTo") as OR-expanded comparisons, for engines whose
 * planner does not use an index for row-value comparisons: (a > ?) OR (a = ? AND b > ?) …
 */
export function expandedComparison(cols: string[], op: ">" | "<=", placeholder: (colIndex: number) => string): string {
  const strict = op === ">" ? ">" : "<";
  const terms: string[] = [];
  for (let i = 0; i < cols.length; i++) {
    const eqs = cols.slice(0, i).map((c, j) => `${c} = ${placeholder(j)}`);
    const last = i === cols.length - 1 && op === "<=" ? "<=" : strict;
    terms.push(`(${[...eqs, `${cols[i]} ${last} ${placeholder(i)}`].join(" AND ")})`);
  }
  return `(${terms.join(" OR ")})`;
}

/** The parameters expandedComparison's placeholders take, in order. */
export function expandedParams(values: KeyValue): (string | null)[] {
  const out: (string | null)[] = [];
  for (let i = 0; i < values.length; i++) {
    for (let j = 0; j < i; j++) out.push(values[j] ?? null);
    out.push(values[i] ?? null);
  }
  return out;
}
