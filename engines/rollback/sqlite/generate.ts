// generateDown for SQLite: read each up statement with the token reader and derive its inverse from
// the schema as it stands just before it. SQLite keeps every object's CREATE text (sqlite_schema),
// and the snapshot keeps it too: dropped objects come back from that text, so `.schema` shows the
// same. What ALTER TABLE cannot put back (a dropped column in its place) is a table rebuild — the
// "12-step" procedure: new table from the old text, copy, drop, rename, indexes and triggers again.
import type { SchemaObjectSnapshot, TableSnapshot } from "../../schema/snapshot.ts";
import { sqliteDialect } from "../../sqlite/dialect.ts";
import { SQLITE_BACKUP_PREFIX } from "../backup/area.ts";
import { backupTableName } from "../backup-names.ts";
import { combine, exact, type Inverse, irreversible, partly } from "../postgres/step.ts";
import {
  cannot,
  clauseAfter,
  constantText,
  findTop,
  generateWithTokens,
  noInverse,
  type TokCtx,
  valueRows,
} from "../token-script.ts";
import type { DownScript, GenerateDownOptions } from "../types.ts";

const q = sqliteDialect.quoteIdent;
const NOTHING = "changes nothing a down script must undo";
const k = (name: string) => name.toLowerCase();

class SqliteModel {
  readonly tables = new Map<string, TableSnapshot>();
  readonly objects: SchemaObjectSnapshot[];
  readonly created = new Set<string>();
  readonly known: boolean;
  constructor(s: GenerateDownOptions["schemaBefore"]) {
    this.known = s !== undefined;
    for (const t of s?.tables ?? [])
      if (t.schema === "main" || t.schema === "") this.tables.set(k(t.name), structuredClone(t));
    this.objects = structuredClone((s?.objects ?? []).filter((o) => o.schema === "main" || o.schema === ""));
  }
  get notIn(): string {
    return this.known ? "is not in the schema snapshot" : "is unknown (no schema snapshot was given)";
  }
  table(name: string) {
    return this.tables.get(k(name));
  }
  object(kind: string, name: string) {
    return this.objects.find((o) => o.kind === kind && k(o.name) === k(name));
  }
  index(name: string): { t: TableSnapshot; ix: TableSnapshot["indexes"][number] } | undefined {
    for (const t of this.tables.values()) {
      const ix = t.indexes.find((x) => k(x.name) === k(name));
      if (ix) return { t, ix };
    }
    return undefined;
  }
}

interface SqCtx extends TokCtx {
  m: SqliteModel;
}

export function generateSqliteDown(upSql: string, o: GenerateDownOptions): Promise<DownScript> {
  const m = new SqliteModel(o.schemaBefore);
  return Promise.resolve(generateWithTokens(upSql, o, "sqlite", (c) => inverseOf({ ...c, m })));
}

/** A name as SQLite's own ALTER writes it back: bare when it is a plain identifier. */
function bare(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toUpperCase()) ? name : q(name);
}
const KEYWORDS = new Set([
  "ORDER",
  "GROUP",
  "TABLE",
  "INDEX",
  "SELECT",
  "FROM",
  "WHERE",
  "KEY",
  "DEFAULT",
  "CHECK",
  "REFERENCES",
  "VALUES",
  "TO",
  "AS",
]);

function addBackup(
  c: SqCtx,
  spec: { source: string; columns: string[]; from: string; keyColumns: string[]; reason: string },
): string {
  const nth = c.backups.filter((b) => b.upIndex === c.upIndex).length;
  const backupTable = backupTableName(c.migrationId, c.upIndex, nth);
  c.backups.push({ upIndex: c.upIndex, backupTable, ...spec, source: { schema: "main", name: spec.source } });
  return q(`${SQLITE_BACKUP_PREFIX}${backupTable}`);
}

/** SQLite cannot switch triggers off: a restore drops the table's triggers and re-creates them after. */
function withoutTriggers(c: SqCtx, table: string, sql: string[]): string[] {
  const triggers = c.m.objects.filter((o) => o.kind === "trigger" && k(o.table ?? "") === k(table) && o.definition);
  if (triggers.length === 0) return sql;
  return [...triggers.map((t) => `DROP TRIGGER ${q(t.name)}`), ...sql, ...triggers.map((t) => t.definition)];
}

const writable = (t: TableSnapshot) =>
  [...t.columns]
    .sort((a, b) => a.ordinal - b.ordinal)
    .filter((x) => x.generated === undefined)
    .map((x) => x.name);

