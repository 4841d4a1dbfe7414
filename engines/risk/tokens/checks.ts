// Checks whose logic is the same on every token-level engine (MySQL/MariaDB and SQLite); each engine's
// rules call them with its own wording where the wording differs.
import { key, type TokenCtx } from "./context.ts";
import { isTautology, narrows } from "./expr.ts";
import type { KeyDef, Stmt, TableRef } from "./model.ts";

/** Reports each name of `list` that appears again after its first place (case-insensitive). */
export function duplicateColumns(
  ctx: TokenCtx,
  list: ReadonlyArray<{ name: string; pos: number }>,
  how: { what: string; level: "High" | "Medium"; hint: string },
): void {
  const seen = new Set<string>();
  for (const item of list) {
    const k = key(item.name);
    if (seen.has(k))
      ctx.report("duplicate-column", {
        level: how.level,
        message: `column ${item.name} appears twice in ${how.what}`,
        hint: how.hint,
        at: item.pos,
      });
    seen.add(k);
  }
}

/**
 * A column listed twice in one index, or an index another already covers (its leading columns;
 * a unique key only by a unique key on the same columns). Keys declared earlier in the same statement
 * (`siblings`) count too; `unchecked` kinds are not compared.
 */
export function indexHygiene(
  ctx: TokenCtx,
  on: {
    table: string;
    key: KeyDef;
    at: number;
    siblings?: readonly KeyDef[];
    unchecked: ReadonlyArray<KeyDef["kind"]>;
  },
): void {
  const { table, at, siblings = [] } = on;
  const k = on.key;
  if (k.kind === "foreign" || k.kind === "check") return;
  const cols = k.columns.map(key);
  const dup = cols.find((c, i) => c !== "(expr)" && cols.indexOf(c) !== i);
  if (dup !== undefined) {
    ctx.report("index-hygiene", {
      message: `column ${dup} appears twice in the index`,
      hint: "list each column once",
      at,
    });
    return;
  }
  if (k.partial === true || cols.includes("(expr)") || k.prefixed || on.unchecked.includes(k.kind)) return;
  const t = key(table);
  const earlier = siblings
    .filter((x) => x.kind === "index" || x.kind === "unique" || x.kind === "primary")
    .map((x) => ({
      name: x.name ?? x.columns.join("_"),
      table: t,
      columns: x.columns.map(key),
      unique: x.kind !== "index",
    }));
  const same = [...ctx.script.indexes, ...earlier].find(
    (x) => x.table === t && x.columns.length >= cols.length && cols.every((c, i) => x.columns[i] === c),
  );
  if (same !== undefined && (k.kind !== "unique" || (same.unique && same.columns.length === cols.length))) {
    ctx.report("index-hygiene", {
      message: `index on ${table} (${cols.join(", ")}) is covered by ${same.name} (${same.columns.join(", ")})`,
      hint: "drop the redundant index: it slows writes and costs space",
      at,
    });
  }
}

/**
 * The existing table an UPDATE rewrites wholesale: it has a WHERE, but one that is not always true
 * (that is update-without-where) and that no value narrows, so it is a backfill of every matching row.
 */
export function backfillTarget(ctx: TokenCtx, st: Extract<Stmt, { kind: "delete" | "update" }>): TableRef | undefined {
  const target = st.targets[0];
  if (st.kind !== "update" || target === undefined || !ctx.existing(target.name.name) || st.where === undefined)
    return undefined;
  return isTautology(st.where) || narrows(st.where) ? undefined : target;
}

/**
 * INSERT … SELECT with no WHERE and no LIMIT from a table that exists: every row copied in one
 * statement. `extra` ends the message with what the engine adds (its locks); `skip` spares copies
 * that are the point (SQLite's table rebuild).
 */
export function wholeTableCopy(
  ctx: TokenCtx,
  st: Extract<Stmt, { kind: "insert" }>,
  o: { extra?: string; hint: string; skip?: (sources: string[]) => boolean },
): void {
  const sel = st.select;
  if (sel?.from === undefined || sel.where !== undefined || sel.limit) return;
  const sources = sel.from.items.flatMap((i) => i.tables.map((t) => t.name.name)).filter((t) => t !== "");
  if (sources.length === 0 || sources.every((t) => !ctx.existing(t)) || o.skip?.(sources) === true) return;
  ctx.report("large-dml", {
    message: `INSERT ... SELECT copies every row of ${sources.join(", ")} in one statement${o.extra ?? ""}`,
    hint: o.hint,
    at: st.table.start,
  });
}

/**
 * ON DELETE CASCADE anywhere in the statement: a column's REFERENCES, a table-level FOREIGN KEY, and
 * (where the engine can add one) a key ALTER TABLE adds. `caveat` ends the message.
 */
export function onDeleteCascade(ctx: TokenCtx, o: { hint: string; caveat?: string; alterKeys: boolean }): void {
  const st = ctx.stmt;
  const refs =
    st.kind === "create-table"
      ? [...st.columns.map((c) => c.references), ...st.keys.map((k) => k.references)]
      : st.kind === "alter-table"
        ? st.actions.map((a) =>
            a.op === "add-column" ? a.col.references : a.op === "add-key" && o.alterKeys ? a.key.references : undefined,
          )
        : [];
  for (const r of refs) {
    if (r?.onDeleteCascade !== true) continue;
    ctx.report("on-delete-cascade", {
      message: `ON DELETE CASCADE: deleting a row of ${r.table.name} silently deletes the rows that reference it${o.caveat ?? ""}`,
      hint: o.hint,
      at: r.pos,
    });
  }
}

/** Index hygiene for each key a CREATE TABLE declares, against the keys declared before it. */
export function tableKeysHygiene(
  ctx: TokenCtx,
  st: Extract<Stmt, { kind: "create-table" }>,
  unchecked: ReadonlyArray<KeyDef["kind"]>,
): void {
  for (const [i, k] of st.keys.entries())
    indexHygiene(ctx, { table: st.table.name, key: k, at: k.pos, siblings: st.keys.slice(0, i), unchecked });
}
