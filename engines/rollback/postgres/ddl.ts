// Inverses of CREATE, DROP and RENAME: drop what was created, re-create what was dropped from the
// snapshot (with the rows the before-hook kept), rename back.
import type { SchemaObjectSnapshot } from "../../schema/snapshot.ts";
import { addBackup, restoreRowsSql, resyncSequencesSql } from "./backup-spec.ts";
import { createTableSql, qi, qn, type Rel, tableExtrasSql, writableColumns } from "./model.ts";
import { arr, type Node, names, obj, str } from "./sql.ts";
import { exact, type Inverse, irreversible, partly, relOf, relOfNames, type StepCtx } from "./step.ts";

export function createTable(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "relation"));
  c.model.markCreated(r);
  return exact([`DROP TABLE ${qn(r.schema, r.name)}`], `drops table ${r.name}, which this migration creates`);
}

export function createTableAs(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "into", "IntoClause", "rel") ?? obj(s, "into", "rel"));
  const mat = str(s, "objtype") === "OBJECT_MATVIEW";
  if (!mat) c.model.markCreated(r);
  const what = mat ? "MATERIALIZED VIEW" : "TABLE";
  return exact([`DROP ${what} ${qn(r.schema, r.name)}`], `drops ${what.toLowerCase()} ${r.name}, created here`);
}

export function createIndex(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "relation"));
  const name = str(s, "idxname");
  if (c.model.isCreated(r)) return exact([], `table ${r.name} is created by this migration: dropping it undoes this`);
  if (!name) {
    return irreversible("the index has no name, so the down script cannot name it: give it one");
  }
  return exact([`DROP INDEX ${qn(r.schema, name)}`], `drops index ${name}`);
}

/** CREATE OR REPLACE of something that existed: put the old definition back; otherwise drop it. */
function replaceable(c: StepCtx, kind: "view" | "function" | "procedure" | "trigger", r: Rel, drop: string): Inverse {
  const before = c.model.object(kind, r);
  if (before.length === 1 && before[0]) {
    const note = `restores the previous definition of ${kind} ${r.name} from the snapshot`;
    // A view cannot be replaced by one with fewer columns: drop it and create the old one.
    if (kind === "view") return exact([drop, before[0].definition], note);
    return exact([before[0].definition.replace(/^CREATE (OR REPLACE )?/i, "CREATE OR REPLACE ")], note);
  }
  if (before.length > 1) {
    return irreversible(
      `${kind} ${r.name} has ${before.length} overloads in the snapshot; cannot tell which was replaced`,
    );
  }
  return exact([drop], `drops ${kind} ${r.name}, which this migration creates`);
}

export function createView(c: StepCtx, s: Node): Inverse {
  const r = relOf(c, obj(s, "view"));
  return replaceable(c, "view", r, `DROP VIEW ${qn(r.schema, r.name)}`);
}

export function createFunction(c: StepCtx, s: Node): Inverse {
  const r = relOfNames(c, names(arr(s, "funcname")));
  const kind = s.is_procedure ? "procedure" : "function";
  const args = c.p.parenAfter(0);
  return replaceable(c, kind, r, `DROP ${kind.toUpperCase()} ${qn(r.schema, r.name)}(${args})`);
}

export function createTrigger(c: StepCtx, s: Node): Inverse {
  const t = relOf(c, obj(s, "relation"));
  const name = str(s, "trigname") ?? "";
  const drop = `DROP TRIGGER ${qi(name)} ON ${qn(t.schema, t.name)}`;
  const before = c.model.objects.filter(
    (o) => o.kind === "trigger" && o.schema === t.schema && o.table === t.name && o.name === name,
  );
  if (s.replace && before[0]) {
    return exact([drop, before[0].definition], `restores the previous definition of trigger ${name}`);
  }
  return exact([drop], `drops trigger ${name}`);
}

export function createSimple(c: StepCtx, what: string, parts: string[]): Inverse {
  const r = relOfNames(c, parts);
  return exact([`DROP ${what} ${qn(r.schema, r.name)}`], `drops ${what.toLowerCase()} ${r.name}`);
}