function created(c: SqCtx, name: string): Inverse | undefined {
  return c.m.created.has(k(name))
    ? exact([], `table ${name} is created by this migration: dropping it undoes this`)
    : undefined;
}

function inverseOf(c: SqCtx): Inverse {
  const s = c.st.stmt;
  switch (s.kind) {
    case "create-table": {
      const name = s.table.name;
      if (s.temporary) return exact([], `temporary table: ${NOTHING} once the session ends`);
      if (c.m.table(name))
        return s.ifNotExists
          ? exact([], `table ${name} exists already: IF NOT EXISTS creates nothing`)
          : irreversible(`table ${name} exists already`);
      c.m.tables.set(k(name), {
        schema: "main",
        name,
        columns: s.columns.map((x, i) => ({
          name: x.name,
          type: x.typeText,
          nullable: !x.notNull,
          default: null,
          ordinal: i + 1,
        })),
        primaryKey: null,
        indexes: [],
      });
      c.m.created.add(k(name));
      return exact([`DROP TABLE ${q(name)}`], `drops the created table ${name}`);
    }
    case "create-index": {
      if (c.m.index(s.name))
        return s.ifNotExists
          ? exact([], `index ${s.name} exists already`)
          : irreversible(`index ${s.name} exists already`);
      const t = c.m.table(s.table.name);
      t?.indexes.push({ name: s.name, columns: s.key.columns, unique: s.key.kind === "unique" });
      return exact([`DROP INDEX ${q(s.name)}`], `drops the created index ${s.name}`);
    }
    case "view":
      return createObject(c, "view", "VIEW", s.name.name);
    case "routine":
      if (s.what.toUpperCase() === "TRIGGER" && s.name) return createObject(c, "trigger", "TRIGGER", s.name.name);
      return cannot(c, `no inverse is known for CREATE ${s.what}`);
    case "drop":
      return drop(c);
    case "alter-table":
      return alter(c);
    case "delete":
      return del(c);
    case "update":
      return update(c);
    case "insert":
      return insert(c);
    case "select":
      return exact([], `query: ${NOTHING}`);
    case "other":
      if (["ANALYZE", "PRAGMA", "REINDEX", "VACUUM"].includes(s.first)) {
        return s.first === "PRAGMA"
          ? cannot(c, "PRAGMA may change how the database behaves; no inverse is known")
          : exact([], `${s.first}: ${NOTHING}`);
      }
      return cannot(c, `no inverse is known for ${s.first} statements`);
    default:
      return noInverse(c, `no inverse is known for ${c.st.toks[0]?.upper ?? s.kind} statements`);
  }
}

function createObject(c: SqCtx, kind: "view" | "trigger", word: string, name: string): Inverse {
  if (c.m.object(kind, name)) return irreversible(`${kind} ${name} exists already`);
  c.m.objects.push({ kind, schema: "main", name, definition: "" });
  return exact([`DROP ${word} ${q(name)}`], `drops the created ${kind} ${name}`);
}

function drop(c: SqCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "drop") return irreversible("not a DROP");
  const what = s.what.toUpperCase();
  const parts: Inverse[] = [];
  for (const n of s.names) {
    const name = n.name;
    if (what === "TABLE") {
      parts.push(dropTable(c, name, s.ifExists));
    } else if (what === "INDEX") {
      const found = c.m.index(name);
      if (!found) {
        parts.push(
          s.ifExists ? exact([], `index ${name} does not exist`) : cannot(c, `DROP INDEX ${name}: it ${c.m.notIn}`),
        );
        continue;
      }
      found.t.indexes = found.t.indexes.filter((x) => x !== found.ix);
      parts.push(
        found.ix.definition
          ? exact([found.ix.definition], `re-creates index ${name} from its stored text`)
          : cannot(c, `index ${name} has no stored definition (it belongs to a constraint or this migration)`),
      );
    } else if (what === "VIEW" || what === "TRIGGER") {
      const kind = what.toLowerCase();
      const old = c.m.object(kind, name);
      if (!old) {
        parts.push(
          s.ifExists ? exact([], `${kind} ${name} does not exist`) : cannot(c, `DROP ${what} ${name}: it ${c.m.notIn}`),
        );
        continue;
      }
      c.m.objects.splice(c.m.objects.indexOf(old), 1);
      parts.push(
        old.definition
          ? exact([old.definition], `re-creates ${kind} ${name} from its stored text`)
          : exact([], `${kind} ${name} is created by this migration`),
      );
    } else parts.push(cannot(c, `no inverse is known for DROP ${what}`));
  }
  return combine(parts.reverse());
}

