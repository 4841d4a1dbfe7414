// How each statement changes what the rules of later statements know. Runs after every rule saw it.

import { type ColumnFact, key, type TokenCtx, type TokenScript } from "./context.ts";
import type { ColumnDef, KeyDef, Stmt } from "./model.ts";

const DML = new Set(["delete", "update", "insert"]);
const DDL = new Set([
  "alter-table",
  "create-table",
  "create-index",
  "drop",
  "rename-table",
  "truncate",
  "view",
  "routine",
]);

export const isDml = (s: Stmt): boolean => DML.has(s.kind);
export const isDdl = (s: Stmt): boolean => DDL.has(s.kind);

export function columnFact(c: ColumnDef): ColumnFact {
  return { type: c.typeText, notNull: c.notNull || c.primary, primary: c.primary };
}

export function applyEffects(ctx: TokenCtx): void {
  const s = ctx.script;
  const st = ctx.stmt;
  if (isDml(st)) s.sawDml = true;
  if (isDdl(st)) s.sawDdl = true;
  // DDL commits the open transaction implicitly: its row locks are gone.
  if (isDdl(st) && s.explicitTxn) {
    s.explicitTxn = false;
    for (const [t, by] of s.held) if (by !== "LOCK TABLES") s.held.delete(t);
  }
  switch (st.kind) {
    case "create-table": {
      const t = key(st.table.name);
      if (st.ifNotExists && (s.columns.has(t) || s.created.has(t))) return;
      const pk =
        st.copied || st.temporary || st.columns.some((c) => c.primary) || st.keys.some((k) => k.kind === "primary");
      s.created.set(t, { pk, statement: ctx.index, offset: st.table.start, name: st.table.name });
      if (st.copied && st.columns.length === 0) s.columns.delete(t);
      else s.columns.set(t, new Map(st.columns.map((c) => [key(c.name), columnFact(c)])));
      for (const c of st.columns) columnKeys(s, ctx, t, c);
      for (const k of st.keys) addKey(s, ctx, t, k);
      return;
    }
    case "alter-table": {
      const t = key(st.table.name);
      s.alters.set(t, (s.alters.get(t) ?? 0) + 1);
      const cols = s.columns.get(t);
      for (const a of st.actions) {
        if (a.op === "add-column") {
          cols?.set(key(a.col.name), columnFact(a.col));
          columnKeys(s, ctx, t, a.col);
        } else if (a.op === "drop-column") cols?.delete(key(a.name));
        else if (a.op === "modify") cols?.set(key(a.col.name), columnFact(a.col));
        else if (a.op === "change") {
          cols?.delete(key(a.from));
          cols?.set(key(a.col.name), columnFact(a.col));
        } else if (a.op === "rename-column") {
          const old = cols?.get(key(a.from));
          cols?.delete(key(a.from));
          if (old !== undefined) cols?.set(key(a.to), old);
        } else if (a.op === "add-key") addKey(s, ctx, t, a.key);
        else if (a.op === "drop-key") {
          s.indexes = s.indexes.filter((i) => !(i.table === t && key(i.name) === key(a.name)));
        } else if (a.op === "rename-table") renameTable(s, t, key(a.to.name));
      }
      return;
    }
    case "create-index":
      addKey(s, ctx, key(st.table.name), st.key);
      return;
    case "drop":
      for (const n of st.names) {
        const t = key(n.name);
        if (st.what === "TABLE") {
          s.created.delete(t);
          s.columns.delete(t);
        } else if (st.what === "INDEX") {
          s.indexes = s.indexes.filter((i) => key(i.name) !== t);
        } else if (st.what === "VIEW") s.views.delete(t);
      }
      return;
    case "rename-table":
      for (const p of st.pairs) renameTable(s, key(p.from.name), key(p.to.name));
      return;
    case "view":
      s.views.add(key(st.name.name));
      return;
    case "set":
      for (const v of st.vars) {
        const on = !/^(0|default|null)$/i.test(v.value.trim());
        if (v.name === "lock_wait_timeout") s.lockTimeout = on;
        if (v.name === "max_execution_time" || v.name === "max_statement_time") s.statementTimeout = on;
      }
      return;
    case "txn":
      if (st.verb === "begin") {
        s.explicitTxn = true;
        s.txnStart = { statement: ctx.index, offset: st.pos };
      } else if (st.verb === "commit" || st.verb === "rollback") {
        s.explicitTxn = false;
        for (const [t, by] of s.held) if (by !== "LOCK TABLES") s.held.delete(t);
      }
      return;
    case "lock-tables":
      for (const n of st.write) if (ctx.existing(n.name)) s.held.set(key(n.name), "LOCK TABLES");
      return;
    case "unlock-tables":
      for (const [t, by] of s.held) if (by === "LOCK TABLES") s.held.delete(t);
      return;
    case "update":
    case "delete":
      if (s.explicitTxn) {
        for (const t of st.targets) if (ctx.existing(t.name.name)) s.held.set(key(t.name.name), st.kind.toUpperCase());
      }
      return;
    default:
      return;
  }
}

function renameTable(s: TokenScript, from: string, to: string): void {
  const cols = s.columns.get(from);
  if (cols !== undefined) s.columns.set(to, cols);
  s.columns.delete(from);
  const created = s.created.get(from);
  if (created !== undefined) s.created.set(to, created);
  s.created.delete(from);
  for (const i of s.indexes) if (i.table === from) i.table = to;
  for (const f of s.fks) if (f.table === from) f.table = to;
}

function columnKeys(s: TokenScript, ctx: TokenCtx, table: string, c: ColumnDef): void {
  const col = key(c.name);
  if (c.primary) {
    s.indexes.push({ name: "PRIMARY", table, columns: [col], unique: true });
    const e = s.created.get(table);
    if (e !== undefined) e.pk = true;
  } else if (c.unique) s.indexes.push({ name: c.name, table, columns: [col], unique: true });
  if (c.references !== undefined) s.fks.push({ table, columns: [col], statement: ctx.index, offset: c.references.pos });
}

function addKey(s: TokenScript, ctx: TokenCtx, table: string, k: KeyDef): void {
  if (k.partial === true) return;
  const columns = k.columns.map(key);
  if (k.kind === "primary") {
    const e = s.created.get(table);
    if (e !== undefined) e.pk = true;
    s.indexes.push({ name: "PRIMARY", table, columns, unique: true });
  } else if (k.kind === "unique" || k.kind === "index") {
    s.indexes.push({ name: k.name ?? columns[0] ?? "", table, columns, unique: k.kind === "unique" });
  } else if (k.kind === "foreign") {
    s.fks.push({ table, columns, statement: ctx.index, offset: k.pos });
  }
}
