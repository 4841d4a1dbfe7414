// Runs that died between a statement committing by itself (no transaction: MySQL/MariaDB DDL, a
// no-transaction migration, CREATE INDEX CONCURRENTLY) and the history write that counts it leave
// that statement in doubt. Introspection decides the DDL cases it can see; anything else is the
// operator's call, never a guess: running it twice or skipping it could both be wrong.
import type { SchemaSnapshot } from "../schema/index.ts";

export type Effect = "present" | "absent" | "unknown";

/** The operator's answer for a statement introspection cannot decide. */
export type InDoubtResolution = "rerun" | "skip";

const IDENT = String.raw`(?:[\`"\[]?[\w$]+[\`"\]]?\.)?[\`"\[]?([\w$]+)[\`"\]]?`;
const rx = (source: string) => new RegExp(`^\\s*${source}`, "i");

const CREATE_TABLE = rx(String.raw`create\s+(?:temporary\s+)?table\s+(?:if\s+not\s+exists\s+)?${IDENT}`);
const DROP_TABLE = rx(String.raw`drop\s+table\s+(?:if\s+exists\s+)?${IDENT}\s*;?\s*$`);
const CREATE_INDEX = rx(
  String.raw`create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?${IDENT}\s+on\s+${IDENT}`,
);
const DROP_INDEX = rx(String.raw`drop\s+index\s+(?:concurrently\s+)?(?:if\s+exists\s+)?${IDENT}`);
const ADD_COLUMN = rx(
  String.raw`alter\s+table\s+${IDENT}\s+add\s+(?:column\s+)?(?:if\s+not\s+exists\s+)?${IDENT}\s+\w`,
);
const DROP_COLUMN = rx(
  String.raw`alter\s+table\s+${IDENT}\s+drop\s+(?:column\s+)?(?:if\s+exists\s+)?${IDENT}\s*;?\s*$`,
);

const eq = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Whether the statement's effect shows in the snapshot. Only single-object DDL is decided; a
 * statement that does several things (ALTER TABLE … ADD …, ADD …) or changes rows is "unknown".
 */
export function effectOf(sql: string, snap: SchemaSnapshot): Effect {
  const text = sql.replace(/^(?:\s*--[^\n]*\n)+/, "");
  const table = (name: string) => snap.tables.find((t) => eq(t.name, name));
  const has = (present: boolean): Effect => (present ? "present" : "absent");
  let m = CREATE_TABLE.exec(text);
  if (m?.[1]) return has(table(m[1]) !== undefined);
  m = DROP_TABLE.exec(text);
  if (m?.[1] && !text.includes(",")) return has(table(m[1]) === undefined);
  m = CREATE_INDEX.exec(text);
  if (m?.[1] && m[2]) {
    const index = m[1];
    return has(table(m[2])?.indexes.some((i) => eq(i.name, index)) ?? false);
  }
  m = DROP_INDEX.exec(text);
  if (m?.[1]) {
    const index = m[1];
    return has(!snap.tables.some((t) => t.indexes.some((i) => eq(i.name, index))));
  }
  if (text.includes(",")) return "unknown";
  m = ADD_COLUMN.exec(text);
  if (m?.[1] && m[2]) {
    const column = m[2];
    const t = table(m[1]);
    return t ? has(t.columns.some((c) => eq(c.name, column))) : "unknown";
  }
  m = DROP_COLUMN.exec(text);
  if (m?.[1] && m[2]) {
    const column = m[2];
    const t = table(m[1]);
    return t ? has(!t.columns.some((c) => eq(c.name, column))) : "unknown";
  }
  return "unknown";
}