/** Index and trigger texts of a table, to run again after it is re-created. */
function dependents(c: SqCtx, t: TableSnapshot): string[] {
  const ix = t.indexes.flatMap((x) => (x.definition ? [x.definition] : []));
  const tr = c.m.objects
    .filter((o) => o.kind === "trigger" && k(o.table ?? "") === k(t.name) && o.definition)
    .map((o) => o.definition);
  return [...ix, ...tr];
}

function dropTable(c: SqCtx, name: string, ifExists: boolean): Inverse {
  const t = c.m.table(name);
  if (c.m.created.has(k(name))) return cannot(c, `table ${name} is created and dropped by this migration`);
  if (!t)
    return ifExists
      ? exact([], `table ${name} does not exist: IF EXISTS drops nothing`)
      : cannot(c, `DROP TABLE ${name}: the table ${c.m.notIn}`);
  if (!t.definition) return cannot(c, `table ${name} has no stored CREATE text in the snapshot`);
  const backup = addBackup(c, { source: name, columns: [], from: q(name), keyColumns: [], reason: "DROP TABLE" });
  const cols = writable(t).map(q).join(", ");
  const deps = dependents(c, t);
  c.m.tables.delete(k(name));
  for (const o of c.m.objects.filter((x) => x.kind === "trigger" && k(x.table ?? "") === k(name)))
    c.m.objects.splice(c.m.objects.indexOf(o), 1);
  return exact(
    [t.definition, `INSERT INTO ${q(name)} (${cols}) SELECT ${cols} FROM ${backup}`, ...deps],
    `re-creates table ${name} from its stored text, its rows from the backup, then its indexes and triggers`,
  );
}

