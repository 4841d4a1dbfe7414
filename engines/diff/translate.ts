// Cross-engine: a source snapshot rewritten in the target engine's terms (types through the one
// mapping table in engines/schema/typemap.ts, defaults, auto-numbering, keys, checks, indexes,
// views), so the same-engine diff and sync renderers work on it. What the target cannot hold is
// left out or replaced, and each such decision is a note; nothing is dropped without one.
import { MigratrixError } from "../../common/errors.ts";
import type {
  ColumnSnapshot,
  ConstraintSnapshot,
  IndexSnapshot,
  SchemaObjectSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../schema/snapshot.ts";
import {
  comparableDefault,
  indexMethodIn,
  mapColumnType,
  parseNativeType,
  renderDefault,
  stripCasts,
  type TypeMapTarget,
  typeMapSource,
  typeMapTarget,
} from "../schema/typemap.ts";
import type { EngineId } from "../types.ts";
import { engineFacts } from "./engines.ts";
import {
  canonicalForCrossEngine,
  columnKind,
  type Equivalence,
  equivalence,
  isAutoNumbered,
  keyColumns,
} from "./equivalence.ts";
import { anyArrayToIn, escapeRe, mapIdentifiers, viewBody } from "./normalize.ts";

/** One thing the target engine cannot hold as the source has it, and what was done instead. */
export interface TranslationNote {
  /** "column public.users.created", "sequence public.ids", "function public.f(integer)". */
  object: string;
  note: string;
}

export interface Translation {
  /** The source in the target's terms: engine is the target's, translatedFrom the source's. */
  snapshot: SchemaSnapshot;
  notes: TranslationNote[];
}

const ENGINE_NAME: Partial<Record<EngineId, string>> = {
  postgresql: "PostgreSQL",
  mysql: "MySQL",
  mariadb: "MariaDB",
  sqlite: "SQLite",
};
export const engineName = (e: EngineId) => ENGINE_NAME[e] ?? e;

interface Tx {
  from: EngineId;
  to: EngineId;
  target: TypeMapTarget;
  source: SchemaSnapshot;
  quote: (n: string) => string;
  literal: (v: string) => string;
  /** Source schema → the target's; absent: not carried. */
  schemaOf: Map<string, string>;
  notes: TranslationNote[];
  /** Index names taken in the target schema (PostgreSQL and SQLite name indexes per schema). */
  indexNames: Set<string>;
  /** The source's routines, which are not translated: what calls one cannot be carried either. */
  routines: string[];
}

/** The left-out routine `text` calls, if any. */
function callsRoutine(x: Tx, text: string): string | undefined {
  return x.routines.find((r) => new RegExp(`(^|[^A-Za-z0-9_$])["\`]?${escapeRe(r)}["\`]?\\s*\\(`, "i").test(text));
}

const note = (x: Tx, object: string, text: string) => x.notes.push({ object, note: text });
const unrepresentable = (x: Tx, object: string, instead: string) =>
  note(x, object, `not representable in ${engineName(x.to)}; ${instead}`);

/** Source SQL text (a check, a generated column, an index key, a view body) in the target's spelling. */
function translateSql(x: Tx, text: string): string {
  const schemas = new Set(x.schemaOf.keys());
  let out = mapIdentifiers(text, (n) => `\uE000${n}\uE001`, { brackets: x.from === "sqlite" });
  // Qualifiers of the source's schemas go: objects land in the target's (current) schema.
  out = out.replace(/\uE000([^\uE001]*)\uE001\s*\.\s*(?=\uE000|[A-Za-z_])/g, (m, n: string) =>
    schemas.has(n) ? "" : m,
  );
  out = out.replace(/\b([A-Za-z_][A-Za-z0-9_$]*)\s*\.\s*(?=\uE000|[A-Za-z_])/g, (m, n: string) =>
    schemas.has(n) ? "" : m,
  );
  if (x.target !== "postgresql") out = anyArrayToIn(stripCasts(out));
  return out.replace(/\uE000([^\uE001]*)\uE001/g, (_m, n: string) => x.quote(n));
}

/** Source schema → target schema. Across engines one side keeps one schema per database. */
function pickSchemas(source: SchemaSnapshot, target: SchemaSnapshot, x: Pick<Tx, "notes">): Map<string, string> {
  const out = new Map<string, string>();
  const tFacts = engineFacts(target.engine);
  const sFacts = engineFacts(source.engine);
  const targetDefault = tFacts.databaseIsSchema
    ? (target.schemas[0]?.name ?? (target.engine === "sqlite" ? "main" : "db"))
    : target.schemas.length === 1
      ? (target.schemas[0]?.name ?? "public")
      : "public";
  if (sFacts.databaseIsSchema || tFacts.databaseIsSchema) {
    // One schema on the target side: the source's only one, or its "public", goes there.
    const chosen =
      source.schemas.length === 1
        ? source.schemas[0]?.name
        : (source.schemas.find((s) => s.name === "public")?.name ?? source.schemas[0]?.name);
    if (chosen !== undefined) out.set(chosen, targetDefault);
    for (const s of source.schemas) {
      if (s.name === chosen) continue;
      const n = source.tables.filter((t) => t.schema === s.name).length;
      x.notes.push({
        object: `schema ${s.name}`,
        note: `not representable in ${engineName(target.engine)} (one schema per database); its ${n} table${n === 1 ? "" : "s"} and other objects are left out: compare it against another database`,
      });
    }
  } else for (const s of source.schemas) out.set(s.name, s.name);
  return out;
}

/** Columns of `t` in its primary key or in a foreign key either way: MySQL needs them indexable whole. */
function keyedColumns(source: SchemaSnapshot, t: TableSnapshot): Set<string> {
  const out = new Set(t.primaryKey?.columns ?? []);
  for (const k of t.constraints ?? []) if (k.kind === "foreign") for (const c of k.columns ?? []) out.add(c);
  for (const other of source.tables) {
    for (const k of other.constraints ?? []) {
      if (k.kind === "foreign" && k.references === `${t.schema}.${t.name}`)
        for (const c of k.referencedColumns ?? []) out.add(c);
    }
  }
  return out;
}

/** The varchar a MySQL key column of unbounded text becomes (255 utf8mb4 characters fit its keys). */
const MYSQL_KEY_TEXT = "varchar(255)";

function columnTo(
  x: Tx,
  t: TableSnapshot,
  c: ColumnSnapshot,
  out: { checks: ConstraintSnapshot[]; keyed: Set<string> },
): ColumnSnapshot {
  const sourceEngine = typeMapSource(x.from) ?? "postgresql";
  const path = `column ${t.schema}.${t.name}.${c.name}`;
  const { ctx } = columnKind(sourceEngine, x.source, t, c);
  // A domain's columns take its base type (its checks stay behind).
  const domain = (x.source.objects ?? []).find(
    (o) => o.kind === "type" && o.typeKind === "domain" && (c.type === o.name || c.type === `${o.schema}.${o.name}`),
  );
  const type = domain?.baseType ?? c.type;
  if (domain)
    unrepresentable(x, path, `domain ${domain.name} becomes its base type ${type}; its constraints are left out`);
  const m = mapColumnType(
    sourceEngine,
    x.target,
    { table: t.name, column: c.name, type, ctx },
    { fixedChar: true, enumAs: "check" },
  );
  for (const l of m.loss) note(x, path, `${l}; created as ${m.targetType}`);
  if (x.target === "mysql" && out.keyed.has(c.name) && /^(long)?text$/i.test(m.targetType)) {
    unrepresentable(x, path, `a ${type} key column becomes ${MYSQL_KEY_TEXT} (${engineName(x.to)} keys need a length)`);
    m.targetType = MYSQL_KEY_TEXT;
  }
  if (m.checkLabels) {
    out.checks.push({
      name: `${t.name}_${c.name}_check`,
      kind: "check",
      definition: `CHECK (${x.quote(c.name)} IN (${m.checkLabels.map(x.literal).join(", ")}))`,
    });
    unrepresentable(x, path, `enum ${c.type} becomes ${m.targetType} with a CHECK of its labels`);
  }
  const inKey = (t.primaryKey?.columns ?? []).includes(c.name);
  const col: ColumnSnapshot = {
    name: c.name,
    type: m.targetType,
    nullable: c.nullable && !inKey,
    default: null,
    ordinal: c.ordinal,
  };
  const auto = isAutoNumbered(x.from, t, c);
  if (auto) {
    if (x.target === "postgresql") col.identity = c.identity ?? "by default";
    else if (x.target === "mysql" && (inKey || t.indexes.some((ix) => ix.columns[0] === c.name)))
      col.autoIncrement = true;
    else if (x.target === "mysql") {
      unrepresentable(
        x,
        path,
        `${engineName(x.to)} numbers only a key column; ${c.default ?? "its numbering"} is left out`,
      );
    } else if ((t.primaryKey?.columns ?? []).length === 1 && inKey) {
      col.autoIncrement = true;
      col.type = "INTEGER";
    } else unrepresentable(x, path, "SQLite numbers only an INTEGER PRIMARY KEY; the column is not auto-numbered");
  } else if (c.default !== null) {
    const d = comparableDefault(c.default, m.kind);
    const fsp = parseNativeType(sourceEngine, type).args[0];
    const text = renderDefault(d, x.target, {
      kind: m.kind,
      ...(fsp !== undefined && /time/i.test(type) ? { fsp } : {}),
      // MySQL 8 snapshots hold string defaults unquoted, as its information_schema prints them.
      quote: x.to === "mysql" ? (v) => v : x.literal,
    });
    if (text !== null) col.default = text;
    else unrepresentable(x, path, `default ${c.default} has no spelling there; left out`);
  }
  const fn = c.generated !== undefined ? callsRoutine(x, c.generated) : undefined;
  if (fn !== undefined) unrepresentable(x, path, `its generation calls ${fn}(), which is left out; a plain column`);
  else if (c.generated !== undefined) {
    col.generated = translateSql(x, c.generated);
    if (c.virtual && x.target !== "postgresql") col.virtual = true;
    else if (c.virtual) unrepresentable(x, path, "a VIRTUAL generated column becomes STORED");
  }
  if (c.onUpdate !== undefined && x.target !== "mysql") {
    unrepresentable(x, path, `ON UPDATE ${c.onUpdate} needs a trigger there; left out`);
  }
  if (c.comment !== undefined && x.target !== "sqlite") col.comment = c.comment;
  return col;
}

function constraintTo(x: Tx, t: TableSnapshot, k: ConstraintSnapshot): ConstraintSnapshot | null {
  const path = `constraint ${t.schema}.${t.name}.${k.name}`;
  const list = (cols: string[]) => cols.map(x.quote).join(", ");
  const generated = /^sqlite_autoindex_/.test(k.name);
  switch (k.kind) {
    case "primary": {
      const name = x.target === "mysql" ? "PRIMARY" : `${t.name}_pkey`;
      return { name, kind: "primary", definition: `PRIMARY KEY (${list(keyColumns(k.definition))})` };
    }
    case "unique": {
      const cols = keyColumns(k.definition);
      // SQLite's generated names mean nothing elsewhere: PostgreSQL's own form instead.
      const name = generated ? `${t.name}_${cols.join("_")}_key` : k.name;
      return { name, kind: "unique", definition: `UNIQUE (${list(cols)})` };
    }
    case "check": {
      const fn = callsRoutine(x, k.definition);
      if (fn !== undefined) {
        unrepresentable(x, path, `it calls ${fn}(), which is left out; left out`);
        return null;
      }
      return {
        name: k.name,
        kind: "check",
        definition: `CHECK (${translateSql(x, k.definition.replace(/^\s*CHECK\s*/i, ""))})`,
      };
    }
    case "foreign": {
      const [rs = "", rt = ""] = splitRef(k.references ?? "");
      const schema = x.schemaOf.get(rs);
      if (schema === undefined) {
        unrepresentable(x, path, `it references ${k.references}, which is left out; left out`);
        return null;
      }
      const cols = k.columns ?? keyColumns(k.definition);
      const refCols = k.referencedColumns ?? keyColumns(k.definition.slice(k.definition.search(/REFERENCES/i)));
      const ref = x.target === "postgresql" ? `${x.quote(schema)}.${x.quote(rt)}` : x.quote(rt);
      const act = (w: string, a: string | undefined) =>
        a && !/^(NO ACTION|RESTRICT)$/i.test(a) ? ` ON ${w} ${a.toUpperCase()}` : "";
      if (x.target !== "postgresql" && /\b(DEFERRABLE|MATCH FULL)\b/i.test(k.definition)) {
        unrepresentable(x, path, "DEFERRABLE and MATCH FULL are left out");
      }
      return {
        name: k.name,
        kind: "foreign",
        definition: `FOREIGN KEY (${list(cols)}) REFERENCES ${ref} (${list(refCols)})${act("DELETE", k.onDelete)}${act("UPDATE", k.onUpdate)}`,
        references: `${schema}.${rt}`,
        columns: cols,
        referencedColumns: refCols,
        ...(k.onDelete && !/^(NO ACTION|RESTRICT)$/i.test(k.onDelete) ? { onDelete: k.onDelete.toUpperCase() } : {}),
        ...(k.onUpdate && !/^(NO ACTION|RESTRICT)$/i.test(k.onUpdate) ? { onUpdate: k.onUpdate.toUpperCase() } : {}),
      };
    }
    default:
      unrepresentable(x, path, `${k.kind} constraints do not exist there; left out`);
      return null;
  }
}

function splitRef(ref: string): [string, string] {
  const dot = ref.indexOf(".");
  return dot < 0 ? ["", ref] : [ref.slice(0, dot), ref.slice(dot + 1)];
}

/** The prefix a TEXT/BLOB key column is indexed by in MariaDB (255 utf8mb4 characters leave room in its 3072-byte keys). */
const MYSQL_TEXT_PREFIX = 255;

function indexTo(x: Tx, t: TableSnapshot, ix: IndexSnapshot, columns: ColumnSnapshot[]): IndexSnapshot | null {
  const path = `index ${t.schema}.${t.name}.${ix.name}`;
  const isColumn = (c: string) => t.columns.some((col) => col.name === c);
  const method = indexMethodIn(x.target, ix.method);
  if (method === null) {
    if (ix.method?.toLowerCase() === "hash") unrepresentable(x, path, "a hash index becomes a B-tree index");
    else {
      unrepresentable(x, path, `${ix.method} indexes do not exist there; left out`);
      return null;
    }
  }
  if (x.target === "mysql" && (ix.where !== undefined || !ix.columns.every(isColumn))) {
    unrepresentable(
      x,
      path,
      `${ix.where !== undefined ? "partial" : "expression"} indexes do not exist there; left out`,
    );
    return null;
  }
  let name = ix.name;
  if (x.target !== "mysql" && x.indexNames.has(name)) {
    name = `${t.name}_${ix.name}`;
    note(x, path, `${engineName(x.to)} names indexes per schema; named ${name}`);
  }
  x.indexNames.add(name);
  const out: IndexSnapshot = {
    name,
    columns: ix.columns.map((c) => (isColumn(c) ? c : translateSql(x, c))),
    unique: ix.unique,
  };
  if (method) out.method = method;
  if (ix.where !== undefined) out.where = translateSql(x, ix.where);
  if (ix.descending?.some(Boolean)) out.descending = ix.descending;
  if (ix.include?.length) {
    if (x.target === "postgresql") out.include = ix.include;
    else unrepresentable(x, path, `INCLUDE (${ix.include.join(", ")}) is left out; the index keeps its key columns`);
  }
  if (ix.lengths?.some((l) => l !== null)) {
    if (x.target === "mysql") out.lengths = ix.lengths;
    else unrepresentable(x, path, "key prefix lengths are left out; the whole column is indexed");
  }
  // A TEXT key column is indexed by its first characters there (a unique key is hashed whole instead).
  const blobs = out.columns.map((c) =>
    /^(tiny|medium|long)?(text|blob)$/i.test(columns.find((k) => k.name === c)?.type ?? ""),
  );
  if (x.target === "mysql" && !out.unique && blobs.some(Boolean) && !out.lengths) {
    out.lengths = blobs.map((b) => (b ? MYSQL_TEXT_PREFIX : null));
    note(x, path, `${engineName(x.to)} indexes text columns by a prefix: their first ${MYSQL_TEXT_PREFIX} characters`);
  }
  if (ix.comment !== undefined && x.target !== "sqlite") out.comment = ix.comment;
  return out;
}

function tableTo(x: Tx, t: TableSnapshot, schema: string): TableSnapshot {
  const extra = { checks: [] as ConstraintSnapshot[], keyed: keyedColumns(x.source, t) };
  const columns = t.columns.map((c) => columnTo(x, t, c, extra));
  const path = `table ${t.schema}.${t.name}`;
  if (t.partitionKey || t.partitionOf) {
    unrepresentable(x, path, "partitioning is left out; created as a plain table");
  }
  const constraints = [
    ...(t.constraints ?? [])
      .filter((k) => !(k.kind === "check" && /json_valid/i.test(k.definition)))
      .map((k) => constraintTo(x, t, k))
      .filter((k): k is ConstraintSnapshot => k !== null),
    ...extra.checks,
  ];
  if (!t.constraints && t.primaryKey) {
    constraints.push({
      name: x.target === "mysql" ? "PRIMARY" : `${t.name}_pkey`,
      kind: "primary",
      definition: `PRIMARY KEY (${t.primaryKey.columns.map(x.quote).join(", ")})`,
    });
  }
  // PostgreSQL names a key's index like any relation of the schema: MySQL's per-table names may clash.
  if (x.target === "postgresql") {
    for (const k of constraints) {
      if (k.kind !== "unique" && k.kind !== "primary") continue;
      if (x.indexNames.has(k.name)) {
        const name = `${t.name}_${k.name}`;
        note(x, `constraint ${t.schema}.${t.name}.${k.name}`, `PostgreSQL names keys per schema; named ${name}`);
        k.name = name;
      }
      x.indexNames.add(k.name);
    }
  }
  const keyNames = new Set(
    (t.constraints ?? []).filter((k) => k.kind === "unique" || k.kind === "primary").map((k) => k.name),
  );
  const indexes: IndexSnapshot[] = [];
  const pk = t.primaryKey?.columns;
  if (x.target === "mysql") {
    // MySQL keeps keys as indexes too (SHOW CREATE TABLE prints them so).
    if (pk) indexes.push({ name: "PRIMARY", columns: pk, unique: true, primary: true });
    for (const k of constraints) {
      if (k.kind === "unique") indexes.push({ name: k.name, columns: keyColumns(k.definition), unique: true });
    }
  }
  for (const ix of t.indexes) {
    if (ix.primary || ix.constraint || keyNames.has(ix.name)) continue;
    const out = indexTo(x, t, ix, columns);
    if (!out) continue;
    indexes.push(out);
    // MySQL has no unique index apart from a unique key: it is a constraint there.
    if (x.target === "mysql" && out.unique) {
      constraints.push({
        name: out.name,
        kind: "unique",
        definition: `UNIQUE (${out.columns.map(x.quote).join(", ")})`,
      });
    }
  }
  return {
    schema,
    name: t.name,
    columns,
    primaryKey: pk ? { ...(x.target === "postgresql" ? { name: `${t.name}_pkey` } : {}), columns: pk } : null,
    indexes,
    constraints,
    ...(t.comment !== undefined && x.target !== "sqlite" ? { comment: t.comment } : {}),
  };
}

function objectTo(x: Tx, o: SchemaObjectSnapshot, schema: string): SchemaObjectSnapshot | null {
  const on = o.kind === "trigger" && o.table !== undefined ? `${o.table}.` : "";
  const path = `${o.kind.replace("_", " ")} ${o.schema}.${on}${o.name}${o.signature !== undefined ? `(${o.signature})` : ""}`;
  const from = engineName(x.from);
  switch (o.kind) {
    case "view":
    case "materialized_view": {
      const fn = callsRoutine(x, o.definition);
      if (fn !== undefined) {
        unrepresentable(x, path, `it calls ${fn}(), which is left out; left out`);
        return null;
      }
      if (o.kind === "materialized_view")
        unrepresentable(x, path, "created as a plain view (no stored rows, no indexes)");
      const { columns, body } = viewBody(o.definition);
      const name = x.target === "postgresql" ? `${x.quote(schema)}.${x.quote(o.name)}` : x.quote(o.name);
      const cols = columns ? ` ${translateSql(x, columns)}` : "";
      return {
        kind: "view",
        schema,
        name: o.name,
        dependsOn: (o.dependsOn ?? []).flatMap((d) => {
          const [s, n] = splitRef(d);
          const to = x.schemaOf.get(s);
          return to === undefined ? [] : [`${to}.${n}`];
        }),
        ...(o.comment !== undefined && x.target === "postgresql" ? { comment: o.comment } : {}),
        definition: `CREATE VIEW ${name}${cols} AS\n${translateSql(x, body).trim()}`,
      };
    }
    case "sequence":
      unrepresentable(
        x,
        path,
        "Migratrix syncs no sequences there (an owning column's numbering becomes AUTO_INCREMENT or identity); left out",
      );
      return null;
    case "type":
      if (o.typeKind === "enum")
        unrepresentable(
          x,
          path,
          `its columns take ${x.target === "mysql" ? "an inline enum(…)" : "text with a CHECK of its labels"}`,
        );
      else if (o.typeKind !== "domain")
        unrepresentable(x, path, `${o.typeKind ?? "user"} types do not exist there; left out`);
      return null;
    default:
      unrepresentable(x, path, `its body is ${from} code and is not translated; left out`);
      return null;
  }
}

/** The source snapshot in `target`'s engine terms, with a note for everything not carried as it is. */
export function translateSnapshot(sourceIn: SchemaSnapshot, target: SchemaSnapshot): Translation {
  const to = target.engine;
  const tt = typeMapTarget(to);
  if (!tt || !typeMapSource(sourceIn.engine)) {
    throw new MigratrixError(
      "unimplemented",
      `cross-engine diff from ${sourceIn.engine} to ${to} is not in this version`,
    );
  }
  const source = canonicalForCrossEngine(sourceIn);
  const facts = engineFacts(to);
  const base = {
    from: source.engine,
    to,
    target: tt,
    source,
    quote: facts.quote,
    literal: (v: string) => facts.dialect.quoteLiteral(v),
    notes: [] as TranslationNote[],
    indexNames: new Set<string>(),
    routines: (source.objects ?? []).filter((o) => o.kind === "function" || o.kind === "procedure").map((o) => o.name),
  };
  const x: Tx = { ...base, schemaOf: pickSchemas(source, target, base) };
  // Tables, views and sequences share PostgreSQL's (and SQLite's) namespace with indexes.
  if (tt !== "mysql") for (const r of [...source.tables, ...(source.objects ?? [])]) x.indexNames.add(r.name);
  const tables = source.tables.flatMap((t) => {
    const schema = x.schemaOf.get(t.schema);
    return schema === undefined ? [] : [tableTo(x, t, schema)];
  });
  const objects = (source.objects ?? []).flatMap((o) => {
    const schema = x.schemaOf.get(o.schema);
    const out = schema === undefined ? null : objectTo(x, o, schema);
    return out ? [out] : [];
  });
  for (const e of source.extensions ?? []) unrepresentable(x, `extension ${e.name}`, "left out");
  if (
    to === "sqlite" &&
    source.tables.some((t) => t.comment !== undefined || t.columns.some((c) => c.comment !== undefined))
  )
    note(x, "comments", "SQLite keeps no comments; left out");
  const schemas = [...new Set(x.schemaOf.values())].map((name) => ({ name }));
  const snapshot: SchemaSnapshot = {
    version: source.version,
    engine: to,
    serverVersion: source.serverVersion,
    schemas,
    tables,
    ...(source.objects !== undefined || target.objects !== undefined ? { objects } : {}),
    ...(target.extensions !== undefined ? { extensions: [] } : {}),
    translatedFrom: source.engine,
  };
  return { snapshot, notes: x.notes };
}

/** Both sides of a cross-engine compare in the target's terms, and how to compare them. */
export interface CrossEngine {
  source: SchemaSnapshot;
  target: SchemaSnapshot;
  notes: TranslationNote[];
  eq: Equivalence;
}

/**
 * Null for two engines of one family; else the source translated (unless it already is), both
 * sides in their canonical cross-engine form, and the equivalence to compare them by.
 */
/** A source of the target's family but not its engine (MariaDB against MySQL 8) in the target's conventions. */
export function inTargetFlavour(source: SchemaSnapshot, target: SchemaSnapshot): SchemaSnapshot {
  if (source.engine === target.engine || source.translatedFrom !== undefined) return source;
  const facts = engineFacts(target.engine);
  return facts.family === engineFacts(source.engine).family && facts.inFamily ? facts.inFamily(source) : source;
}

export function crossEngine(source: SchemaSnapshot, target: SchemaSnapshot): CrossEngine | null {
  const sameFamily = engineFacts(source.engine).family === engineFacts(target.engine).family;
  if (sameFamily && source.translatedFrom === undefined && target.translatedFrom === undefined) return null;
  const tgt = canonicalForCrossEngine(target);
  const tr = sameFamily ? { snapshot: canonicalForCrossEngine(source), notes: [] } : translateSnapshot(source, tgt);
  const other = source.translatedFrom ?? target.translatedFrom ?? source.engine;
  return { source: tr.snapshot, target: tgt, notes: tr.notes, eq: equivalence(target.engine, other) };
}
