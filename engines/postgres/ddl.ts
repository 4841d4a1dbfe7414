// PostgreSQL DDL from the schema snapshot: the CREATE statements that rebuild a whole schema
// (renderCreateDdl), one object at a time (the pieces the sync script reuses), and the ALTERs a
// sync needs (renderSyncStep). Statements carry no terminator; scripts join them with ";\n".
import type { Change, RenderContext, SyncRenderer, SyncStatement, TimeoutOptions } from "../diff/model.ts";
import type {
  ColumnSnapshot,
  ConstraintSnapshot,
  ExtensionSnapshot,
  IndexSnapshot,
  PrimaryKeySnapshot,
  SchemaObjectSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../schema/snapshot.ts";
import { inDependencyOrder } from "../schema/snapshot.ts";
import { postgresDialect } from "./dialect.ts";

const qi = (name: string) => postgresDialect.quoteIdent(name);
const ql = (value: string) => postgresDialect.quoteLiteral(value);
/** A schema-qualified name, both parts quoted. */
export const qname = (schema: string, name: string) => `${qi(schema)}.${qi(name)}`;

/** What the session needs before a generated script: routine bodies are checked when they run, as pg_dump does. */
export const CREATE_PREAMBLE = ["SET check_function_bodies = false"];

export function createSchemaSql(name: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${qi(name)}`;
}

export function columnDef(c: ColumnSnapshot): string {
  const identity = c.identity ? ` GENERATED ${c.identity === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY` : "";
  const dflt = c.default !== null && !identity && c.generated === undefined ? ` DEFAULT ${c.default}` : "";
  const generated = c.generated !== undefined ? ` GENERATED ALWAYS AS (${c.generated}) STORED` : "";
  const collate = c.collation !== undefined ? ` COLLATE ${qi(c.collation)}` : "";
  return `${qi(c.name)} ${c.type}${collate}${dflt}${identity}${generated}${c.nullable ? "" : " NOT NULL"}`;
}

/** CREATE TABLE with its columns only; keys, checks, indexes and foreign keys are separate statements. */
export function createTableSql(t: TableSnapshot, opts: { ifNotExists?: boolean } = {}): string {
  const cols = [...t.columns].sort((a, b) => a.ordinal - b.ordinal).map((c) => `  ${columnDef(c)}`);
  const body = cols.length === 0 ? "()" : `(\n${cols.join(",\n")}\n)`;
  return `CREATE TABLE ${opts.ifNotExists ? "IF NOT EXISTS " : ""}${qname(t.schema, t.name)} ${body}`;
}

export function addConstraintSql(t: TableSnapshot, c: Pick<ConstraintSnapshot, "name" | "definition">): string {
  return `ALTER TABLE ${qname(t.schema, t.name)} ADD CONSTRAINT ${qi(c.name)} ${c.definition}`;
}

/**
 * The table's key and check constraints: from `constraints` when the snapshot has them (read with
 * `objects: true`), else the primary key alone. Foreign keys are left to foreignKeys().
 */
export function tableConstraints(t: TableSnapshot): Pick<ConstraintSnapshot, "name" | "definition" | "kind">[] {
  if (t.constraints) return t.constraints.filter((c) => c.kind !== "foreign");
  if (!t.primaryKey) return [];
  return [
    {
      name: t.primaryKey.name ?? `${t.name}_pkey`,
      kind: "primary",
      definition: `PRIMARY KEY (${t.primaryKey.columns.map(qi).join(", ")})`,
    },
  ];
}

export function foreignKeys(t: TableSnapshot): ConstraintSnapshot[] {
  return (t.constraints ?? []).filter((c) => c.kind === "foreign");
}

/** Indexes that are not a constraint's own (those come with the constraint). */
export function standaloneIndexes(t: TableSnapshot): IndexSnapshot[] {
  const owned = new Set(tableConstraints(t).map((c) => c.name));
  return t.indexes.filter((ix) => !ix.primary && !ix.constraint && !owned.has(ix.name));
}

/** The index's own DDL, or one built from its key columns when the snapshot has no definition. */
export function createIndexSql(t: TableSnapshot, ix: IndexSnapshot): string {
  // A partitioned table's index prints "ON ONLY"; created on the whole tree it makes the partitions' too.
  if (ix.definition) return ix.definition.replace(/^(CREATE (?:UNIQUE )?INDEX \S+ ON )ONLY /, "$1");
  // Built from its parts (a snapshot translated from another engine): method, order, INCLUDE, WHERE.
  const keys = ix.columns.map((c, i) => {
    const key = t.columns.some((col) => col.name === c) || /^[a-z_][a-z0-9_$]*$/i.test(c) ? qi(c) : `(${c})`;
    return `${key}${ix.descending?.[i] ? " DESC" : ""}`;
  });
  const using = ix.method !== undefined ? ` USING ${ix.method}` : "";
  const include = ix.include?.length ? ` INCLUDE (${ix.include.map(qi).join(", ")})` : "";
  const where = ix.where !== undefined ? ` WHERE (${ix.where})` : "";
  return `CREATE ${ix.unique ? "UNIQUE " : ""}INDEX ${qi(ix.name)} ON ${qname(t.schema, t.name)}${using} (${keys.join(", ")})${include}${where}`;
}

/** Sequences owned by a serial column: the owner is "table.column" in the sequence's schema. */
export function sequenceOwnedBySql(o: SchemaObjectSnapshot): string | null {
  if (o.kind !== "sequence" || !o.ownedBy) return null;
  const dot = o.ownedBy.lastIndexOf(".");
  const table = o.ownedBy.slice(0, dot);
  const column = o.ownedBy.slice(dot + 1);
  return `ALTER SEQUENCE ${qname(o.schema, o.name)} OWNED BY ${qname(o.schema, table)}.${qi(column)}`;
}

/** Views first by what they read, so a view comes after the views it selects from. */
const TYPE_ORDER = (o: SchemaObjectSnapshot) =>
  /^CREATE TYPE \S+ AS ENUM/.test(o.definition) ? 0 : /^CREATE DOMAIN/.test(o.definition) ? 1 : 2;

/**
 * The statements that create everything in the snapshot, in an order PostgreSQL accepts:
 * schemas, types, sequences, routines (bodies unchecked), tables, sequence ownership, keys and
 * checks, indexes, foreign keys (so reference cycles need nothing special), views by their
 * dependencies, materialized views, triggers.
 */
export function renderCreateStatements(s: SchemaSnapshot): string[] {
  const objects = s.objects ?? [];
  const of = (kind: SchemaObjectSnapshot["kind"]) => objects.filter((o) => o.kind === kind);
  const out: string[] = [...CREATE_PREAMBLE];
  for (const sc of s.schemas) if (sc.name !== "public") out.push(createSchemaSql(sc.name));
  for (const e of s.extensions ?? []) out.push(createExtensionSql(e));
  for (const o of [...of("type")].sort((a, b) => TYPE_ORDER(a) - TYPE_ORDER(b))) out.push(o.definition);
  for (const o of of("sequence")) out.push(o.definition);
  for (const o of [...of("function"), ...of("procedure")]) out.push(o.definition);
  for (const t of parentsFirst(s.tables)) out.push(createTableWithPartitioning(t));
  for (const o of of("sequence")) {
    const owned = sequenceOwnedBySql(o);
    if (owned) out.push(owned);
  }
  const rank = { primary: 0, unique: 1, exclusion: 2, check: 3, foreign: 4 } as const;
  // A partition gets its parent's keys, checks, foreign keys and indexes when it is attached.
  const own = <T extends { name: string }>(
    t: TableSnapshot,
    items: T[],
    inherited: (p: TableSnapshot, x: T) => boolean,
  ) => {
    const parent = parentOf(s, t);
    return parent ? items.filter((x) => !inherited(parent, x)) : items;
  };
  for (const t of parentsFirst(s.tables)) {
    for (const c of own(t, [...tableConstraints(t)], constraintFromParent).sort(
      (a, b) => rank[a.kind] - rank[b.kind],
    )) {
      out.push(addConstraintSql(t, c));
    }
  }
  for (const t of parentsFirst(s.tables)) {
    for (const ix of own(t, standaloneIndexes(t), (p, x) => indexFromParent(p, t, x))) out.push(createIndexSql(t, ix));
  }
  for (const t of s.tables)
    for (const fk of own(t, foreignKeys(t), constraintFromParent)) out.push(addConstraintSql(t, fk));
  const views = inDependencyOrder([...of("view"), ...of("materialized_view")]);
  for (const v of views) out.push(v.definition);
  for (const v of views) for (const ix of v.indexes ?? []) if (ix.definition) out.push(ix.definition);
  for (const o of of("trigger")) out.push(o.definition);
  out.push(...commentStatements(s));
  return out;
}

export function createExtensionSql(e: ExtensionSnapshot): string {
  return `CREATE EXTENSION IF NOT EXISTS ${qi(e.name)} WITH SCHEMA ${qi(e.schema)}`;
}

const COMMENT_TARGET: Record<SchemaObjectSnapshot["kind"], string> = {
  view: "VIEW",
  materialized_view: "MATERIALIZED VIEW",
  sequence: "SEQUENCE",
  function: "FUNCTION",
  procedure: "PROCEDURE",
  trigger: "TRIGGER",
  type: "TYPE",
};

/** COMMENT ON for every schema, table, column, index and object that carries a comment. */
export function commentStatements(s: SchemaSnapshot): string[] {
  const out: string[] = [];
  const on = (target: string, comment: string) => out.push(`COMMENT ON ${target} IS ${ql(comment)}`);
  for (const sc of s.schemas) if (sc.comment !== undefined) on(`SCHEMA ${qi(sc.name)}`, sc.comment);
  for (const t of s.tables) {
    const table = qname(t.schema, t.name);
    if (t.comment !== undefined) on(`TABLE ${table}`, t.comment);
    for (const c of t.columns) if (c.comment !== undefined) on(`COLUMN ${table}.${qi(c.name)}`, c.comment);
    for (const ix of t.indexes) if (ix.comment !== undefined) on(`INDEX ${qname(t.schema, ix.name)}`, ix.comment);
  }
  for (const o of s.objects ?? []) {
    for (const ix of o.indexes ?? []) if (ix.comment !== undefined) on(`INDEX ${qname(o.schema, ix.name)}`, ix.comment);
    if (o.comment === undefined) continue;
    const name = qname(o.schema, o.name);
    if (o.kind === "trigger") on(`TRIGGER ${qi(o.name)} ON ${qname(o.schema, o.table ?? "")}`, o.comment);
    else if (o.kind === "function" || o.kind === "procedure") {
      on(`${COMMENT_TARGET[o.kind]} ${name}(${o.signature ?? ""})`, o.comment);
    } else on(`${COMMENT_TARGET[o.kind]} ${name}`, o.comment);
  }
  return out;
}

// ---- partitions: a partition is created PARTITION OF its parent and inherits its keys and indexes ----

function splitQualified(name: string): [string, string] {
  const dot = name.indexOf(".");
  return [name.slice(0, dot), name.slice(dot + 1)];
}

/** The partitioned table `t` is a partition of, when the snapshot has it. */
export function parentOf(s: SchemaSnapshot, t: TableSnapshot): TableSnapshot | undefined {
  if (!t.partitionOf) return undefined;
  const [schema, name] = splitQualified(t.partitionOf.parent);
  return s.tables.find((p) => p.schema === schema && p.name === name);
}

/** Parents before their partitions (a partition may itself be partitioned). */
function parentsFirst(tables: TableSnapshot[]): TableSnapshot[] {
  const depth = (t: TableSnapshot, seen = 0): number => {
    if (!t.partitionOf || seen > 16) return 0;
    const [schema, name] = splitQualified(t.partitionOf.parent);
    const p = tables.find((x) => x.schema === schema && x.name === name);
    return p ? 1 + depth(p, seen + 1) : 1;
  };
  return [...tables].sort((a, b) => depth(a) - depth(b));
}

/** CREATE TABLE, as a partition of its parent or with its partition key where it has one. */
export function createTableWithPartitioning(t: TableSnapshot, opts: { ifNotExists?: boolean } = {}): string {
  const key = t.partitionKey ? ` PARTITION BY ${t.partitionKey}` : "";
  if (t.partitionOf) {
    const [ps, pn] = splitQualified(t.partitionOf.parent);
    return `CREATE TABLE ${opts.ifNotExists ? "IF NOT EXISTS " : ""}${qname(t.schema, t.name)} PARTITION OF ${qname(ps, pn)} ${t.partitionOf.bound}${key}`;
  }
  return `${createTableSql(t, opts)}${key}`;
}

/** A partition's constraint the parent has too (same kind and definition): it comes with the attach. */
export function constraintFromParent(
  parent: TableSnapshot,
  c: Pick<ConstraintSnapshot, "kind" | "definition">,
): boolean {
  return (
    tableConstraints(parent).some((p) => p.kind === c.kind && p.definition === c.definition) ||
    foreignKeys(parent).some((p) => p.kind === c.kind && p.definition === c.definition)
  );
}

/** A partition's index equal to one of the parent's but for names: the parent's index makes it. */
export function indexFromParent(parent: TableSnapshot, t: TableSnapshot, ix: IndexSnapshot): boolean {
  const shape = (x: IndexSnapshot, table: TableSnapshot) =>
    (x.definition ?? "")
      .replace(
        /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ /,
        (_m, u: string | undefined) => `CREATE ${u ?? ""}INDEX _ ON _ `,
      )
      .replace(qname(table.schema, table.name), "_");
  return parent.indexes.some((p) => p.definition !== undefined && shape(p, parent) === shape(ix, t));
}

/** The whole schema as one script, statements ended by ";" and separated by a blank line. */
export function renderCreateDdl(s: SchemaSnapshot): string {
  return `${renderCreateStatements(s)
    .map((st) => `${st};`)
    .join("\n\n")}\n`;
}

// ---- sync: the statements one change needs, idempotent (IF [NOT] EXISTS, OR REPLACE, or a guard) ----

/** Runs `sql` only when `condition` holds: PostgreSQL has no IF NOT EXISTS for these. */
export function guarded(condition: string, sql: string): string {
  return `DO $mx$ BEGIN IF ${condition} THEN EXECUTE ${ql(sql)}; END IF; END $mx$`;
}

const rel = (schema: string, table: string) => ql(qname(schema, table));
const attr = (schema: string, table: string, column: string, what: string) =>
  `(SELECT ${what} FROM pg_attribute WHERE attrelid = to_regclass(${rel(schema, table)}) AND attname = ${ql(column)} AND NOT attisdropped)`;
const constraintMissing = (schema: string, table: string, name: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(${rel(schema, table)}) AND conname = ${ql(name)})`;

const create = (sql: string): SyncStatement => ({ sql, phase: "create" });
const drop = (sql: string): SyncStatement => ({ sql, phase: "drop" });

function comment(on: string, value: unknown): SyncStatement {
  return create(`COMMENT ON ${on} IS ${typeof value === "string" ? ql(value) : "NULL"}`);
}

function tableOf(s: SchemaSnapshot, schema: string, name: string): TableSnapshot | undefined {
  return s.tables.find((t) => t.schema === schema && t.name === name);
}

function objectName(o: SchemaObjectSnapshot): string {
  if (o.kind === "function" || o.kind === "procedure") return `${qname(o.schema, o.name)}(${o.signature ?? ""})`;
  if (o.kind === "trigger") return `${qi(o.name)} ON ${qname(o.schema, o.table ?? "")}`;
  return qname(o.schema, o.name);
}

function isDomain(o: SchemaObjectSnapshot): boolean {
  return o.typeKind === "domain" || /^CREATE DOMAIN /i.test(o.definition);
}

function dropObjectSql(o: SchemaObjectSnapshot): string {
  const word = o.kind === "type" && isDomain(o) ? "DOMAIN" : COMMENT_TARGET[o.kind];
  return `DROP ${word} IF EXISTS ${objectName(o)}`;
}

function createObjectStatements(o: SchemaObjectSnapshot, withIndexes: boolean): SyncStatement[] {
  const out: SyncStatement[] = [];
  switch (o.kind) {
    case "view":
      out.push(create(o.definition.replace(/^CREATE (OR REPLACE )?VIEW /i, "CREATE OR REPLACE VIEW ")));
      break;
    case "materialized_view":
      out.push(create(o.definition.replace(/^CREATE MATERIALIZED VIEW /i, "CREATE MATERIALIZED VIEW IF NOT EXISTS ")));
      if (withIndexes)
        for (const ix of o.indexes ?? []) if (ix.definition) out.push(create(ifNotExists(ix.definition)));
      break;
    case "sequence":
      out.push(create(o.definition.replace(/^CREATE SEQUENCE /i, "CREATE SEQUENCE IF NOT EXISTS ")));
      break;
    case "function":
    case "procedure":
      out.push(create(o.definition.replace(/^CREATE (OR REPLACE )?/i, "CREATE OR REPLACE ")));
      break;
    case "trigger":
      out.push(
        /^CREATE CONSTRAINT TRIGGER /i.test(o.definition)
          ? create(
              guarded(
                `NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(${rel(o.schema, o.table ?? "")}) AND tgname = ${ql(o.name)})`,
                o.definition,
              ),
            )
          : create(o.definition.replace(/^CREATE (OR REPLACE )?TRIGGER /i, "CREATE OR REPLACE TRIGGER ")),
      );
      break;
    case "type":
      out.push(create(guarded(`to_regtype(${ql(qname(o.schema, o.name))}) IS NULL`, o.definition)));
      break;
  }
  if (o.comment !== undefined) out.push(comment(`${COMMENT_TARGET[o.kind]} ${objectName(o)}`, o.comment));
  return out;
}

function ifNotExists(indexDef: string, concurrently = false): string {
  return indexDef.replace(
    /^CREATE (UNIQUE )?INDEX (CONCURRENTLY )?(IF NOT EXISTS )?/i,
    (_m, u: string | undefined) => `CREATE ${u ?? ""}INDEX ${concurrently ? "CONCURRENTLY " : ""}IF NOT EXISTS `,
  );
}

/** ALTER SEQUENCE takes the same options as CREATE SEQUENCE. */
function alterSequenceSql(o: SchemaObjectSnapshot): string {
  return o.definition.replace(/^CREATE SEQUENCE (IF NOT EXISTS )?/i, "ALTER SEQUENCE ");
}

function objectStatements(
  ch: Change & { source?: SchemaObjectSnapshot; target?: SchemaObjectSnapshot },
  ctx: RenderContext,
): SyncStatement[] {
  const { source: s, target: t } = ch;
  if (ch.action === "dropped") return t ? [drop(dropObjectSql(t))] : [];
  if (!s) return [];
  if (ch.action === "added") {
    const out = createObjectStatements(s, true);
    const owned = sequenceOwnedBySql(s);
    if (owned) out.push({ sql: owned, phase: "validate" });
    return out;
  }
  const changed = new Set(ch.fields.map((f) => f.field));
  const out: SyncStatement[] = [];
  const onlyComment = !ctx.recreate && [...changed].every((f) => f === "comment");
  if (onlyComment) return [comment(`${COMMENT_TARGET[s.kind]} ${objectName(s)}`, s.comment)];
  switch (s.kind) {
    case "sequence":
      if (changed.has("definition")) out.push(create(alterSequenceSql(s)));
      if (changed.has("ownedBy")) {
        out.push({
          sql: sequenceOwnedBySql(s) ?? `ALTER SEQUENCE ${qname(s.schema, s.name)} OWNED BY NONE`,
          phase: "validate",
        });
      }
      if (changed.has("comment")) out.push(comment(`SEQUENCE ${objectName(s)}`, s.comment));
      return out;
    case "function":
    case "procedure": {
      const returns = (d: string) => /\n\s*RETURNS [^\n]*/i.exec(d)?.[0] ?? "";
      if (t && returns(t.definition) !== returns(s.definition)) out.push(drop(dropObjectSql(t)));
      return [...out, ...createObjectStatements(s, true)];
    }
    case "trigger":
      return createObjectStatements(s, true);
    case "type": {
      const inPlace = enumAdditions(t, s)?.map(create) ?? domainAlterations(t, s);
      if (inPlace) {
        return [...inPlace, ...(changed.has("comment") ? [comment(`TYPE ${objectName(s)}`, s.comment)] : [])];
      }
      return [drop(dropObjectSql(t ?? s)), ...createObjectStatements(s, true)];
    }
    default:
      // Views and materialized views: drop and create, so column lists may change.
      return [drop(dropObjectSql(t ?? s)), ...createObjectStatements(s, true)];
  }
}

interface DomainParts {
  default: string | null;
  notNull: boolean;
  /** Constraint name → "CHECK (…)". */
  checks: Map<string, string>;
}

/** A domain's default, NOT NULL and named checks, read back from the definition the snapshot keeps. */
function domainParts(o: SchemaObjectSnapshot): DomainParts | null {
  if (!isDomain(o) || o.baseType === undefined) return null;
  const head = `CREATE DOMAIN ${qname(o.schema, o.name)} AS ${o.baseType}`;
  if (!o.definition.startsWith(head)) return null;
  let rest = o.definition.slice(head.length);
  const checks = new Map<string, string>();
  const at = rest.search(/ CONSTRAINT /);
  if (at >= 0) {
    for (const part of rest.slice(at + 1).split(/ (?=CONSTRAINT )/)) {
      const m = /^CONSTRAINT ("(?:[^"]|"")+"|\S+) (.*)$/s.exec(part);
      if (!m) return null;
      const name = (m[1] ?? "").startsWith('"') ? (m[1] ?? "").slice(1, -1).replaceAll('""', '"') : (m[1] ?? "");
      checks.set(name, m[2] ?? "");
    }
    rest = rest.slice(0, at);
  }
  const notNull = rest.endsWith(" NOT NULL");
  if (notNull) rest = rest.slice(0, -" NOT NULL".length);
  if (rest !== "" && !rest.startsWith(" DEFAULT ")) return null;
  return { default: rest === "" ? null : rest.slice(" DEFAULT ".length), notNull, checks };
}

/** ALTER DOMAIN for a domain whose base type stays: default, NOT NULL, and checks (NOT VALID, then VALIDATE). */
function domainAlterations(t: SchemaObjectSnapshot | undefined, s: SchemaObjectSnapshot): SyncStatement[] | null {
  if (!t || t.baseType !== s.baseType) return null;
  const before = domainParts(t);
  const after = domainParts(s);
  if (!before || !after) return null;
  const name = qname(s.schema, s.name);
  const out: SyncStatement[] = [];
  if (before.default !== after.default) {
    out.push(
      create(`ALTER DOMAIN ${name} ${after.default === null ? "DROP DEFAULT" : `SET DEFAULT ${after.default}`}`),
    );
  }
  if (before.notNull !== after.notNull)
    out.push(create(`ALTER DOMAIN ${name} ${after.notNull ? "SET" : "DROP"} NOT NULL`));
  for (const [c, def] of before.checks) {
    if (after.checks.get(c) !== def) out.push(drop(`ALTER DOMAIN ${name} DROP CONSTRAINT IF EXISTS ${qi(c)}`));
  }
  for (const [c, def] of after.checks) {
    if (before.checks.get(c) === def) continue;
    const missing = `NOT EXISTS (SELECT 1 FROM pg_constraint WHERE contypid = to_regtype(${ql(name)}) AND conname = ${ql(c)})`;
    out.push(create(guarded(missing, `ALTER DOMAIN ${name} ADD CONSTRAINT ${qi(c)} ${def} NOT VALID`)));
    out.push({ sql: `ALTER DOMAIN ${name} VALIDATE CONSTRAINT ${qi(c)}`, phase: "validate" });
  }
  return out;
}

/** ALTER TYPE … ADD VALUE for labels the source adds to an enum, when the target's stay in order. */
function enumAdditions(t: SchemaObjectSnapshot | undefined, s: SchemaObjectSnapshot): string[] | null {
  const before = t?.enumLabels;
  const after = s.enumLabels;
  if (!before || !after) return null;
  if (before.length === after.length && before.every((l, i) => l === after[i])) return [];
  let k = 0;
  for (const l of after) if (l === before[k]) k++;
  if (k !== before.length) return null;
  const name = qname(s.schema, s.name);
  return after.flatMap((l, i) => {
    if (before.includes(l)) return [];
    const next = after.slice(i + 1).find((x) => before.includes(x));
    const prev = after
      .slice(0, i)
      .reverse()
      .find((x) => before.includes(x));
    const where = next !== undefined ? ` BEFORE ${ql(next)}` : prev !== undefined ? ` AFTER ${ql(prev)}` : "";
    return [`ALTER TYPE ${name} ADD VALUE IF NOT EXISTS ${ql(l)}${where}`];
  });
}

function createTableStatements(t: TableSnapshot): SyncStatement[] {
  const out: SyncStatement[] = [create(createTableWithPartitioning(t, { ifNotExists: true }))];
  if (t.comment !== undefined) out.push(comment(`TABLE ${qname(t.schema, t.name)}`, t.comment));
  for (const c of t.columns) {
    if (c.comment !== undefined) out.push(comment(`COLUMN ${qname(t.schema, t.name)}.${qi(c.name)}`, c.comment));
  }
  return out;
}

function alterColumn(schema: string, table: string, column: string, action: string): string {
  return `ALTER TABLE ${qname(schema, table)} ALTER COLUMN ${qi(column)} ${action}`;
}

function columnStatements(ch: Change & { source?: ColumnSnapshot; target?: ColumnSnapshot }): SyncStatement[] {
  const schema = ch.schema;
  const table = ch.table ?? "";
  const T = qname(schema, table);
  const { source: s, target: t } = ch;
  if (ch.action === "dropped") return t ? [drop(`ALTER TABLE ${T} DROP COLUMN IF EXISTS ${qi(t.name)}`)] : [];
  if (!s) return [];
  const commentOn = `COLUMN ${T}.${qi(s.name)}`;
  if (ch.action === "added") {
    const out = [create(`ALTER TABLE ${T} ADD COLUMN IF NOT EXISTS ${columnDef(s)}`)];
    if (s.comment !== undefined) out.push(comment(commentOn, s.comment));
    return out;
  }
  const out: SyncStatement[] = [];
  if (ch.action === "renamed" && ch.from) {
    out.push({
      sql: guarded(
        `${attr(schema, table, ch.from, "1")} IS NOT NULL AND ${attr(schema, table, s.name, "1")} IS NULL`,
        `ALTER TABLE ${T} RENAME COLUMN ${qi(ch.from)} TO ${qi(s.name)}`,
      ),
      phase: "rename",
    });
  }
  const f = new Map(ch.fields.map((x) => [x.field, x]));
  if (f.has("generated")) {
    // PostgreSQL 15 cannot change a generation expression: a stored generated column is re-made.
    if (s.generated === undefined) {
      out.push(create(alterColumn(schema, table, s.name, "DROP EXPRESSION IF EXISTS")));
    } else {
      const current = `(SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = to_regclass(${rel(schema, table)}) AND a.attname = ${ql(s.name)} AND a.attgenerated = 's')`;
      out.push(
        create(
          guarded(
            `${current} IS DISTINCT FROM ${ql(s.generated)}`,
            `ALTER TABLE ${T} DROP COLUMN IF EXISTS ${qi(s.name)}, ADD COLUMN ${columnDef(s)}`,
          ),
        ),
      );
      if (f.has("comment") && s.comment !== undefined) out.push(comment(commentOn, s.comment));
      return out;
    }
  }
  const typeChanged = f.has("type") || f.has("collation");
  if (typeChanged && f.has("default") && t?.default !== null)
    out.push(create(alterColumn(schema, table, s.name, "DROP DEFAULT")));
  if (typeChanged) {
    const collate = s.collation !== undefined ? ` COLLATE ${qi(s.collation)}` : "";
    const current = `${attr(schema, table, s.name, "format_type(atttypid, atttypmod) || coalesce(' COLLATE ' || (SELECT quote_ident(collname) FROM pg_collation WHERE oid = attcollation AND attcollation <> (SELECT typcollation FROM pg_type WHERE oid = atttypid)), '')")}`;
    out.push(
      create(
        guarded(
          `${current} IS DISTINCT FROM ${ql(`${s.type}${collate}`)}`,
          alterColumn(schema, table, s.name, `TYPE ${s.type}${collate} USING ${qi(s.name)}::${s.type}`),
        ),
      ),
    );
  }
  if (f.has("identity")) {
    if (s.identity === undefined) out.push(create(alterColumn(schema, table, s.name, "DROP IDENTITY IF EXISTS")));
    else if (t?.identity === undefined) {
      if (t?.default !== null && !f.has("default"))
        out.push(create(alterColumn(schema, table, s.name, "DROP DEFAULT")));
      out.push(
        create(
          guarded(
            `${attr(schema, table, s.name, "attidentity")} = ''`,
            alterColumn(
              schema,
              table,
              s.name,
              `ADD GENERATED ${s.identity === "always" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY`,
            ),
          ),
        ),
      );
    } else
      out.push(
        create(
          alterColumn(schema, table, s.name, `SET GENERATED ${s.identity === "always" ? "ALWAYS" : "BY DEFAULT"}`),
        ),
      );
  }
  if (f.has("default")) {
    out.push(
      create(alterColumn(schema, table, s.name, s.default === null ? "DROP DEFAULT" : `SET DEFAULT ${s.default}`)),
    );
  }
  if (f.has("nullable"))
    out.push(create(alterColumn(schema, table, s.name, s.nullable ? "DROP NOT NULL" : "SET NOT NULL")));
  if (f.has("comment")) out.push(comment(commentOn, s.comment));
  return out;
}

/** The source's table is a partition whose parent has the same key or index: attaching makes it. */
function inheritedByPartition(
  snapshot: SchemaSnapshot,
  schema: string,
  table: string,
  same: (parent: TableSnapshot, t: TableSnapshot) => boolean,
): boolean {
  const t = tableOf(snapshot, schema, table);
  const parent = t && parentOf(snapshot, t);
  return parent !== undefined && t !== undefined && same(parent, t);
}

const ONLINE_KEY = /^(UNIQUE|PRIMARY KEY) \(([^()]*)\)$/;

function constraintStatements(
  ch: Change & { source?: ConstraintSnapshot; target?: ConstraintSnapshot },
  ctx: RenderContext,
): SyncStatement[] {
  const schema = ch.schema;
  const table = ch.table ?? "";
  const T = qname(schema, table);
  const out: SyncStatement[] = [];
  const { source: s, target: t } = ch;
  if (
    t &&
    ch.action === "dropped" &&
    inheritedByPartition(ctx.target, schema, table, (p) => constraintFromParent(p, t))
  ) {
    return [];
  }
  if (t && (ch.action === "dropped" || ch.action === "changed")) {
    out.push(drop(`ALTER TABLE IF EXISTS ${T} DROP CONSTRAINT IF EXISTS ${qi(t.name)}`));
  }
  if (!s || ch.action === "dropped") return out;
  if (ch.action === "added" && inheritedByPartition(ctx.source, schema, table, (p) => constraintFromParent(p, s))) {
    return out;
  }
  const existing = tableOf(ctx.target, schema, table);
  const isNew = existing === undefined;
  const add = (def: string) =>
    guarded(constraintMissing(schema, table, s.name), `ALTER TABLE ${T} ADD CONSTRAINT ${qi(s.name)} ${def}`);
  const online = ONLINE_KEY.exec(s.definition);
  if (isNew || existing?.partitionKey || existing?.partitionOf) {
    out.push(create(add(s.definition)));
  } else if ((s.kind === "check" || s.kind === "foreign") && !/\bNOT VALID$/.test(s.definition)) {
    // Online: add without scanning the table (short lock), then validate under a weaker lock.
    out.push(create(add(`${s.definition} NOT VALID`)));
    out.push({ sql: `ALTER TABLE ${T} VALIDATE CONSTRAINT ${qi(s.name)}`, phase: "validate" });
  } else if (online) {
    // Online: build the index without blocking writes, then attach it as the constraint.
    const unique = `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${qi(s.name)} ON ${T} (${online[2]})`;
    out.push(create(unique));
    out.push(create(add(`${online[1]} USING INDEX ${qi(s.name)}`)));
  } else out.push(create(add(s.definition)));
  return out;
}

function indexStatements(
  ch: Change & { source?: IndexSnapshot; target?: IndexSnapshot },
  ctx: RenderContext,
): SyncStatement[] {
  const schema = ch.schema;
  const table = ch.table ?? "";
  const existing = tableOf(ctx.target, schema, table);
  // CONCURRENTLY does not apply to new or partitioned tables.
  const concurrently = existing !== undefined && !existing.partitionKey;
  const out: SyncStatement[] = [];
  const { source: s, target: t } = ch;
  const onlyComment = ch.action === "changed" && ch.fields.every((f) => f.field === "comment");
  // A partition's index made by its parent's goes when the parent's does.
  if (
    t &&
    ch.action === "dropped" &&
    inheritedByPartition(ctx.target, schema, table, (p, tt) => indexFromParent(p, tt, t))
  ) {
    return [];
  }
  if (t && !onlyComment && (ch.action === "dropped" || ch.action === "changed")) {
    out.push(drop(`DROP INDEX ${concurrently ? "CONCURRENTLY " : ""}IF EXISTS ${qname(schema, t.name)}`));
  }
  if (!s || ch.action === "dropped") return out;
  const snapshotTable = tableOf(ctx.source, schema, table);
  if (ch.action === "added" && inheritedByPartition(ctx.source, schema, table, (p, tt) => indexFromParent(p, tt, s))) {
    return out;
  }
  if (!onlyComment && snapshotTable) out.push(create(ifNotExists(createIndexSql(snapshotTable, s), concurrently)));
  if (s.comment !== undefined || onlyComment) out.push(comment(`INDEX ${qname(schema, s.name)}`, s.comment));
  return out;
}

function primaryKeyStatements(
  ch: Change & { source?: PrimaryKeySnapshot; target?: PrimaryKeySnapshot },
): SyncStatement[] {
  const T = qname(ch.schema, ch.table ?? "");
  const out: SyncStatement[] = [];
  if (ch.target && ch.action !== "added") {
    out.push(drop(`ALTER TABLE ${T} DROP CONSTRAINT IF EXISTS ${qi(ch.target.name ?? `${ch.table}_pkey`)}`));
  }
  if (ch.source && ch.action !== "dropped") {
    const name = ch.source.name ?? `${ch.table}_pkey`;
    out.push(
      create(
        guarded(
          constraintMissing(ch.schema, ch.table ?? "", name),
          `ALTER TABLE ${T} ADD CONSTRAINT ${qi(name)} PRIMARY KEY (${ch.source.columns.map(qi).join(", ")})`,
        ),
      ),
    );
  }
  return out;
}

function tableStatements(ch: Change & { source?: TableSnapshot; target?: TableSnapshot }): SyncStatement[] {
  const { source: s, target: t } = ch;
  if (ch.action === "dropped") return t ? [drop(`DROP TABLE IF EXISTS ${qname(t.schema, t.name)}`)] : [];
  if (!s) return [];
  if (ch.action === "added") return createTableStatements(s);
  const out: SyncStatement[] = [];
  if (ch.action === "renamed" && ch.from) {
    out.push({
      sql: guarded(
        `to_regclass(${rel(s.schema, ch.from)}) IS NOT NULL AND to_regclass(${rel(s.schema, s.name)}) IS NULL`,
        `ALTER TABLE ${qname(s.schema, ch.from)} RENAME TO ${qi(s.name)}`,
      ),
      phase: "rename",
    });
  }
  if (ch.fields.some((f) => f.field === "comment")) out.push(comment(`TABLE ${qname(s.schema, s.name)}`, s.comment));
  return out;
}

/** Columns whose type is `o` (schema-qualified or, in its own schema, bare; arrays too). */
function columnsOfType(s: SchemaSnapshot, o: SchemaObjectSnapshot): string[] {
  const names = new Set([`${o.schema}.${o.name}`, qname(o.schema, o.name)]);
  const out: string[] = [];
  for (const t of s.tables) {
    for (const c of t.columns) {
      const base = c.type.replace(/(\[\])+$/, "");
      if (names.has(base) || (t.schema === o.schema && (base === o.name || base === qi(o.name))))
        out.push(`${t.name}.${c.name}`);
    }
  }
  return out;
}

const SUPPORTED_FIELDS: Partial<Record<Change["kind"], string[]>> = {
  table: ["comment"],
  column: ["type", "nullable", "default", "identity", "generated", "collation", "comment"],
  schema: ["comment"],
};

/** The sync renderer for PostgreSQL: one change → its idempotent statements. */
export const postgresSyncRenderer = {
  engine: "postgresql",
  header(opts: Required<TimeoutOptions>): string[] {
    return [
      `SET lock_timeout = ${ql(opts.lockTimeout)}`,
      `SET statement_timeout = ${ql(opts.statementTimeout)}`,
      ...CREATE_PREAMBLE,
    ];
  },
  unsupported(ch: Change, ctx: RenderContext): string | null {
    if (
      ch.kind === "type" &&
      ch.action === "changed" &&
      ch.source &&
      ch.target &&
      !enumAdditions(ch.target, ch.source) &&
      !domainAlterations(ch.target, ch.source)
    ) {
      const users = columnsOfType(ctx.target, ch.target);
      if (users.length > 0) {
        return `type ${ch.schema}.${ch.name}: changed in a way ALTER TYPE cannot express while columns use it (${users.join(", ")})`;
      }
    }
    const known = SUPPORTED_FIELDS[ch.kind];
    if (!known || ch.action !== "changed") return null;
    const other = ch.fields.map((f) => f.field).filter((f) => !known.includes(f));
    return other.length > 0
      ? `${ch.kind} ${ch.schema}.${ch.table ? `${ch.table}.` : ""}${ch.name}: cannot change ${other.join(", ")} in place`
      : null;
  },
  statements(ch: Change, ctx: RenderContext): SyncStatement[] {
    switch (ch.kind) {
      case "schema":
        if (ch.action === "dropped") return [drop(`DROP SCHEMA IF EXISTS ${qi(ch.name)}`)];
        return [
          ...(ch.action === "added" ? [create(createSchemaSql(ch.name))] : []),
          ...(ch.source?.comment !== undefined || ch.action === "changed"
            ? [comment(`SCHEMA ${qi(ch.name)}`, ch.source?.comment)]
            : []),
        ];
      case "extension":
        if (ch.action === "dropped") return [drop(`DROP EXTENSION IF EXISTS ${qi(ch.name)}`)];
        if (ch.action === "changed") return [create(`ALTER EXTENSION ${qi(ch.name)} SET SCHEMA ${qi(ch.schema)}`)];
        return ch.source ? [create(createExtensionSql(ch.source))] : [];
      case "table":
        return tableStatements(ch);
      case "column":
        return columnStatements(ch);
      case "primary_key":
        return primaryKeyStatements(ch);
      case "constraint":
        return constraintStatements(ch, ctx);
      case "index":
        return indexStatements(ch, ctx);
      default:
        return objectStatements(ch, ctx);
    }
  },
} satisfies SyncRenderer;
