// Inverses of statements that change rows: the before-hook copies what they destroy (keyed by the
// primary key where the restore needs one) and the down script puts it back; INSERT is undone by key.
import { addBackup, addGap, requireKey, restoreColumnsSql, restoreRowsSql, resyncSequencesSql } from "./backup-spec.ts";
import { qi, qn, type Rel, writableColumns } from "./model.ts";
import { arr, isConstant, type Node, obj, str } from "./sql.ts";
import { exact, type Inverse, irreversible, partly, relOf, type StepCtx } from "./step.ts";

function createdHere(c: StepCtx, r: Rel): Inverse | undefined {
  return c.model.isCreated(r)
    ? exact([], `table ${r.name} is created by this migration: dropping it undoes this`)
    : undefined;
}

/** The rows a DELETE or UPDATE touches, as a SELECT body; undefined when they cannot be told apart. */
function affectedRows(c: StepCtx, s: Node, r: Rel, joinKeyword: "USING" | "FROM"): string | undefined {
  if (obj(s, "withClause")) return undefined;
  const alias = str(s, "relation", "alias", "aliasname");
  const target = `${qn(r.schema, r.name)}${alias ? ` AS ${qi(alias)}` : ""}`;
  const whereAt = c.p.findTop(["WHERE"]);
  if (whereAt >= 0 && c.p.tokens[whereAt + 1]?.keyword === "CURRENT") return undefined;
  const where = whereAt >= 0 ? c.p.clause(whereAt, ["RETURNING"]) : "";
  const joinAt = arr(s, joinKeyword === "USING" ? "usingClause" : "fromClause").length
    ? c.p.findTop([joinKeyword], joinKeyword === "FROM" ? Math.max(0, c.p.findTop(["SET"])) : 0)
    : -1;
  const join = joinAt >= 0 ? c.p.clause(joinAt, ["WHERE", "RETURNING"]) : "";
  // A joined DELETE/UPDATE touches each target row once however many join rows match it.
  if (join) return `${target} WHERE EXISTS (SELECT 1 FROM ${join}${where ? ` WHERE ${where}` : ""})`;
  return where ? `${target} WHERE ${where}` : target;
}

export function del(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "relation"));
  const here = createdHere(c, r);
  if (here) return here;
  const t = c.model.table(r);
  const from = affectedRows(c, s, r, "USING");
  if (!t || !from) {
    const reason = !t
      ? `table ${r.name} ${c.model.notIn}`
      : "the deleted rows cannot be selected ahead (WITH clause or WHERE CURRENT OF)";
    addGap(c, `DELETE on ${r.schema}.${r.name}: ${reason}`);
    return irreversible(reason);
  }
  const columns = writableColumns(t);
  const backup = addBackup(c, { source: r, columns: [], from, keyColumns: [], reason: "DELETE" });
  return exact(restoreRowsSql(c, r, backup, columns), `re-inserts the deleted rows of ${r.name} from the backup`);
}

export function update(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "relation"));
  const here = createdHere(c, r);
  if (here) return here;
  const set = [...new Set(arr(s, "targetList").map((x) => str(x, "ResTarget", "name") ?? ""))];
  const key = requireKey(c, r, "UPDATE");
  const from = affectedRows(c, s, r, "FROM");
  if (!key) {
    return irreversible(
      c.model.table(r)
        ? `${r.name} has no primary key to restore the old values by`
        : `table ${r.name} ${c.model.notIn}`,
    );
  }
  if (set.some((col) => key.includes(col))) {
    addGap(c, `UPDATE on ${r.schema}.${r.name} changes its primary key`);
    return irreversible("the UPDATE changes the primary key, which the restore joins on");
  }
  if (!from) {
    addGap(c, `UPDATE on ${r.schema}.${r.name}: the updated rows cannot be selected ahead`);
    return irreversible("the updated rows cannot be selected ahead (WITH clause or WHERE CURRENT OF)");
  }
  const backup = addBackup(c, {
    source: r,
    columns: [...key, ...set],
    from,
    keyColumns: key,
    reason: "UPDATE",
  });
  return exact(
    [restoreColumnsSql(r, backup, key, set)],
    `puts back the old values of ${set.join(", ")} in ${r.name} from the backup`,
  );
}

