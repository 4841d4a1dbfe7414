// Inverses of MariaDB/MySQL statements that change rows: the before-hook copies what DELETE, UPDATE
// and TRUNCATE destroy, the down script puts it back; INSERT with constant keys is undone by key.

import { exact, type Inverse, irreversible, partly } from "../postgres/step.ts";
import { cannot, clauseAfter, constantText, findTop, valueRows } from "../token-script.ts";
import { primaryKey, type Rel, writable } from "./model.ts";
import { addBackup, type MyCtx, restoreColumns, restoreRowsSql } from "./step.ts";

const STOPS = ["ORDER", "LIMIT", "RETURNING"];

function createdHere(c: MyCtx, r: Rel): Inverse | undefined {
  return c.m.isCreated(r)
    ? exact([], `table ${r.name} is created by this migration: dropping it undoes this`)
    : undefined;
}

/** The single table a DELETE/UPDATE changes, or why it cannot be told. */
function singleTarget(c: MyCtx): { r: Rel; alias?: string } | string {
  const s = c.st.stmt;
  if (s.kind !== "delete" && s.kind !== "update") return "not a DELETE or UPDATE";
  const items = s.from?.items ?? [];
  const tables = items.flatMap((i) => i.tables);
  if (s.targets.length !== 1 || tables.length > 1 || items.some((i) => i.subquery || i.joins.length > 0)) {
    return "a multi-table statement: the changed rows of each table are not selected ahead";
  }
  const t = s.targets[0];
  if (!t) return "no target table";
  return { r: c.m.rel(t.name), ...(t.alias ? { alias: t.alias } : {}) };
}

function rowsOf(c: MyCtx, r: Rel, alias: string | undefined): string | undefined {
  const s = c.st.stmt;
  if ((s.kind === "delete" || s.kind === "update") && (s.limit !== undefined || s.orderBy)) return undefined;
  const where = clauseAfter(c.st, "WHERE", STOPS);
  return `${c.m.qn(r)}${alias ? ` AS ${c.m.qi(alias)}` : ""}${where ? ` WHERE ${where}` : ""}`;
}

export function del(c: MyCtx): Inverse {
  const target = singleTarget(c);
  if (typeof target === "string") return cannot(c, `DELETE: ${target}`);
  const { r, alias } = target;
  const here = createdHere(c, r);
  if (here) return here;
  const t = c.m.table(r);
  if (!t) return cannot(c, `DELETE on ${r.name}: the table ${c.m.notIn}`);
  const from = rowsOf(c, r, alias);
  if (!from) return cannot(c, `DELETE on ${r.name} with ORDER BY/LIMIT: the deleted rows cannot be selected ahead`);
  const backup = addBackup(c, { source: r, columns: [], from, keyColumns: [], reason: "DELETE" });
  return exact(restoreRowsSql(c, r, backup, writable(t)), `re-inserts the deleted rows of ${r.name} from the backup`);
}

export function update(c: MyCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "update") return irreversible("not an UPDATE");
  const target = singleTarget(c);
  if (typeof target === "string") return cannot(c, `UPDATE: ${target}`);
  const { r, alias } = target;
  const here = createdHere(c, r);
  if (here) return here;
  const t = c.m.table(r);
  if (!t) return cannot(c, `UPDATE on ${r.name}: the table ${c.m.notIn}`);
  const key = primaryKey(t);
  if (key.length === 0) return cannot(c, `UPDATE on ${r.name}: the table has no primary key to key its backup by`);
  const set = [...new Set(s.sets.map((x) => x.column.at(-1) ?? ""))];
  const changed = [
    ...set,
    ...t.columns.filter((x) => x.onUpdate !== undefined && !set.includes(x.name)).map((x) => x.name),
  ];
  if (set.some((col) => key.includes(col)))
    return cannot(c, `UPDATE on ${r.name} changes its primary key, which the restore joins on`);
  const from = rowsOf(c, r, alias);
  if (!from) return cannot(c, `UPDATE on ${r.name} with ORDER BY/LIMIT: the updated rows cannot be selected ahead`);
  const backup = addBackup(c, {
    source: r,
    columns: [...key, ...changed],
    from,
    keyColumns: key,
    reason: "UPDATE",
  });
  return exact(
    restoreColumns(c, r, backup, key, changed),
    `puts back the old values of ${changed.join(", ")} in ${r.name} from the backup`,
  );
}