const DROP_KINDS: Record<string, { word: string; kind?: "view" | "materialized_view" | "sequence" | "type" }> = {
  OBJECT_TABLE: { word: "table" },
  OBJECT_INDEX: { word: "index" },
  OBJECT_VIEW: { word: "view", kind: "view" },
  OBJECT_MATVIEW: { word: "materialized view", kind: "materialized_view" },
  OBJECT_SEQUENCE: { word: "sequence", kind: "sequence" },
  OBJECT_TYPE: { word: "type", kind: "type" },
  OBJECT_DOMAIN: { word: "domain", kind: "type" },
};

export function drop(c: StepCtx, s: Node): Inverse[] {
  const type = str(s, "removeType") ?? "";
  const cascade = str(s, "behavior") === "DROP_CASCADE";
  const missingOk = s.missing_ok === true;
  const out: Inverse[] = [];
  for (const o of arr(s, "objects")) {
    const parts = o.TypeName ? names(arr(o, "TypeName", "names")) : names(arr(o, "List", "items"));
    const deps = cascade && CASCADES.has(type) ? cascadeDependents(c, relOfNames(c, parts)) : undefined;
    const inv = dropOne(c, type, o, missingOk);
    if (!cascade || inv.reversibility !== "exact") out.push(inv);
    else if (!deps || !c.model.known) {
      out.push(partly(inv.sql, inv.note, "CASCADE may also drop dependent objects; they are not re-created"));
    } else {
      const note = deps.count
        ? `${inv.note}, then the ${deps.count} view(s) and foreign key(s) CASCADE dropped`
        : inv.note;
      out.push(exact([...inv.sql, ...deps.sql], note));
    }
  }
  return out;
}

const CASCADES = new Set(["OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW"]);

/**
 * What CASCADE drops with a table or view, from the snapshot: the views that read it (and the views
 * that read those), re-created in dependency order, and other tables' foreign keys to it.
 */
function cascadeDependents(c: StepCtx, r: Rel): { sql: string[]; count: number } {
  const isView = (o: { kind: string }) => o.kind === "view" || o.kind === "materialized_view";
  const gone = new Set([`${r.schema}.${r.name}`]);
  const views: typeof c.model.objects = [];
  for (let grew = true; grew; ) {
    grew = false;
    for (const v of c.model.objects) {
      const id = `${v.schema}.${v.name}`;
      if (isView(v) && !gone.has(id) && v.dependsOn?.some((d) => gone.has(d))) {
        gone.add(id);
        views.push(v);
        grew = true;
      }
    }
  }
  const sql = views.map((v) => v.definition);
  let count = views.length;
  const target = `${r.schema}.${r.name}`;
  for (const t of c.model.tables.values()) {
    if (t.schema === r.schema && t.name === r.name) continue;
    for (const k of t.constraints ?? []) {
      if (k.kind !== "foreign" || k.references !== target) continue;
      sql.push(`ALTER TABLE ${qn(t.schema, t.name)} ADD CONSTRAINT ${qi(k.name)} ${k.definition}`);
      count++;
    }
    t.constraints = t.constraints?.filter((k) => !(k.kind === "foreign" && k.references === target));
  }
  c.model.objects.splice(0, c.model.objects.length, ...c.model.objects.filter((o) => !views.includes(o)));
  return { sql, count };
}

