// Inverses of ALTER TABLE actions on MariaDB/MySQL, each from the table as it stands just before
// the action: column definitions come back whole (type, nullability, default, charset/collation,
// comment, AUTO_INCREMENT, ON UPDATE, generated) and in their place; keys with their prefix lengths.
import type { AlterAction, ColumnDef, KeyDef } from "../../risk/tokens/model.ts";
import type { ColumnSnapshot, IndexSnapshot, TableSnapshot } from "../../schema/snapshot.ts";
import { combine, exact, type Inverse, irreversible } from "../postgres/step.ts";
import { cannot } from "../token-script.ts";
import { ordered, primaryKey, type Rel, setColumns } from "./model.ts";
import { addBackup, type MyCtx, restoreColumns } from "./step.ts";

const NOTHING = "changes nothing a down script must undo";

export function alterTable(c: MyCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "alter-table") return irreversible("not an ALTER TABLE");
  const r = c.m.rel(s.table);
  if (s.ignore) return cannot(c, "ALTER IGNORE TABLE deletes rows that break a new unique key; they are not backed up");
  if (c.m.isCreated(r)) {
    // Later statements on a table this migration creates are undone by dropping it; a rename moves it.
    const rename = s.actions.find((a) => a.op === "rename-table");
    if (rename && rename.op === "rename-table") c.m.rename(r, c.m.rel(rename.to));
    const back =
      rename && rename.op === "rename-table" ? [`RENAME TABLE ${c.m.qn(c.m.rel(rename.to))} TO ${c.m.qn(r)}`] : [];
    return exact(back, `table ${r.name} is created by this migration: dropping it undoes this`);
  }
  // Without a snapshot, the actions whose inverse needs no old definition (ADD, RENAME) still get one.
  // The stand-in is not kept in the model: later statements must not take it for the table.
  const t =
    c.m.table(r) ??
    (c.m.known ? undefined : { schema: r.schema, name: r.name, columns: [], primaryKey: null, indexes: [] });
  if (!t) return cannot(c, `ALTER TABLE ${r.name}: the table ${c.m.notIn}`);
  const parts: Inverse[] = [];
  let cur = r;
  for (const a of s.actions) {
    const inv = action(c, cur, t, a);
    parts.push(inv);
    if (a.op === "rename-table") cur = c.m.rel(a.to);
  }
  return combine(parts.reverse());
}

function alter(c: MyCtx, r: Rel, what: string): string {
  return `ALTER TABLE ${c.m.qn(r)} ${what}`;
}

function action(c: MyCtx, r: Rel, t: TableSnapshot, a: AlterAction): Inverse {
  const m = c.m;
  switch (a.op) {
    case "add-column":
      return addColumn(c, r, t, a.col, a.ifNotExists);
    case "drop-column":
      return dropColumn(c, r, t, a.name, a.ifExists);
    case "modify":
      return changeColumn(c, r, t, a.col.name, a.col);
    case "change":
      return changeColumn(c, r, t, a.from, a.col);
    case "rename-column": {
      const col = t.columns.find((x) => x.name.toLowerCase() === a.from.toLowerCase());
      if (!col && m.known) return cannot(c, `RENAME COLUMN ${a.from}: the column ${m.notIn}`);
      const from = col?.name ?? a.from;
      const was = m.columnCreated(r, from);
      renameColumn(t, from, a.to);
      m.markColumnCreated(r, from, false);
      if (was) m.markColumnCreated(r, a.to);
      return exact(
        [alter(c, r, `RENAME COLUMN ${m.qi(a.to)} TO ${m.qi(from)}`)],
        `renames column ${a.to} back to ${from}`,
      );
    }
    case "column-default": {
      const col = t.columns.find((x) => x.name.toLowerCase() === a.name.toLowerCase());
      if (!col) return cannot(c, `ALTER COLUMN ${a.name}: the column ${m.notIn}`);
      if (m.columnCreated(r, col.name)) return exact([], `column ${col.name} is added by this migration`);
      const sql = alter(c, r, `MODIFY COLUMN ${m.colDef(t, col)}`);
      // The new default is not modelled: a later statement on this column would see the old one.
      return exact([sql], `restores the definition of ${col.name} (its default)`);
    }
    case "add-key":
      return addKey(c, r, t, a.key, a.ifNotExists);
    case "drop-key":
      return dropKey(c, r, t, a.kind, a.name);
    case "rename-index":
      return renameIndex(c, r, t, a.pos);
    case "rename-table": {
      const to = m.rel(a.to);
      m.rename(r, to);
      return exact([`RENAME TABLE ${m.qn(to)} TO ${m.qn(r)}`], `renames table ${to.name} back to ${r.name}`);
    }
    case "algorithm":
    case "lock":
    case "force":
      return exact([], `${a.op.toUpperCase()} clause: ${NOTHING}`);
    case "option": {
      if (a.name.toUpperCase() === "COMMENT") {
        return exact([alter(c, r, `COMMENT = ${m.ql(t.comment ?? "")}`)], "restores the table comment");
      }
      return cannot(c, `no inverse is known for table option ${a.name}`);
    }
    default:
      return cannot(c, `no inverse is known for ALTER TABLE … ${a.op}`);
  }
}