export function truncate(c: MyCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "truncate") return irreversible("not a TRUNCATE");
  const parts: Inverse[] = [];
  for (const n of s.tables) {
    const r = c.m.rel(n);
    const here = createdHere(c, r);
    if (here) {
      parts.push(here);
      continue;
    }
    const t = c.m.table(r);
    if (!t) return cannot(c, `TRUNCATE of ${r.name}: the table ${c.m.notIn}`);
    const backup = addBackup(c, { source: r, columns: [], from: c.m.qn(r), keyColumns: [], reason: "TRUNCATE" });
    parts.push(exact(restoreRowsSql(c, r, backup, writable(t)), `re-inserts the rows of ${r.name} from the backup`));
  }
  return parts.length === 1 && parts[0]
    ? parts[0]
    : exact(
        parts.flatMap((p) => p.sql),
        parts.map((p) => p.note).join("; "),
      );
}

export function insert(c: MyCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "insert") return irreversible("not an INSERT");
  const r = c.m.rel(s.table);
  const here = createdHere(c, r);
  if (here) return here;
  if (s.replace) return cannot(c, `REPLACE into ${r.name} overwrites rows with the same key, which are not backed up`);
  if (findTop(c.st.toks, ["DUPLICATE"]) >= 0) {
    return irreversible("with ON DUPLICATE KEY UPDATE some rows existed before; deleting them by key would lose them");
  }
  if (findTop(c.st.toks, ["IGNORE"]) >= 0) {
    return irreversible("INSERT IGNORE skips rows whose key existed; deleting by key would lose those rows");
  }
  const t = c.m.table(r);
  if (!t) return irreversible(`table ${r.name} ${c.m.notIn}`);
  const key = primaryKey(t);
  if (key.length === 0) return irreversible(`${r.name} has no primary key to delete the inserted rows by`);
  if (s.select || findTop(c.st.toks, ["SET"]) >= 0) {
    return irreversible("INSERT … SELECT / SET: the inserted keys are not known before it runs");
  }
  const rows = valueRows(c.st);
  if (!rows || rows.length === 0) return irreversible("the inserted rows could not be read");
  const order = s.hasColumnList
    ? s.columns.map((x) => x.name)
    : [...t.columns].sort((a, b) => a.ordinal - b.ordinal).map((x) => x.name);
  const positions = key.map((k) => order.findIndex((x) => x.toLowerCase() === k.toLowerCase()));
  if (positions.some((p) => p < 0)) {
    return irreversible(
      `the statement leaves the key (${key.join(", ")}) to the server, so the inserted keys are unknown`,
    );
  }
  const tuples: string[][] = [];
  for (const row of rows) {
    const vals = positions.map((p) => constantText(c.st, row[p] ?? []));
    if (vals.some((v) => v === undefined))
      return irreversible("a key value is not a constant, so the inserted keys are unknown before it runs");
    tuples.push(vals as string[]);
  }
  const cols = key.map((k) => c.m.qi(k)).join(", ");
  const values = tuples.map((v) => (key.length === 1 ? v[0] : `(${v.join(", ")})`)).join(", ");
  const where = key.length === 1 ? `${cols} IN (${values})` : `(${cols}) IN (${values})`;
  const sql = [`DELETE FROM ${c.m.qn(r)} WHERE ${where}`];
  const note = `deletes the ${rows.length} inserted row(s) of ${r.name} by primary key`;
  const auto = t.columns.find((x) => x.autoIncrement);
  return auto ? partly(sql, note, `the AUTO_INCREMENT counter of ${r.name} is not moved back`) : exact(sql, note);
}