function dropOne(c: StepCtx, type: string, o: Node, missingOk: boolean): Inverse {
  if (type === "OBJECT_FUNCTION" || type === "OBJECT_PROCEDURE") return dropRoutine(c, type, o);
  if (type === "OBJECT_TRIGGER") {
    const parts = names(arr(o, "List", "items"));
    const name = parts.at(-1) ?? "";
    const t = relOfNames(c, parts.slice(0, -1));
    const def = c.model.objects.find(
      (x) => x.kind === "trigger" && x.schema === t.schema && x.table === t.name && x.name === name,
    );
    if (!def) return missing(c, `trigger ${name}`, missingOk);
    forget(c, def);
    return exact([def.definition], `re-creates trigger ${name} from the snapshot`);
  }
  if (type === "OBJECT_SCHEMA") {
    const name = str(o, "String", "sval") ?? "";
    return exact([`CREATE SCHEMA ${qi(name)}`], `re-creates schema ${name}`);
  }
  const spec = DROP_KINDS[type];
  if (!spec) return irreversible(`no inverse is known for DROP ${type.replace("OBJECT_", "")}`);
  const parts = o.TypeName ? names(arr(o, "TypeName", "names")) : names(arr(o, "List", "items"));
  const r = relOfNames(c, parts);
  if (type === "OBJECT_TABLE") return dropTable(c, r, missingOk);
  if (type === "OBJECT_INDEX") {
    const ix = [...c.model.tables.values()]
      .filter((t) => t.schema === r.schema)
      .flatMap((t) => t.indexes.map((i) => ({ t, i })))
      .find((x) => x.i.name === r.name);
    if (!ix?.i.definition) return missing(c, `index ${r.name}`, missingOk);
    ix.t.indexes = ix.t.indexes.filter((i) => i !== ix.i);
    return exact([ix.i.definition], `re-creates index ${r.name} from the snapshot`);
  }
  const def = spec.kind ? c.model.object(spec.kind, r)[0] : undefined;
  if (!def) return missing(c, `${spec.word} ${r.name}`, missingOk);
  forget(c, def);
  if (spec.kind === "sequence") {
    return partly(
      [def.definition],
      `re-creates sequence ${r.name} from the snapshot`,
      "the sequence's current value is not kept: it starts again from its START value",
    );
  }
  return exact([def.definition], `re-creates ${spec.word} ${r.name} from the snapshot`);
}

/** A dropped object leaves the model, so a later statement does not re-create it twice. */
function forget(c: StepCtx, o: SchemaObjectSnapshot): void {
  const i = c.model.objects.indexOf(o);
  if (i >= 0) c.model.objects.splice(i, 1);
}

function missing(c: StepCtx, what: string, missingOk: boolean): Inverse {
  if (missingOk && c.model.known) return exact([], `${what} did not exist before (IF EXISTS): nothing to re-create`);
  return irreversible(`${what} ${c.model.notIn}, so it cannot be re-created`);
}

function dropRoutine(c: StepCtx, type: string, o: Node): Inverse {
  const kind = type === "OBJECT_PROCEDURE" ? "procedure" : "function";
  const r = relOfNames(c, names(arr(o, "ObjectWithArgs", "objname")));
  const all = c.model.object(kind, r);
  if (all.length !== 1 || !all[0]) {
    return irreversible(
      all.length === 0
        ? `${kind} ${r.name} ${c.model.notIn}`
        : `${kind} ${r.name} has ${all.length} overloads in the snapshot; re-create the dropped one by hand`,
    );
  }
  forget(c, all[0]);
  return exact([all[0].definition], `re-creates ${kind} ${r.name} from the snapshot`);
}

function dropTable(c: StepCtx, r: Rel, missingOk: boolean): Inverse {
  const t = c.model.table(r);
  if (!t) return missing(c, `table ${r.name}`, missingOk);
  if (c.model.isCreated(r)) {
    c.model.dropTable(r);
    return exact([], `table ${r.name} was created by this migration: nothing to re-create`);
  }
  const backup = addBackup(c, {
    source: r,
    columns: [],
    from: qn(r.schema, r.name),
    keyColumns: [],
    reason: "DROP TABLE",
  });
  const owned = c.model.objects.filter(
    (o) => o.kind === "sequence" && o.schema === r.schema && o.ownedBy?.startsWith(`${r.name}.`),
  );
  const columns = writableColumns(t);
  const sql = [
    ...owned.map((o) => o.definition),
    createTableSql(t),
    ...restoreRowsSql(c, r, backup, columns).filter((x) => !x.includes("TRIGGER USER")),
    ...resyncSequencesSql(c, r),
    ...tableExtrasSql(t, c.model.objects),
    ...owned.map((o) => {
      const col = o.ownedBy?.slice(r.name.length + 1) ?? "";
      return `ALTER SEQUENCE ${qn(o.schema, o.name)} OWNED BY ${qn(r.schema, r.name)}.${qi(col)}`;
    }),
  ];
  c.model.dropTable(r);
  return exact(sql, `re-creates table ${r.name} from the snapshot and restores its rows from the backup`);
}