function renameColumn(t: TableSnapshot, from: string, to: string): void {
  for (const col of t.columns) if (col.name === from) col.name = to;
  for (const ix of t.indexes) ix.columns = ix.columns.map((x) => (x === from ? to : x));
  if (t.primaryKey) t.primaryKey.columns = t.primaryKey.columns.map((x) => (x === from ? to : x));
}

/** A column definition as written, as a snapshot column (for later statements of this migration). */
function fromDef(col: ColumnDef, ordinal: number): ColumnSnapshot {
  return {
    name: col.name,
    type: col.typeText,
    nullable: !col.notNull && !col.primary,
    default: col.default ? col.default.text : null,
    ordinal,
  };
}

function placeColumn(t: TableSnapshot, col: ColumnSnapshot, position: ColumnDef["position"], after?: string): void {
  const cols = ordered(t).filter((x) => x.name !== col.name);
  let at = cols.length;
  if (position?.kind === "FIRST") at = 0;
  else if (after !== undefined)
    at = cols.findIndex((x) => x.name.toLowerCase() === after.toLowerCase()) + 1 || cols.length;
  cols.splice(at, 0, col);
  setColumns(t, cols);
}

/** AFTER x: the column name that follows the AFTER keyword in the action's tokens. */
function afterName(c: MyCtx, col: ColumnDef): string | undefined {
  if (col.position?.kind !== "AFTER") return undefined;
  const i = c.st.toks.findIndex((x) => x.start === col.position?.pos);
  return c.st.toks[i + 1]?.text;
}

function addColumn(c: MyCtx, r: Rel, t: TableSnapshot, col: ColumnDef, ifNotExists: boolean): Inverse {
  const m = c.m;
  if (t.columns.some((x) => x.name.toLowerCase() === col.name.toLowerCase())) {
    return ifNotExists
      ? exact([], `column ${col.name} exists already: IF NOT EXISTS adds nothing`)
      : irreversible(`ADD COLUMN ${col.name}: the column exists already`);
  }
  placeColumn(t, fromDef(col, t.columns.length + 1), col.position, afterName(c, col));
  m.markColumnCreated(r, col.name);
  const extra: string[] = [];
  if (col.primary) t.primaryKey = { columns: [col.name] };
  if (col.unique) t.indexes.push({ name: col.name, columns: [col.name], unique: true });
  return exact([alter(c, r, `DROP COLUMN ${m.qi(col.name)}`), ...extra], `drops the added column ${col.name}`);
}

function dropColumn(c: MyCtx, r: Rel, t: TableSnapshot, name: string, ifExists: boolean): Inverse {
  const m = c.m;
  const col = t.columns.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!col)
    return ifExists
      ? exact([], `column ${name} does not exist: IF EXISTS drops nothing`)
      : cannot(c, `DROP COLUMN ${name}: the column ${m.notIn}`);
  const position = m.position(t, col.name);
  const definition = `ADD COLUMN ${m.colDef(t, col)} ${position}`;
  const touched = t.indexes.filter((ix) => ix.columns.includes(col.name));
  const rebuild = touched.flatMap((ix) => {
    const def = m.keyDef(t, ix.name) ?? "";
    return ix.columns.length > 1 ? [`DROP KEY ${m.qi(ix.name)}`, `ADD ${def}`] : [`ADD ${def}`];
  });
  // Drop the column from the model: indexes lose it (one-column indexes go).
  t.indexes = t.indexes
    .map((ix) => (ix.columns.includes(col.name) ? { ...ix, columns: ix.columns.filter((x) => x !== col.name) } : ix))
    .filter((ix) => ix.columns.length > 0);
  t.constraints = (t.constraints ?? []).filter((k) => k.column !== col.name);
  const wasCreated = m.columnCreated(r, col.name);
  setColumns(
    t,
    ordered(t).filter((x) => x !== col),
  );
  if (wasCreated) return exact([], `column ${col.name} is added by this migration`);
  const restore = [alter(c, r, [definition, ...rebuild].join(", "))];
  if (col.generated !== undefined) {
    return exact(restore, `re-adds the generated column ${col.name} (its values are computed)`);
  }
  const key = primaryKey(t);
  if (key.length === 0 || key.includes(col.name)) {
    return cannot(c, `DROP COLUMN ${col.name} on ${r.name}: the table has no primary key to key its backup by`);
  }
  const backup = addBackup(c, {
    source: r,
    columns: [...key, col.name],
    from: m.qn(r),
    keyColumns: key,
    reason: "DROP COLUMN",
  });
  return exact(
    [...restore, ...restoreColumns(c, r, backup, key, [col.name])],
    `re-adds column ${col.name} in its place with its definition and puts its values back from the backup`,
  );
}

