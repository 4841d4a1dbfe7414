// Cross-engine compare: once the source is translated into the target engine's terms
// (translate.ts), what still differs only in how each engine prints the same thing must not count.
// The forms below are what two sides are compared by; the type, default and index-method
// equivalences themselves come from the one table in engines/schema/typemap.ts.

import type {
  ColumnSnapshot,
  ConstraintSnapshot,
  IndexSnapshot,
  SchemaObjectSnapshot,
  SchemaSnapshot,
  TableSnapshot,
} from "../schema/snapshot.ts";
import {
  type CarriedKind,
  comparableDefault,
  comparableIndexMethod,
  comparableType,
  findSourceRule,
  parseNativeType,
  type SourceContext,
  stripCasts,
  type TypeMapSource,
  typeMapSource,
} from "../schema/typemap.ts";
import type { EngineId } from "../types.ts";
import { comparableExpression, mapIdentifiers, viewBody } from "./normalize.ts";

export const expr = (text: string) => comparableExpression(text, stripCasts);

/** A PostgreSQL column whose type is one of the snapshot's enum types: its labels. */
export function enumLabelsOf(s: SchemaSnapshot, table: TableSnapshot, type: string): string[] | undefined {
  const bare = type.replace(/"/g, "");
  const o = (s.objects ?? []).find(
    (x) =>
      x.kind === "type" &&
      x.enumLabels !== undefined &&
      (bare === `${x.schema}.${x.name}` || (x.schema === table.schema && bare === x.name)),
  );
  return o?.enumLabels;
}

/** The column's carried kind and the context its rule needs (enum labels, MariaDB's JSON check). */
export function columnKind(
  engine: TypeMapSource,
  s: SchemaSnapshot,
  t: TableSnapshot,
  c: ColumnSnapshot,
): { kind: CarriedKind | undefined; ctx: SourceContext } {
  const labels = engine === "postgresql" ? enumLabelsOf(s, t, c.type) : undefined;
  const ctx: SourceContext = labels ? { pgEnum: true, labels } : {};
  return { kind: findSourceRule(engine, parseNativeType(engine, c.type), ctx)?.kind, ctx };
}

const JSON_CHECK = /^CHECK \(json_valid\(`([^`]+)`\)\)$/i;

/** SQLite's rowid alias: the one INTEGER PRIMARY KEY column, which numbers rows by itself. */
export function isRowidAlias(t: TableSnapshot, c: ColumnSnapshot): boolean {
  const pk = t.primaryKey?.columns ?? [];
  return pk.length === 1 && pk[0] === c.name && c.type.toUpperCase() === "INTEGER";
}

/** Numbered by the engine: identity, AUTO_INCREMENT, a serial's nextval default, SQLite's rowid alias. */
export function isAutoNumbered(engine: EngineId, t: TableSnapshot, c: ColumnSnapshot): boolean {
  if (c.identity !== undefined || c.autoIncrement) return true;
  if (c.default !== null && /^nextval\(/i.test(c.default)) return true;
  return engine === "sqlite" && isRowidAlias(t, c);
}

/**
 * A snapshot as cross-engine compare sees it: MariaDB's JSON (LONGTEXT with a json_valid check)
 * as the json type, the sequences serial columns own (they are the column's numbering) and the
 * indexes MySQL makes by itself for foreign keys left out.
 */
export function canonicalForCrossEngine(s: SchemaSnapshot): SchemaSnapshot {
  const mysql = s.engine === "mysql" || s.engine === "mariadb";
  const tables = s.tables.map((t) => {
    if (!mysql) return t;
    const json = new Set(
      (t.constraints ?? []).flatMap((k) => {
        const m = k.kind === "check" ? JSON_CHECK.exec(k.definition) : null;
        return m?.[1] !== undefined && m[1] === (k.column ?? m[1]) ? [m[1]] : [];
      }),
    );
    const fks = (t.constraints ?? []).filter((k) => k.kind === "foreign");
    return {
      ...t,
      columns: t.columns.map((c) => {
        if (!json.has(c.name) || !/^longtext$/i.test(c.type)) return c;
        const { collation: _c, charset: _s, ...rest } = c;
        return { ...rest, type: "json" };
      }),
      indexes: t.indexes.filter(
        (ix) => !fks.some((k) => k.name === ix.name && JSON.stringify(k.columns) === JSON.stringify(ix.columns)),
      ),
      ...(t.constraints
        ? {
            constraints: t.constraints.filter(
              (k) =>
                !(
                  k.kind === "check" &&
                  JSON_CHECK.test(k.definition) &&
                  json.has(JSON_CHECK.exec(k.definition)?.[1] ?? "")
                ),
            ),
          }
        : {}),
    };
  });
  const objects = s.objects?.filter((o) => !(o.kind === "sequence" && o.ownedBy !== undefined));
  return { ...s, tables, ...(objects ? { objects } : {}) };
}

/** Columns of a key definition "UNIQUE (`a`, "b")" without quotes. */
export function keyColumns(definition: string): string[] {
  const inner = /\(([^()]*)\)/.exec(definition)?.[1] ?? "";
  return mapIdentifiers(inner, (n) => `\uE000${n}\uE000`)
    .split(",")
    .map((x) => x.trim().replace(/\uE000/g, ""))
    .filter((x) => x !== "");
}

const referential = (a: string | undefined) => {
  const v = (a ?? "").toUpperCase().trim();
  return v === "NO ACTION" || v === "RESTRICT" ? "" : v;
};

/** How engines compare one another's prints: the target engine, and whether SQLite's looser types decide. */
export interface Equivalence {
  engine: EngineId;
  /** SQLite on either side: types compare by SQLite storage class, comments do not exist. */
  coarse: boolean;
  column(s: SchemaSnapshot, t: TableSnapshot, c: ColumnSnapshot): Record<string, unknown>;
  constraint(k: ConstraintSnapshot): string;
  index(t: TableSnapshot, ix: IndexSnapshot): Record<string, unknown>;
  object(o: SchemaObjectSnapshot): Record<string, unknown>;
  /** Table fields that do not compare across engines. */
  tableSkip: string[];
}

export function equivalence(engine: EngineId, other: EngineId): Equivalence {
  const coarse = engine === "sqlite" || other === "sqlite";
  const source = typeMapSource(engine) ?? "postgresql";
  const mysql = engine === "mysql" || engine === "mariadb";
  return {
    engine,
    coarse,
    column(s, t, c) {
      const { kind, ctx } = columnKind(source, s, t, c);
      const auto = isAutoNumbered(engine, t, c);
      const inKey = (t.primaryKey?.columns ?? []).includes(c.name);
      return {
        ordinal: c.ordinal,
        type: comparableType(source, c.type, ctx, { coarse }),
        nullable: c.nullable && !inKey,
        default: JSON.stringify(auto ? { kind: "none" } : comparableDefault(c.default, kind)),
        identity: auto ? "auto" : null,
        generated: c.generated !== undefined ? expr(c.generated) : null,
        virtual: engine === "postgresql" ? null : (c.virtual ?? null),
        comment: coarse ? null : (c.comment ?? null),
        onUpdate: mysql && c.onUpdate !== undefined ? JSON.stringify(comparableDefault(c.onUpdate)) : null,
      };
    },
    constraint(k) {
      if (k.kind === "foreign") {
        const cols = k.columns ?? keyColumns(k.definition);
        const ref = (k.references ?? "").split(".").pop() ?? "";
        const refCols = k.referencedColumns ?? keyColumns(k.definition.slice(k.definition.search(/REFERENCES/i)));
        return `foreign (${cols.join(",")}) ${ref} (${refCols.join(",")}) ${referential(k.onDelete)} ${referential(k.onUpdate)}`;
      }
      if (k.kind === "primary" || k.kind === "unique") return `${k.kind} (${keyColumns(k.definition).join(",")})`;
      return `${k.kind} ${expr(k.definition.replace(/^\s*CHECK\s*/i, ""))}`;
    },
    index(t, ix) {
      const isColumn = (c: string) => t.columns.some((x) => x.name === c);
      const desc = ix.descending?.some(Boolean) ? ix.descending : undefined;
      return {
        columns: ix.columns.map((c) => (isColumn(c) ? c : expr(c))),
        unique: ix.unique,
        where: ix.where !== undefined ? expr(ix.where) : null,
        descending: desc ?? null,
        include: ix.include?.length ? ix.include : null,
        method: comparableIndexMethod(ix.method) ?? null,
        lengths: mysql && ix.lengths?.some((l) => l !== null) ? ix.lengths : null,
        comment: coarse ? null : (ix.comment ?? null),
      };
    },
    object(o) {
      const definition =
        o.kind === "view" || o.kind === "materialized_view" ? expr(viewBody(o.definition).body) : o.definition;
      return { kind: o.kind, definition, comment: coarse ? null : (o.comment ?? null) };
    },
    tableSkip: ["options", "partitionKey", "partitionOf", ...(coarse ? ["comment"] : [])],
  };
}
