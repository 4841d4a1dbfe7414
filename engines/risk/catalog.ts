// The checks of ../shared/RISK-CATALOG.md: their ids are ours. Each entry says which engines it
// applies to (the catalog's "engines" column) and its usual level; rules may choose another level
// per finding where the engine or the situation makes it worse or milder.
import { ENGINE_IDS, type EngineId } from "../types.ts";
import type { RiskLevel } from "./model.ts";

const ALL = ENGINE_IDS;
const PG = ["postgresql"] as const;
const MYSQL = ["mysql", "mariadb"] as const;
const PG_MYSQL = ["postgresql", "mysql", "mariadb"] as const;
/** ClickHouse has no foreign keys and no unique constraints: checks about them do not apply there. */
const WITH_CONSTRAINTS = ENGINE_IDS.filter((e) => e !== "clickhouse");

interface CheckSpec {
  title: string;
  level: RiskLevel;
  engines: readonly EngineId[];
  /** Off unless asked for: a team policy rather than a risk (squawk's and Bytebase's opt-in rules). */
  optIn?: true;
}

export const CATALOG = {
  "delete-without-where": { title: "DELETE without WHERE or with a tautology", level: "Critical", engines: ALL },
  "update-without-where": { title: "UPDATE without WHERE or with a tautology", level: "Critical", engines: ALL },
  "drop-table": { title: "DROP TABLE", level: "Critical", engines: ALL },
  "drop-database-or-schema": { title: "DROP DATABASE or SCHEMA", level: "Critical", engines: ALL },
  truncate: { title: "TRUNCATE", level: "Critical", engines: ALL },
  cascade: { title: "CASCADE on DROP or TRUNCATE", level: "Critical", engines: ["postgresql", "oracle"] },
  "drop-column": { title: "DROP COLUMN", level: "High", engines: ALL },
  "drop-fk-constraint": { title: "foreign key dropped", level: "Medium", engines: WITH_CONSTRAINTS },
  "drop-not-null": { title: "DROP NOT NULL", level: "Medium", engines: ALL },
  "heavy-mutation": { title: "ClickHouse mutation rewriting parts", level: "High", engines: ["clickhouse"] },
  "large-dml": { title: "unbounded backfill or copy", level: "Medium", engines: ALL },
  "dml-limit-orderby": {
    title: "DELETE/UPDATE with LIMIT or ORDER BY",
    level: "Medium",
    engines: [...MYSQL, "sqlserver"],
  },
  "on-delete-cascade": { title: "foreign key with ON DELETE CASCADE", level: "Low", engines: WITH_CONSTRAINTS },
  "syntax-error": { title: "statement does not parse", level: "High", engines: ALL },
  "unclosed-quote": { title: "unclosed quote", level: "High", engines: ALL },
  "unbalanced-parens": { title: "unbalanced parentheses", level: "High", engines: ALL },
  "unknown-table": { title: "table not in the schema", level: "High", engines: ALL },
  "unknown-column": { title: "column not in the table", level: "High", engines: ALL },
  "unsupported-type": { title: "type the engine does not have", level: "High", engines: ALL },
  "duplicate-column": { title: "column declared or assigned twice", level: "High", engines: ALL },
  "not-null-without-default": { title: "ADD COLUMN NOT NULL without DEFAULT", level: "High", engines: ALL },
  "concurrent-index-in-transaction": { title: "CONCURRENTLY inside a transaction", level: "High", engines: PG },
  "transaction-control": { title: "transaction control in a migration", level: "Medium", engines: ALL },
  "dependent-view": { title: "change under a view", level: "High", engines: PG },
  "unique-on-existing-data": { title: "new UNIQUE over existing rows", level: "Medium", engines: WITH_CONSTRAINTS },
  "create-index-non-concurrent": {
    title: "CREATE INDEX blocking writes",
    level: "Medium",
    engines: ["postgresql", "sqlserver", "oracle"],
  },
  "drop-index-non-concurrent": { title: "DROP INDEX blocking", level: "Medium", engines: PG },
  "alter-column-type": { title: "column type change", level: "High", engines: [...PG_MYSQL, "sqlserver"] },
  "add-column-volatile-default": { title: "ADD COLUMN with a volatile default", level: "High", engines: PG },
  "add-column-rewrite-type": { title: "ADD COLUMN forcing a rewrite", level: "High", engines: PG_MYSQL },
  "add-fk-validating": { title: "ADD FOREIGN KEY validating at once", level: "Medium", engines: PG },
  "add-check-validating": { title: "ADD CHECK validating at once", level: "Medium", engines: PG_MYSQL },
  "set-not-null": { title: "SET NOT NULL on an existing column", level: "Medium", engines: ALL },
  "add-unique-constraint": { title: "ADD UNIQUE constraint", level: "Medium", engines: PG },
  "add-primary-key-existing": { title: "ADD PRIMARY KEY to an existing table", level: "High", engines: PG_MYSQL },
  "add-exclusion-constraint": { title: "ADD EXCLUDE constraint", level: "High", engines: PG },
  "reindex-non-concurrent": { title: "REINDEX without CONCURRENTLY", level: "High", engines: PG },
  "vacuum-full-cluster": { title: "VACUUM FULL or CLUSTER", level: "High", engines: PG },
  "detach-partition": { title: "DETACH PARTITION without CONCURRENTLY", level: "Medium", engines: PG },
  "missing-lock-timeout": { title: "lock-taking DDL without lock_timeout", level: "Medium", engines: PG_MYSQL },
  "missing-statement-timeout": { title: "no statement_timeout", level: "Low", engines: PG_MYSQL },
  "long-lock-hold": { title: "slow work while a write-blocking lock is held", level: "Medium", engines: PG_MYSQL },
  "domain-constraint": { title: "domain with CHECK constraint", level: "Medium", engines: PG },
  "enum-change": { title: "enum change", level: "Low", engines: PG_MYSQL },
  "merge-alter-table": { title: "several ALTERs on one table", level: "Low", engines: ALL },
  "mysql-table-copy": { title: "ALTER copying the table", level: "High", engines: MYSQL },
  "mysql-non-innodb": { title: "storage engine other than InnoDB", level: "Medium", engines: MYSQL },
  "mysql-inline-references": { title: "column-level REFERENCES ignored", level: "Medium", engines: MYSQL },
  "change-column": { title: "CHANGE COLUMN", level: "Medium", engines: MYSQL },
  "column-order": { title: "column placed FIRST/AFTER", level: "Low", engines: MYSQL },
  "expression-default": { title: "expression DEFAULT forcing a copy", level: "Medium", engines: MYSQL },
  "charset-change": { title: "charset or collation change", level: "Medium", engines: PG_MYSQL },
  "rename-column": { title: "RENAME COLUMN", level: "High", engines: ALL },
  "rename-table": { title: "RENAME TABLE", level: "High", engines: ALL },
  "rename-schema": { title: "RENAME SCHEMA", level: "High", engines: PG },
  "missing-primary-key": { title: "table without PRIMARY KEY", level: "Medium", engines: ALL },
  "fk-missing-index": { title: "foreign key without an index", level: "Low", engines: PG_MYSQL },
  "type-hygiene": { title: "type with a better alternative", level: "Low", engines: ALL },
  naming: { title: "identifier naming", level: "Low", engines: ALL },
  "require-schema-qualified": { title: "unqualified object name", level: "Low", engines: PG, optIn: true },
  "non-idempotent": { title: "not re-runnable (no IF [NOT] EXISTS)", level: "Low", engines: ALL, optIn: true },
  "index-hygiene": { title: "duplicate or redundant index", level: "Low", engines: ALL },
  "object-policy": { title: "trigger or rule", level: "Low", engines: ALL, optIn: true },
  "select-star": { title: "SELECT *", level: "Low", engines: ALL },
  "missing-limit": { title: "SELECT without WHERE or LIMIT", level: "Low", engines: ALL },
  "cartesian-join": { title: "join without a condition", level: "Medium", engines: ALL },
  "insert-without-columns": { title: "INSERT without column list", level: "Low", engines: ALL },
  "non-sargable": { title: "predicate that cannot use an index or is always unknown", level: "Low", engines: ALL },
  "mix-ddl-dml": { title: "DDL and DML in one change", level: "Low", engines: ALL },
  "raw-sql-unchecked": { title: "opaque SQL not analysed", level: "Low", engines: ALL },
} as const satisfies Record<string, CheckSpec>;

export type CheckId = keyof typeof CATALOG;

export const CHECK_IDS = Object.keys(CATALOG) as CheckId[];

export function isCheckId(value: string): value is CheckId {
  return Object.hasOwn(CATALOG, value);
}

export function checkSpec(id: CheckId): CheckSpec {
  return CATALOG[id];
}

/** The catalog checks that apply to an engine. */
export function checksFor(engine: EngineId): CheckId[] {
  return CHECK_IDS.filter((id) => (CATALOG[id].engines as readonly EngineId[]).includes(engine));
}
