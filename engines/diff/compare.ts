// diffSchemas: what differs between a source and a target snapshot, grouped by object, as changes
// that turn the target into the source (added = only the source has it).
import type {
  ColumnSnapshot,
  ConstraintSnapshot,
  IndexSnapshot,
  SchemaObjectSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../schema/snapshot.ts";
import { engineFacts } from "./engines.ts";
import type { Equivalence } from "./equivalence.ts";
import type { Change, DiffOptions, FieldChange, NoiseFilter, RenameHint, SchemaDiff } from "./model.ts";
import { NOISE_FILTERS } from "./model.ts";
import { anonymousIndexDef, globToRegExp, normalizeBody, withoutStart } from "./normalize.ts";
import { crossEngine, inTargetFlavour } from "./translate.ts";

interface Ctx {
  on: Set<NoiseFilter>;
  quote: (name: string) => string;
  changes: Change[];
  /** Both snapshots were read with objects (constraints, definitions). */
  objects: boolean;
  /** The target's name for a source path renamed by a hint. */
  renameOf(to: string): string | undefined;
  /** Cross-engine: compare by the equivalence forms; the snapshots give enum labels. */
  eq?: { eq: Equivalence; source: SchemaSnapshot; target: SchemaSnapshot };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Field-by-field differences of two records, skipping `skip`; absent and undefined are the same. */
function fieldChanges<T extends object>(target: T, source: T, skip: readonly string[]): FieldChange[] {
  const keys = [...new Set([...Object.keys(target), ...Object.keys(source)])].filter((k) => !skip.includes(k));
  const out: FieldChange[] = [];
  for (const k of keys.sort()) {
    const before = Reflect.get(target, k) ?? null;
    const after = Reflect.get(source, k) ?? null;
    if (!same(before, after)) out.push({ field: k, before, after });
  }
  return out;
}

/**
 * Pairs two lists: exact matches first, then (when `loose` is given) items whose name-free form is
 * equal, then items of the same name. What remains is added (source) or dropped (target).
 */
function pair<T extends { name: string }>(
  source: T[],
  target: T[],
  exact: (t: T) => string,
  loose: ((t: T) => string) | null,
): { pairs: [T, T][]; added: T[]; dropped: T[] } {
  const src = [...source];
  const tgt = [...target];
  const pairs: [T, T][] = [];
  const take = (match: (s: T, t: T) => boolean) => {
    for (let i = 0; i < src.length; i++) {
      const s = src[i] as T;
      const j = tgt.findIndex((t) => match(s, t));
      if (j < 0) continue;
      pairs.push([s, tgt[j] as T]);
      src.splice(i--, 1);
      tgt.splice(j, 1);
    }
  };
  take((s, t) => s.name === t.name && exact(s) === exact(t));
  if (loose) take((s, t) => loose(s) === loose(t));
  take((s, t) => s.name === t.name);
  return { pairs, added: src, dropped: tgt };
}

/** The fields whose equivalence forms differ, reported with each side's own value. */
function formChanges(target: object, source: object, tf: object, sf: object, skip: readonly string[]): FieldChange[] {
  return fieldChanges(tf, sf, skip).map((f) => ({
    field: f.field,
    before: Reflect.get(target, f.field) ?? null,
    after: Reflect.get(source, f.field) ?? null,
  }));
}

/** How a column is numbered, for the readable diff: identity, auto_increment or a serial. */
function numbering(col: ColumnSnapshot): string | null {
  if (col.identity) return `identity ${col.identity}`;
  if (col.autoIncrement) return "auto_increment";
  return col.default !== null && /^nextval\(/i.test(col.default) ? "serial" : null;
}

function columnFields(
  c: Ctx,
  t: ColumnSnapshot,
  s: ColumnSnapshot,
  tables?: { s: TableSnapshot; t: TableSnapshot },
): FieldChange[] {
  if (c.eq && tables) {
    const skip = ["name", ...(c.on.has("column-order") ? ["ordinal"] : [])];
    const tf = c.eq.eq.column(c.eq.target, tables.t, t);
    const sf = c.eq.eq.column(c.eq.source, tables.s, s);
    return formChanges(t, s, tf, sf, skip).map((f) =>
      f.field === "identity" ? { ...f, before: numbering(t), after: numbering(s) } : f,
    );
  }
  const skip = [
    "name",
    ...(c.on.has("column-order") ? ["ordinal"] : []),
    ...(c.on.has("collation") ? ["collation"] : []),
  ];
  return fieldChanges(t, s, skip);
}

function indexKey(c: Ctx, ix: IndexSnapshot, table?: TableSnapshot): string {
  if (c.eq && table) return JSON.stringify(c.eq.eq.index(table, ix));
  if (ix.definition) return anonymousIndexDef(ix.definition, ix.name, c.quote);
  const { name: _n, comment: _c, ...rest } = ix;
  return JSON.stringify(rest);
}

function diffTable(c: Ctx, s: TableSnapshot, t: TableSnapshot, renamedFrom?: string): void {
  const base = { schema: s.schema, table: s.name };
  const tableFields = fieldChanges(t, s, [
    "schema",
    "name",
    "columns",
    "primaryKey",
    "indexes",
    "constraints",
    "definition",
    ...(c.eq?.eq.tableSkip ?? []),
  ]);
  if (tableFields.length > 0 || renamedFrom) {
    c.changes.push({
      kind: "table",
      action: renamedFrom ? "renamed" : "changed",
      schema: s.schema,
      name: s.name,
      ...(renamedFrom ? { from: renamedFrom } : {}),
      fields: tableFields,
      source: s,
      target: t,
    });
  }
  // Columns, with explicit renames "schema.table.old" → "schema.table.new".
  const targetCols = new Map(t.columns.map((col) => [col.name, col]));
  const renames = new Map<string, string>();
  const prefix = `${s.schema}.${s.name}.`;
  for (const col of s.columns) {
    const path = c.renameOf(`${prefix}${col.name}`);
    // A column hint names the target's column by its path in the source's (possibly renamed) table.
    const from = path?.startsWith(prefix) ? path.slice(prefix.length) : path?.slice(path.lastIndexOf(".") + 1);
    if (from && targetCols.has(from) && !s.columns.some((x) => x.name === from)) renames.set(col.name, from);
  }
  for (const col of s.columns) {
    const from = renames.get(col.name);
    const before = targetCols.get(from ?? col.name);
    if (!before) {
      c.changes.push({ kind: "column", action: "added", ...base, name: col.name, fields: [], source: col });
      continue;
    }
    targetCols.delete(before.name);
    const fields = columnFields(c, before, col, { s, t });
    if (fields.length > 0 || from) {
      c.changes.push({
        kind: "column",
        action: from ? "renamed" : "changed",
        ...base,
        name: col.name,
        ...(from ? { from } : {}),
        fields,
        source: col,
        target: before,
      });
    }
  }
  for (const col of targetCols.values()) {
    c.changes.push({ kind: "column", action: "dropped", ...base, name: col.name, fields: [], target: col });
  }
  // Keys and checks: by constraints when both sides have them, else the primary key alone.
  // Snapshots read with objects leave `constraints` out of a table that has none.
  const sk = s.constraints ?? (c.objects ? [] : undefined);
  const tk = t.constraints ?? (c.objects ? [] : undefined);
  if (sk && tk) {
    const eq = c.eq?.eq;
    const def = (k: ConstraintSnapshot) => (eq ? eq.constraint(k) : `${k.kind} ${k.definition}`);
    const loose = c.on.has("generated-names") ? def : null;
    const { pairs, added, dropped } = pair(sk, tk, def, loose);
    for (const k of added)
      c.changes.push({ kind: "constraint", action: "added", ...base, name: k.name, fields: [], source: k });
    for (const k of dropped)
      c.changes.push({ kind: "constraint", action: "dropped", ...base, name: k.name, fields: [], target: k });
    for (const [sk, tk] of pairs) {
      const fields = eq
        ? def(sk) === def(tk)
          ? []
          : [{ field: "definition", before: tk.definition, after: sk.definition }]
        : fieldChanges(tk, sk, ["name"]);
      if (fields.length > 0) {
        c.changes.push({
          kind: "constraint",
          action: "changed",
          ...base,
          name: sk.name,
          fields,
          source: sk,
          target: tk,
        });
      }
    }
  } else if (!same(s.primaryKey?.columns, t.primaryKey?.columns)) {
    const action = !t.primaryKey ? "added" : !s.primaryKey ? "dropped" : "changed";
    const name = s.primaryKey?.name ?? t.primaryKey?.name ?? `${s.name}_pkey`;
    c.changes.push({
      kind: "primary_key",
      action,
      ...base,
      name,
      fields:
        action === "changed" ? [{ field: "columns", before: t.primaryKey?.columns, after: s.primaryKey?.columns }] : [],
      ...(s.primaryKey ? { source: s.primaryKey } : {}),
      ...(t.primaryKey ? { target: t.primaryKey } : {}),
    });
  }
  // Where a key is an index by another name (MySQL: a UNIQUE constraint is its index), the key counts.
  const keyNames = (tb: TableSnapshot) =>
    new Set((tb.constraints ?? []).filter((k) => k.kind === "unique" || k.kind === "primary").map((k) => k.name));
  const sKeys = keyNames(s);
  const tKeys = keyNames(t);
  diffIndexes(
    c,
    base,
    s.indexes.filter((ix) => !sKeys.has(ix.name)),
    t.indexes.filter((ix) => !tKeys.has(ix.name)),
    { s, t },
  );
}

function diffIndexes(
  c: Ctx,
  base: { schema: string; table: string },
  s: IndexSnapshot[],
  t: IndexSnapshot[],
  tables: { s: TableSnapshot; t: TableSnapshot },
): void {
  // Indexes a constraint owns come and go with the constraint.
  const own = (list: IndexSnapshot[]) => list.filter((ix) => !ix.primary && !ix.constraint);
  // Both lists are keyed in one table's terms; a cross-engine key needs the columns of its own side.
  const sKey = new Map(s.map((ix) => [ix, indexKey(c, ix, tables.s)]));
  const tKey = new Map(t.map((ix) => [ix, indexKey(c, ix, tables.t)]));
  const key = (ix: IndexSnapshot) => sKey.get(ix) ?? tKey.get(ix) ?? indexKey(c, ix);
  const loose = c.on.has("generated-names") ? key : null;
  const exact = (ix: IndexSnapshot) => (c.eq ? key(ix) : (ix.definition ?? key(ix)));
  const { pairs, added, dropped } = pair(own(s), own(t), exact, loose);
  for (const ix of added)
    c.changes.push({ kind: "index", action: "added", ...base, name: ix.name, fields: [], source: ix });
  for (const ix of dropped)
    c.changes.push({ kind: "index", action: "dropped", ...base, name: ix.name, fields: [], target: ix });
  for (const [si, ti] of pairs) {
    // Same index under another name: not a change when names are noise.
    const renamed = loose && key(si) === key(ti);
    const fields = c.eq
      ? formChanges(ti, si, JSON.parse(key(ti)), JSON.parse(key(si)), [])
      : fieldChanges(ti, si, renamed ? ["name", "definition"] : ["name"]);
    if (fields.length > 0) {
      c.changes.push({ kind: "index", action: "changed", ...base, name: si.name, fields, source: si, target: ti });
    }
  }
}

function objectKey(o: SchemaObjectSnapshot): string {
  return [o.kind, o.schema, o.name, o.signature ?? "", o.table ?? ""].join("\u0000");
}

function objectCompareForm(c: Ctx, o: SchemaObjectSnapshot): object {
  if (c.eq) return c.eq.eq.object(o);
  let definition = o.definition;
  if (o.kind === "sequence" && c.on.has("auto-increment")) definition = withoutStart(definition);
  if (c.on.has("whitespace")) definition = normalizeBody(definition);
  const indexes = o.indexes?.map((ix) => ({ ...ix, ...(ix.definition ? { definition: indexKey(c, ix) } : {}) }));
  // View dependencies are derived from the definition; they add nothing to compare.
  const { dependsOn: _d, ...rest } = o;
  return { ...rest, definition, ...(indexes ? { indexes } : {}) };
}

function diffObjects(c: Ctx, source: SchemaObjectSnapshot[], target: SchemaObjectSnapshot[]): void {
  const tmap = new Map(target.map((o) => [objectKey(o), o]));
  for (const so of source) {
    const key = objectKey(so);
    const to = tmap.get(key);
    const ident = {
      kind: so.kind,
      schema: so.schema,
      name: so.name,
      ...(so.signature !== undefined ? { signature: so.signature } : {}),
      ...(so.table !== undefined ? { table: so.table } : {}),
    };
    if (!to) {
      c.changes.push({ ...ident, action: "added", fields: [], source: so });
      continue;
    }
    tmap.delete(key);
    const fields = fieldChanges(objectCompareForm(c, to), objectCompareForm(c, so), ["kind", "schema", "name"]);
    // Report the definitions as they are, not their compare form.
    for (const f of fields) {
      if (f.field === "definition") Object.assign(f, { before: to.definition, after: so.definition });
    }
    if (fields.length > 0) c.changes.push({ ...ident, action: "changed", fields, source: so, target: to });
  }
  for (const to of tmap.values()) {
    c.changes.push({
      kind: to.kind,
      schema: to.schema,
      name: to.name,
      ...(to.signature !== undefined ? { signature: to.signature } : {}),
      ...(to.table !== undefined ? { table: to.table } : {}),
      action: "dropped",
      fields: [],
      target: to,
    });
  }
}

function included(opts: DiffOptions): (path: string) => boolean {
  const inc = (opts.include ?? []).map(globToRegExp);
  const exc = (opts.exclude ?? []).map(globToRegExp);
  return (path) => (inc.length === 0 || inc.some((r) => r.test(path))) && !exc.some((r) => r.test(path));
}

/** The path a change is filtered by: "schema.table" for tables and their parts, "schema.name" otherwise. */
export function changePath(ch: Change): string {
  if (ch.kind === "schema" || ch.kind === "extension") return ch.name;
  return `${ch.schema}.${ch.table ?? ch.name}`;
}

function schemaIncluded(opts: DiffOptions, keep: (p: string) => boolean, schema: string): boolean {
  if ((opts.include ?? []).length === 0 && (opts.exclude ?? []).length === 0) return true;
  // A schema counts when some object path under it could pass the filters.
  const inc = (opts.include ?? []).map(globToRegExp);
  const exc = (opts.exclude ?? []).map(globToRegExp);
  if (exc.some((r) => r.test(schema) || r.test(`${schema}.*`))) return false;
  return inc.length === 0 || inc.some((r) => r.test(schema) || r.test(`${schema}.x`)) || keep(schema);
}

/**
 * Engines whose schema is the database itself (MySQL, SQLite): two databases of one schema each
 * compare as the same schema, so "shop_dev" and "shop_prod" line up. Returns the target renamed.
 */
export function alignDatabases(source: SchemaSnapshot, target: SchemaSnapshot): SchemaSnapshot {
  const [s] = source.schemas;
  const [t] = target.schemas;
  if (!engineFacts(target.engine).databaseIsSchema || source.schemas.length !== 1 || target.schemas.length !== 1) {
    return target;
  }
  if (!s || !t || s.name === t.name) return target;
  const name = (x: string) => (x === t.name ? s.name : x);
  const ref = (x: string) => (x.startsWith(`${t.name}.`) ? `${s.name}.${x.slice(t.name.length + 1)}` : x);
  return {
    ...target,
    schemas: [{ ...t, name: s.name }],
    tables: target.tables.map((tb) => ({
      ...tb,
      schema: name(tb.schema),
      ...(tb.constraints
        ? { constraints: tb.constraints.map((k) => (k.references ? { ...k, references: ref(k.references) } : k)) }
        : {}),
    })),
    ...(target.objects
      ? {
          objects: target.objects.map((o) => ({
            ...o,
            schema: name(o.schema),
            ...(o.dependsOn ? { dependsOn: o.dependsOn.map(ref) } : {}),
          })),
        }
      : {}),
  };
}

export function diffSchemas(
  sourceIn: SchemaSnapshot,
  targetIn: SchemaSnapshot,
  opts: DiffOptions & { quote?: (name: string) => string } = {},
): SchemaDiff {
  // Across engines the source is compared in the target's terms, by the equivalence forms.
  const flavoured = inTargetFlavour(sourceIn, targetIn);
  const cross = crossEngine(flavoured, targetIn);
  const source = cross?.source ?? flavoured;
  const target = alignDatabases(source, cross?.target ?? targetIn);
  const off = new Set(opts.noFilter ?? []);
  const on = new Set(NOISE_FILTERS.filter((f) => !off.has(f)));
  const byTo = new Map((opts.renames ?? []).map((r: RenameHint) => [r.to, r.from]));
  const c: Ctx = {
    on,
    quote: opts.quote ?? engineFacts(target.engine).quote,
    changes: [],
    objects: source.objects !== undefined && target.objects !== undefined,
    renameOf: (to) => byTo.get(to),
    ...(cross ? { eq: { eq: cross.eq, source, target } } : {}),
  };

  const sSchemas = new Set(source.schemas.map((s) => s.name));
  for (const s of source.schemas) {
    const t = target.schemas.find((x) => x.name === s.name);
    if (!t) c.changes.push({ kind: "schema", action: "added", schema: s.name, name: s.name, fields: [], source: s });
    else {
      // Across engines a schema is only a name (PostgreSQL's public has a comment MySQL cannot hold).
      const fields = fieldChanges(t, s, cross ? ["name", "comment"] : ["name"]);
      if (fields.length > 0)
        c.changes.push({
          kind: "schema",
          action: "changed",
          schema: s.name,
          name: s.name,
          fields,
          source: s,
          target: t,
        });
    }
  }
  for (const t of target.schemas) {
    if (!sSchemas.has(t.name))
      c.changes.push({ kind: "schema", action: "dropped", schema: t.name, name: t.name, fields: [], target: t });
  }

  const sExt = source.extensions ?? [];
  const tExt = target.extensions ?? [];
  for (const e of sExt) {
    const t = tExt.find((x) => x.name === e.name);
    if (!t)
      c.changes.push({ kind: "extension", action: "added", schema: e.schema, name: e.name, fields: [], source: e });
    else if (e.schema !== t.schema) {
      c.changes.push({
        kind: "extension",
        action: "changed",
        schema: e.schema,
        name: e.name,
        fields: [{ field: "schema", before: t.schema, after: e.schema }],
        source: e,
        target: t,
      });
    }
  }
  for (const t of tExt) {
    if (!sExt.some((x) => x.name === t.name))
      c.changes.push({ kind: "extension", action: "dropped", schema: t.schema, name: t.name, fields: [], target: t });
  }

  const tkey = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`;
  const targets = new Map(target.tables.map((t) => [tkey(t), t]));
  for (const s of source.tables) {
    const from = c.renameOf(tkey(s));
    const renamed = from && targets.has(from) && !source.tables.some((x) => tkey(x) === from) ? from : undefined;
    const t = targets.get(renamed ?? tkey(s));
    if (!t) {
      c.changes.push({ kind: "table", action: "added", schema: s.schema, name: s.name, fields: [], source: s });
      continue;
    }
    targets.delete(tkey(t));
    diffTable(c, s, t, renamed ? t.name : undefined);
  }
  for (const t of targets.values()) {
    c.changes.push({ kind: "table", action: "dropped", schema: t.schema, name: t.name, fields: [], target: t });
  }
  diffObjects(c, source.objects ?? [], target.objects ?? []);

  const keep = included(opts);
  const changes = c.changes.filter((ch) =>
    ch.kind === "schema" || ch.kind === "extension" ? schemaIncluded(opts, keep, ch.name) : keep(changePath(ch)),
  );
  return {
    sourceEngine: sourceIn.translatedFrom ?? sourceIn.engine,
    targetEngine: targetIn.translatedFrom ?? targetIn.engine,
    filters: [...on],
    changes,
    ...(cross && cross.notes.length > 0 ? { notes: cross.notes } : {}),
  };
}