/** MODIFY / CHANGE: the previous definition back, and the values when the new type may lose them. */
function changeColumn(c: MyCtx, r: Rel, t: TableSnapshot, from: string, col: ColumnDef): Inverse {
  const m = c.m;
  const old = t.columns.find((x) => x.name.toLowerCase() === from.toLowerCase());
  if (!old) return cannot(c, `MODIFY/CHANGE ${from}: the column ${m.notIn}`);
  const wasCreated = m.columnCreated(r, old.name);
  const before = structuredClone(old);
  const prevDef = m.colDef(t, before);
  const position = m.position(t, before.name);
  const renamed = col.name !== before.name;
  // The model takes the new definition as written (type, nullability, default), in its new place.
  const next = { ...fromDef(col, old.ordinal) };
  const i = t.columns.indexOf(old);
  t.columns[i] = next;
  if (renamed) renameColumn(t, before.name, col.name);
  next.name = col.name;
  if (col.position) placeColumn(t, next, col.position, afterName(c, col));
  t.constraints = (t.constraints ?? []).filter((k) => k.column !== before.name);
  if (wasCreated) {
    m.markColumnCreated(r, before.name, false);
    m.markColumnCreated(r, col.name);
    return exact(
      renamed ? [alter(c, r, `RENAME COLUMN ${m.qi(col.name)} TO ${m.qi(before.name)}`)] : [],
      `column ${before.name} is added by this migration`,
    );
  }
  const back = alter(c, r, `CHANGE COLUMN ${m.qi(col.name)} ${prevDef} ${position}`);
  const sameType = col.typeText.toLowerCase().replace(/\s+/g, "") === before.type.toLowerCase().replace(/\s+/g, "");
  if (sameType || before.generated !== undefined) {
    return exact([back], `restores the previous definition of ${before.name}`);
  }
  const key = primaryKey(t);
  if (key.length === 0 || key.includes(before.name) || key.includes(col.name)) {
    return cannot(
      c,
      `type change of ${before.name} on ${r.name}: no primary key (other than the column) to key the backup of its values by`,
    );
  }
  const backup = addBackup(c, {
    source: r,
    columns: [...key, before.name],
    from: m.qn(r),
    keyColumns: key,
    reason: "ALTER COLUMN TYPE",
  });
  return exact(
    [back, ...restoreColumns(c, r, backup, key, [before.name])],
    `restores the previous definition of ${before.name} and its values from the backup`,
  );
}

function indexName(t: TableSnapshot, k: KeyDef): string {
  if (k.kind === "primary") return "PRIMARY";
  if (k.name) return k.name;
  const base = k.columns[0] ?? "";
  let name = base;
  for (let n = 2; t.indexes.some((x) => x.name.toLowerCase() === name.toLowerCase()); n++) name = `${base}_${n}`;
  return name;
}