export function truncate(c: StepCtx, s: Node): Inverse[] {
  const out: Inverse[] = [];
  const restart = s.restart_seqs === true;
  for (const rv of arr(s, "relations")) {
    const r = relOf(c, obj(rv, "RangeVar"));
    const t = c.model.table(r);
    const here = createdHere(c, r);
    if (here) {
      out.push(here);
      continue;
    }
    if (!t) {
      addGap(c, `TRUNCATE of ${r.schema}.${r.name}: the table ${c.model.notIn}`);
      out.push(irreversible(`table ${r.name} ${c.model.notIn}`));
      continue;
    }
    const columns = writableColumns(t);
    const backup = addBackup(c, {
      source: r,
      columns: [],
      from: qn(r.schema, r.name),
      keyColumns: [],
      reason: "TRUNCATE",
    });
    const sql = [...restoreRowsSql(c, r, backup, columns), ...(restart ? resyncSequencesSql(c, r) : [])];
    const note = `re-inserts the rows of ${r.name} from the backup`;
    out.push(
      str(s, "behavior") === "DROP_CASCADE"
        ? partly(sql, note, "CASCADE also empties referencing tables; their rows are not backed up")
        : exact(sql, note),
    );
  }
  return out.reverse();
}

export function insert(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "relation"));
  const here = createdHere(c, r);
  if (here) return here;
  const t = c.model.table(r);
  if (!t) return irreversible(`table ${r.name} ${c.model.notIn}`);
  const key = t.primaryKey?.columns ?? [];
  if (key.length === 0) return irreversible(`${r.name} has no primary key to delete the inserted rows by`);
  if (obj(s, "onConflictClause")) {
    return irreversible("with ON CONFLICT some rows may have existed before; deleting them by key would lose them");
  }
  const rows = arr(s, "selectStmt", "SelectStmt", "valuesLists");
  if (rows.length === 0) return irreversible("INSERT … SELECT: the inserted keys are not known before it runs");
  const listed = arr(s, "cols").map((x) => str(x, "ResTarget", "name") ?? "");
  const order = listed.length ? listed : [...t.columns].sort((a, b) => a.ordinal - b.ordinal).map((x) => x.name);
  const positions = key.map((k) => order.indexOf(k));
  if (positions.some((p) => p < 0)) {
    return irreversible(
      `the statement leaves the key (${key.join(", ")}) to the server, so the inserted keys are unknown`,
    );
  }
  const nodes = rows.map((row) => arr(row, "List", "items"));
  if (nodes.some((items) => positions.some((p) => !isConstant(items[p])))) {
    return irreversible("a key value is not a constant, so the inserted keys are unknown before it runs");
  }
  const texts = c.p.groupsAfter(c.p.findTop(["VALUES"]));
  const tuples = texts.map((items) => positions.map((p) => items[p] ?? "NULL"));
  const cols = key.map(qi).join(", ");
  const values = tuples.map((v) => (key.length === 1 ? v[0] : `(${v.join(", ")})`)).join(", ");
  const where = key.length === 1 ? `${cols} IN (${values})` : `(${cols}) IN (${values})`;
  const sql = [`DELETE FROM ${qn(r.schema, r.name)} WHERE ${where}`];
  const note = `deletes the ${rows.length} inserted row(s) of ${r.name} by primary key`;
  // A sequence advances only for columns the statement leaves to their default.
  const advanced = t.columns.filter(
    (col) => !order.includes(col.name) && (col.identity || col.default?.startsWith("nextval(")),
  );
  return advanced.length
    ? partly(sql, note, `the sequence of ${advanced.map((x) => x.name).join(", ")} is not moved back`)
    : exact(sql, note);
}