const NAME_IN_CREATE =
  /^(\s*CREATE\s+(?:TEMP|TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?)("(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[A-Za-z_][\w$]*)/i;

function alter(c: SqCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "alter-table") return irreversible("not an ALTER TABLE");
  const name = s.table.name;
  // Without a snapshot, the actions whose inverse needs no old definition (ADD, RENAME) still get one.
  // The stand-in is not kept in the model: later statements must not take it for the table.
  const t =
    c.m.table(name) ?? (c.m.known ? undefined : { schema: "main", name, columns: [], primaryKey: null, indexes: [] });
  const parts: Inverse[] = [];
  for (const a of s.actions) {
    if (a.op === "rename-table") {
      const to = a.to.name;
      const real = c.m.table(name);
      if (real) {
        c.m.tables.delete(k(name));
        c.m.tables.set(k(to), { ...real, name: to });
      }
      if (c.m.created.delete(k(name))) c.m.created.add(k(to));
      parts.push(
        exact(
          [`ALTER TABLE ${q(to)} RENAME TO ${q(name)}`],
          `renames table ${to} back to ${name} (SQLite writes the name back quoted in the stored text)`,
        ),
      );
      continue;
    }
    const here = created(c, name);
    if (here) {
      if (a.op === "rename-column")
        parts.push(
          exact([`ALTER TABLE ${q(name)} RENAME COLUMN ${q(a.to)} TO ${bare(a.from)}`], `renames column ${a.to} back`),
        );
      continue;
    }
    if (!t) return cannot(c, `ALTER TABLE ${name}: the table ${c.m.notIn}`);
    if (a.op === "add-column") {
      t.columns.push({
        name: a.col.name,
        type: a.col.typeText,
        nullable: !a.col.notNull,
        default: null,
        ordinal: t.columns.length + 1,
      });
      parts.push(
        exact(
          [`ALTER TABLE ${q(name)} DROP COLUMN ${q(a.col.name)}`],
          `drops the added column ${a.col.name} (SQLite removes its text from the stored CREATE)`,
        ),
      );
    } else if (a.op === "rename-column") {
      const col = t.columns.find((x) => k(x.name) === k(a.from));
      if (!col && c.m.known) return cannot(c, `RENAME COLUMN ${a.from}: the column ${c.m.notIn}`);
      const old = col?.name ?? a.from;
      if (col) col.name = a.to;
      for (const ix of t.indexes) ix.columns = ix.columns.map((x) => (x === old ? a.to : x));
      parts.push(
        exact(
          [`ALTER TABLE ${q(name)} RENAME COLUMN ${q(a.to)} TO ${bare(old)}`],
          `renames column ${a.to} back to ${old}`,
        ),
      );
    } else if (a.op === "drop-column") {
      parts.push(dropColumn(c, t, a.name));
    } else return cannot(c, `no inverse is known for ALTER TABLE … ${a.op} on SQLite`);
  }
  return combine(parts.reverse());
}

/** The column comes back in its place by rebuilding the table from its stored text, values from the backup. */
function dropColumn(c: SqCtx, t: TableSnapshot, column: string): Inverse {
  const col = t.columns.find((x) => k(x.name) === k(column));
  if (!col) return cannot(c, `DROP COLUMN ${column}: the column ${c.m.notIn}`);
  if (!t.definition || !NAME_IN_CREATE.test(t.definition))
    return cannot(c, `table ${t.name} has no stored CREATE text to rebuild it from`);
  const key = t.primaryKey?.columns ?? [];
  const generated = col.generated !== undefined;
  if (!generated && (key.length === 0 || key.includes(col.name))) {
    return cannot(c, `DROP COLUMN ${col.name} on ${t.name}: the table has no primary key to key its backup by`);
  }
  const before = structuredClone(t);
  t.columns = t.columns.filter((x) => x !== col).map((x, i) => ({ ...x, ordinal: i + 1 }));
  t.indexes = t.indexes.filter((x) => !x.columns.includes(col.name));
  delete t.definition;
  const tmp = `_mx_rebuild_${before.name}`;
  const createTmp = (before.definition as string).replace(NAME_IN_CREATE, (_m, head: string) => `${head}${q(tmp)}`);
  const cols = writable(before);
  let source = q(before.name);
  let values = cols.map((x) => `cur.${q(x)}`);
  const sql: string[] = [];
  if (!generated) {
    const backup = addBackup(c, {
      source: before.name,
      columns: [...key, col.name],
      from: q(before.name),
      keyColumns: key,
      reason: "DROP COLUMN",
    });
    const on = key.map((x) => `cur.${q(x)} = b.${q(x)}`).join(" AND ");
    source = `${q(before.name)} AS cur LEFT JOIN ${backup} AS b ON ${on}`;
    values = cols.map((x) => (x === col.name ? `b.${q(x)}` : `cur.${q(x)}`));
  } else source = `${q(before.name)} AS cur`;
  sql.push(
    "PRAGMA defer_foreign_keys = ON",
    "PRAGMA legacy_alter_table = ON",
    createTmp,
    `INSERT INTO ${q(tmp)} (${cols.map(q).join(", ")}) SELECT ${values.join(", ")} FROM ${source}`,
    `DROP TABLE ${q(before.name)}`,
    `ALTER TABLE ${q(tmp)} RENAME TO ${q(before.name)}`,
    ...dependents(c, before),
    "PRAGMA legacy_alter_table = OFF",
  );
  const target = `main.${k(before.name)}`;
  const referenced = [...c.m.tables.values()].some((x) =>
    (x.constraints ?? []).some((fk) => fk.kind === "foreign" && k(fk.references ?? "") === target),
  );
  return exact(
    sql,
    `rebuilds ${before.name} from its stored text with column ${col.name} in its place${generated ? " (computed again)" : ", its values from the backup"} (SQLite writes the name back quoted in the stored text)${
      referenced
        ? "; other tables reference it: this assumes PRAGMA foreign_keys is off (SQLite's default and the driver's), else dropping the old copy fires their ON DELETE actions"
        : ""
    }`,
  );
}

function target(c: SqCtx): { name: string; alias?: string } | string {
  const s = c.st.stmt;
  if (s.kind !== "delete" && s.kind !== "update") return "not a DELETE or UPDATE";
  const t = s.targets[0];
  if (
    s.targets.length !== 1 ||
    !t ||
    (s.kind === "update" && (s.from.items.length > 1 || findTop(c.st.toks, ["FROM"]) >= 0))
  ) {
    return "a statement that reads other tables: the changed rows are not selected ahead";
  }
  if (s.limit !== undefined || s.orderBy || findTop(c.st.toks, ["WITH"]) === 0)
    return "ORDER BY/LIMIT or WITH: the changed rows are not selected ahead";
  return { name: t.name.name, ...(t.alias ? { alias: t.alias } : {}) };
}

function rowsOf(c: SqCtx, name: string, alias?: string): string {
  const where = clauseAfter(c.st, "WHERE", ["ORDER", "LIMIT", "RETURNING"]);
  return `${q(name)}${alias ? ` AS ${q(alias)}` : ""}${where ? ` WHERE ${where}` : ""}`;
}

function del(c: SqCtx): Inverse {
  const tg = target(c);
  if (typeof tg === "string") return cannot(c, `DELETE: ${tg}`);
  const here = created(c, tg.name);
  if (here) return here;
  const t = c.m.table(tg.name);
  if (!t) return cannot(c, `DELETE on ${tg.name}: the table ${c.m.notIn}`);
  const backup = addBackup(c, {
    source: t.name,
    columns: [],
    from: rowsOf(c, tg.name, tg.alias),
    keyColumns: [],
    reason: "DELETE",
  });
  const cols = writable(t).map(q).join(", ");
  return exact(
    withoutTriggers(c, t.name, [`INSERT INTO ${q(t.name)} (${cols}) SELECT ${cols} FROM ${backup}`]),
    `re-inserts the deleted rows of ${t.name} from the backup`,
  );
}

function update(c: SqCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "update") return irreversible("not an UPDATE");
  const tg = target(c);
  if (typeof tg === "string") return cannot(c, `UPDATE: ${tg}`);
  const here = created(c, tg.name);
  if (here) return here;
  const t = c.m.table(tg.name);
  if (!t) return cannot(c, `UPDATE on ${tg.name}: the table ${c.m.notIn}`);
  const key = t.primaryKey?.columns ?? [];
  if (key.length === 0) return cannot(c, `UPDATE on ${t.name}: the table has no primary key to key its backup by`);
  const set = [...new Set(s.sets.map((x) => x.column.at(-1) ?? ""))];
  if (set.some((x) => key.includes(x)))
    return cannot(c, `UPDATE on ${t.name} changes its primary key, which the restore joins on`);
  const backup = addBackup(c, {
    source: t.name,
    columns: [...key, ...set],
    from: rowsOf(c, tg.name, tg.alias),
    keyColumns: key,
    reason: "UPDATE",
  });
  const match = key.map((x) => `b.${q(x)} = ${q(t.name)}.${q(x)}`).join(" AND ");
  return exact(
    withoutTriggers(c, t.name, [
      `UPDATE ${q(t.name)} SET ${set.map((x) => `${q(x)} = b.${q(x)}`).join(", ")} FROM ${backup} AS b WHERE ${match}`,
    ]),
    `puts back the old values of ${set.join(", ")} in ${t.name} from the backup`,
  );
}