function addKey(c: MyCtx, r: Rel, t: TableSnapshot, k: KeyDef, ifNotExists: boolean): Inverse {
  const m = c.m;
  if (k.kind === "check") {
    const name = k.name;
    if (!name)
      return cannot(
        c,
        "an unnamed CHECK gets a server-chosen name; name it (CONSTRAINT name CHECK …) to make it reversible",
      );
    t.constraints = [...(t.constraints ?? []), { name, kind: "check", definition: "" }];
    return exact([alter(c, r, `DROP CONSTRAINT ${m.qi(name)}`)], `drops check ${name}`);
  }
  if (k.kind === "foreign") {
    const name = k.name;
    if (!name)
      return cannot(
        c,
        "an unnamed FOREIGN KEY gets a server-chosen name; name it (CONSTRAINT name FOREIGN KEY …) to make it reversible",
      );
    const covered = t.indexes.some((ix) =>
      k.columns.every((col, i) => ix.columns[i]?.toLowerCase() === col.toLowerCase()),
    );
    t.constraints = [...(t.constraints ?? []), { name, kind: "foreign", definition: "" }];
    const sql = [alter(c, r, `DROP FOREIGN KEY ${m.qi(name)}`)];
    // InnoDB adds an index named after the constraint when no index starts with its columns.
    if (!covered) {
      t.indexes.push({ name, columns: k.columns, unique: false });
      sql.push(alter(c, r, `DROP KEY ${m.qi(name)}`));
    }
    return exact(sql, `drops foreign key ${name}${covered ? "" : " and the index InnoDB made for it"}`);
  }
  const name = indexName(t, k);
  if (t.indexes.some((x) => x.name.toLowerCase() === name.toLowerCase())) {
    return ifNotExists
      ? exact([], `index ${name} exists already: IF NOT EXISTS adds nothing`)
      : irreversible(`ADD KEY ${name}: the index exists already`);
  }
  const ix: IndexSnapshot = {
    name,
    columns: k.columns,
    unique: k.kind === "unique" || k.kind === "primary",
    ...(k.kind === "primary" ? { primary: true as const } : {}),
  };
  t.indexes.push(ix);
  if (k.kind === "primary") {
    t.primaryKey = { columns: k.columns };
    return exact([alter(c, r, "DROP PRIMARY KEY")], "drops the added primary key");
  }
  return exact([alter(c, r, `DROP KEY ${m.qi(name)}`)], `drops the added index ${name}`);
}

function dropKey(c: MyCtx, r: Rel, t: TableSnapshot, kind: string, name: string): Inverse {
  const m = c.m;
  if (kind === "primary" || kind === "index") {
    const ix = t.indexes.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!ix) return cannot(c, `DROP ${kind === "primary" ? "PRIMARY KEY" : `INDEX ${name}`}: it ${m.notIn}`);
    const def = m.keyDef(t, ix.name) ?? "";
    t.indexes = t.indexes.filter((x) => x !== ix);
    if (kind === "primary") t.primaryKey = null;
    return exact(
      [alter(c, r, `ADD ${def}`)],
      `re-creates ${ix.primary ? "the primary key" : `index ${ix.name}`} from the snapshot`,
    );
  }
  const k = (t.constraints ?? []).find(
    (x) => x.name.toLowerCase() === name.toLowerCase() && (kind === "constraint" || x.kind === kind),
  );
  if (!k) return cannot(c, `DROP ${kind.toUpperCase()} ${name}: the constraint ${m.notIn}`);
  t.constraints = (t.constraints ?? []).filter((x) => x !== k);
  if (k.kind === "check" && k.column !== undefined) {
    const col = t.columns.find((x) => x.name === k.column);
    if (!col) return cannot(c, `check ${name}: its column ${k.column} ${m.notIn}`);
    // A column's own check comes back as part of the column, as SHOW CREATE TABLE shows it.
    const def = m.colDef({ ...t, constraints: [...(t.constraints ?? []), k] }, col);
    return exact([alter(c, r, `MODIFY COLUMN ${def}`)], `restores column ${col.name} with its check`);
  }
  if (k.kind === "foreign" || k.kind === "check") {
    return exact(
      [alter(c, r, `ADD CONSTRAINT ${m.qi(k.name)} ${k.definition}`)],
      `re-creates ${k.kind === "check" ? "check" : "foreign key"} ${k.name} from the snapshot`,
    );
  }
  return cannot(c, `no inverse is known for dropping a ${k.kind} constraint ${name}`);
}

function renameIndex(c: MyCtx, r: Rel, t: TableSnapshot, pos: number): Inverse {
  const i = c.st.toks.findIndex((x) => x.start === pos);
  // RENAME INDEX|KEY old TO new
  const from = c.st.toks[i + 2]?.text ?? "";
  const to = c.st.toks[i + 4]?.text ?? "";
  const ix = t.indexes.find((x) => x.name.toLowerCase() === from.toLowerCase());
  if (!ix || to === "") return cannot(c, `RENAME INDEX ${from}: the index ${c.m.notIn}`);
  ix.name = to;
  return exact([alter(c, r, `RENAME INDEX ${c.m.qi(to)} TO ${c.m.qi(from)}`)], `renames index ${to} back to ${from}`);
}