const RENAME: Record<string, string> = {
  OBJECT_TABLE: "TABLE",
  OBJECT_INDEX: "INDEX",
  OBJECT_VIEW: "VIEW",
  OBJECT_MATVIEW: "MATERIALIZED VIEW",
  OBJECT_SEQUENCE: "SEQUENCE",
};

export function rename(c: StepCtx, s: Node): Inverse {
  const type = str(s, "renameType") ?? "";
  const to = str(s, "newname") ?? "";
  const r = relOf(c, obj(s, "relation"));
  const word = RENAME[type];
  if (word) {
    if (type === "OBJECT_TABLE") c.model.renameTable(r, to);
    if (type === "OBJECT_INDEX") {
      for (const t of c.model.tables.values()) for (const i of t.indexes) if (i.name === r.name) i.name = to;
    }
    return exact([`ALTER ${word} ${qn(r.schema, to)} RENAME TO ${qi(r.name)}`], `renames ${to} back to ${r.name}`);
  }
  const from = str(s, "subname") ?? "";
  const table = qn(r.schema, r.name);
  if (type === "OBJECT_COLUMN") {
    const col = c.model.column(r, from);
    if (col) col.name = to;
    return exact(
      [`ALTER TABLE ${table} RENAME COLUMN ${qi(to)} TO ${qi(from)}`],
      `renames column ${to} back to ${from}`,
    );
  }
  if (type === "OBJECT_TABCONSTRAINT") {
    const k = c.model.table(r)?.constraints?.find((x) => x.name === from);
    if (k) k.name = to;
    return exact(
      [`ALTER TABLE ${table} RENAME CONSTRAINT ${qi(to)} TO ${qi(from)}`],
      `renames constraint ${to} back to ${from}`,
    );
  }
  if (type === "OBJECT_TRIGGER") {
    return exact(
      [`ALTER TRIGGER ${qi(to)} ON ${table} RENAME TO ${qi(from)}`],
      `renames trigger ${to} back to ${from}`,
    );
  }
  if (type === "OBJECT_SCHEMA") {
    return exact([`ALTER SCHEMA ${qi(to)} RENAME TO ${qi(from)}`], `renames schema ${to} back to ${from}`);
  }
  if (type === "OBJECT_TYPE") {
    const t = relOfNames(c, names(arr(s, "object", "List", "items")));
    return exact([`ALTER TYPE ${qn(t.schema, to)} RENAME TO ${qi(t.name)}`], `renames type ${to} back to ${t.name}`);
  }
  if (type === "OBJECT_FUNCTION" || type === "OBJECT_PROCEDURE") {
    const f = relOfNames(c, names(arr(s, "object", "ObjectWithArgs", "objname")));
    const word2 = type === "OBJECT_FUNCTION" ? "FUNCTION" : "PROCEDURE";
    return exact(
      [`ALTER ${word2} ${qn(f.schema, to)}(${c.p.parenAfter(0)}) RENAME TO ${qi(f.name)}`],
      `renames ${word2.toLowerCase()} ${to} back to ${f.name}`,
    );
  }
  return irreversible(`no inverse is known for renaming a ${type.replace("OBJECT_", "").toLowerCase()}`);
}

/** ALTER TABLE/VIEW/SEQUENCE … SET SCHEMA: move it back. */
export function setSchema(c: StepCtx, s: Node): Inverse {
  const word = RENAME[str(s, "objectType") ?? ""];
  const rv = obj(s, "relation");
  if (!word || !rv) return irreversible("no inverse is known for moving this kind of object to another schema");
  const r = relOf(c, rv);
  const to = str(s, "newschema") ?? "";
  if (word === "TABLE") c.model.moveTable(r, to);
  return exact(
    [`ALTER ${word} ${qn(to, r.name)} SET SCHEMA ${qi(r.schema)}`],
    `moves ${r.name} back to schema ${r.schema}`,
  );
}