function insert(c: SqCtx): Inverse {
  const s = c.st.stmt;
  if (s.kind !== "insert") return irreversible("not an INSERT");
  const name = s.table.name;
  const here = created(c, name);
  if (here) return here;
  if (s.replace || findTop(c.st.toks, ["OR"]) >= 0 || findTop(c.st.toks, ["CONFLICT"]) >= 0) {
    return cannot(c, "INSERT OR REPLACE / ON CONFLICT may overwrite or keep existing rows, which are not backed up");
  }
  const t = c.m.table(name);
  if (!t) return irreversible(`table ${name} ${c.m.notIn}`);
  const key = t.primaryKey?.columns ?? [];
  if (key.length === 0) return irreversible(`${name} has no primary key to delete the inserted rows by`);
  const rows = valueRows(c.st);
  if (s.select || !rows || rows.length === 0)
    return irreversible("INSERT … SELECT: the inserted keys are not known before it runs");
  const order = s.hasColumnList
    ? s.columns.map((x) => x.name)
    : [...t.columns].sort((a, b) => a.ordinal - b.ordinal).map((x) => x.name);
  const pos = key.map((x) => order.findIndex((y) => k(y) === k(x)));
  if (pos.some((p) => p < 0))
    return irreversible(`the statement leaves the key (${key.join(", ")}) to SQLite, so the inserted keys are unknown`);
  const tuples: string[][] = [];
  for (const row of rows) {
    const v = pos.map((p) => constantText(c.st, row[p] ?? []));
    if (v.some((x) => x === undefined))
      return irreversible("a key value is not a constant, so the inserted keys are unknown before it runs");
    tuples.push(v as string[]);
  }
  const cols = key.map(q).join(", ");
  // SQLite compares a row value with a list only through VALUES.
  const values =
    key.length === 1
      ? tuples.map((v) => v[0]).join(", ")
      : `VALUES ${tuples.map((v) => `(${v.join(", ")})`).join(", ")}`;
  const sql = [`DELETE FROM ${q(name)} WHERE ${key.length === 1 ? cols : `(${cols})`} IN (${values})`];
  const note = `deletes the ${rows.length} inserted row(s) of ${name} by primary key`;
  return t.columns.some((x) => x.autoIncrement)
    ? partly(sql, note, `the AUTOINCREMENT counter of ${name} (sqlite_sequence) is not moved back`)
    : exact(sql, note);
}
