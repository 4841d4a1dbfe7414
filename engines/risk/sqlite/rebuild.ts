// SQLite changes a column by rebuilding its table: CREATE TABLE new, INSERT INTO new SELECT … FROM
// old, DROP TABLE old, ALTER TABLE new RENAME TO old. Found across the script before the rules run,
// so the DROP is read as part of the rebuild and the new definition is compared with the old one.
import { key } from "../tokens/context.ts";
import type { SelectFacts, Stmt } from "../tokens/model.ts";

function sources(sel: SelectFacts | undefined): string[] {
  if (sel === undefined) return [];
  return [
    ...(sel.from?.items ?? []).flatMap((i) => i.tables.map((t) => key(t.name.name))),
    ...sel.nested.flatMap(sources),
  ];
}

export function findRebuilds(
  stmts: readonly Stmt[],
): Map<string, { via: string; copied: boolean; renameStatement: number }> {
  const out = new Map<string, { via: string; copied: boolean; renameStatement: number }>();
  const created = new Set<string>();
  const dropped = new Set<string>();
  const copies = new Set<string>();
  stmts.forEach((st, i) => {
    if (st.kind === "create-table") created.add(key(st.table.name));
    else if (st.kind === "insert")
      for (const src of sources(st.select)) copies.add(`${key(st.table.name)}\u0000${src}`);
    else if (st.kind === "drop" && st.what === "TABLE") for (const n of st.names) dropped.add(key(n.name));
    else if (st.kind === "alter-table") {
      const from = key(st.table.name);
      for (const a of st.actions) {
        if (a.op !== "rename-table") continue;
        const to = key(a.to.name);
        if (created.has(from) && dropped.has(to))
          out.set(to, { via: from, copied: copies.has(`${from}\u0000${to}`), renameStatement: i });
      }
    }
  });
  return out;
}
