// What every inverse gets to work with, and the small constructors of a step's result.
import type { BackupGap, BackupSpec, Reversibility } from "../types.ts";
import type { Model, Rel } from "./model.ts";
import { type Node, type Parsed, str } from "./sql.ts";

export interface StepCtx {
  p: Parsed;
  upIndex: number;
  model: Model;
  defaultSchema: string;
  migrationId: string;
  backups: BackupSpec[];
  gaps: BackupGap[];
}

export interface Inverse {
  sql: string[];
  note: string;
  reversibility: Reversibility;
  reason?: string;
}

export const exact = (sql: string[], note: string): Inverse => ({ sql, note, reversibility: "exact" });
export const partly = (sql: string[], note: string, reason: string): Inverse => ({
  sql,
  note,
  reversibility: "partly",
  reason,
});
export const irreversible = (reason: string, note = "no inverse generated"): Inverse => ({
  sql: [],
  note,
  reversibility: "irreversible",
  reason,
});

/** The relation a RangeVar names, unqualified names in the default schema. */
export function relOf(c: StepCtx, rv: Node | undefined): Rel {
  return { schema: str(rv, "schemaname") ?? c.defaultSchema, name: str(rv, "relname") ?? "" };
}

/** The relation a `[schema, name]` name list names. */
export function relOfNames(c: StepCtx, parts: string[]): Rel {
  const name = parts.at(-1) ?? "";
  return { schema: parts.length > 1 ? (parts.at(-2) ?? c.defaultSchema) : c.defaultSchema, name };
}

/** Joins several inverses of one statement (run in reverse) into one step. */
export function combine(parts: Inverse[]): Inverse {
  if (parts.length === 1 && parts[0]) return parts[0];
  const rank = { exact: 0, partly: 1, irreversible: 2 } as const;
  const worst = parts.reduce<Reversibility>((w, p) => (rank[p.reversibility] > rank[w] ? p.reversibility : w), "exact");
  const reasons = parts.flatMap((p) => (p.reason ? [p.reason] : []));
  return {
    sql: parts.flatMap((p) => p.sql),
    note: parts.map((p) => p.note).join("; "),
    reversibility: worst,
    ...(reasons.length ? { reason: reasons.join("; ") } : {}),
  };
}
