// migratrix_history: one row per migration on each customer database, read and written the same way
// on every engine; engines supply only their type names, placeholders and date encoding.
// The layout lives on customer databases for good: change it only by adding nullable columns
// (see README.md in this folder).
import type { HistoryRow, HistorySupport, HistoryTable, RunDirection, Target } from "../adapter.ts";
import type { Row, Session } from "../types.ts";

export const HISTORY_TABLE = "migratrix_history";

export interface HistoryTypeNames {
  /** Bounded text usable in a primary key (VARCHAR(255) on MySQL). */
  key: string;
  /** Short tags: status, direction. */
  short: string;
  text: string;
  int: string;
  bigint: string;
  timestamp: string;
}

export interface HistoryDialectFacts {
  quoteIdent(name: string): string;
  /** 1-based placeholder: "$1" or "?". */
  placeholder(i: number): string;
  types: HistoryTypeNames;
  /** Appended to CREATE TABLE (MySQL: engine and charset). */
  tableSuffix?: string;
  encodeDate(d: Date): unknown;
  tableExists(session: Session, target: Target): Promise<boolean>;
}

type ColumnKind = keyof HistoryTypeNames;

// Order matters only for CREATE TABLE readability; every statement names its columns.
const COLUMNS: ReadonlyArray<{ name: string; field: keyof HistoryRow; kind: ColumnKind; nullable?: true }> = [
  { name: "migration_id", field: "migrationId", kind: "key" },
  { name: "name", field: "name", kind: "text" },
  { name: "checksum", field: "checksum", kind: "key" },
  { name: "status", field: "status", kind: "short" },
  { name: "direction", field: "direction", kind: "short" },
  { name: "attempt", field: "attempt", kind: "int" },
  { name: "statements_total", field: "statementsTotal", kind: "int" },
  { name: "statements_done", field: "statementsDone", kind: "int" },
  { name: "run_id", field: "runId", kind: "key" },
  { name: "correlation_id", field: "correlationId", kind: "key" },
  { name: "applied_by", field: "appliedBy", kind: "key" },
  { name: "started_at", field: "startedAt", kind: "timestamp" },
  { name: "finished_at", field: "finishedAt", kind: "timestamp", nullable: true },
  { name: "execution_ms", field: "executionMs", kind: "bigint", nullable: true },
  { name: "migratrix_version", field: "migratrixVersion", kind: "key" },
];

/** The CREATE TABLE statement for one engine; exported so tests and docs show the exact DDL. */
export function historyTableDdl(facts: HistoryDialectFacts, qualifiedName: string): string {
  const cols = COLUMNS.map(
    (c) => `  ${facts.quoteIdent(c.name)} ${facts.types[c.kind]}${c.nullable ? " NULL" : " NOT NULL"}`,
  );
  cols.push(`  PRIMARY KEY (${facts.quoteIdent("migration_id")})`);
  return `CREATE TABLE IF NOT EXISTS ${qualifiedName} (\n${cols.join(",\n")}\n)${facts.tableSuffix ?? ""}`;
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint" || typeof v === "string") return Number(v);
  throw new TypeError(`expected a number in ${HISTORY_TABLE}, got ${typeof v}`);
}

function toDate(v: unknown): Date {
  if (v instanceof Date) return v;
  if (typeof v === "string" || typeof v === "number") return new Date(v);
  throw new TypeError(`expected a timestamp in ${HISTORY_TABLE}, got ${typeof v}`);
}

function decode(r: Row): HistoryRow {
  const s = (k: string) => String(r[k] ?? "");
  return {
    migrationId: s("migration_id"),
    name: s("name"),
    checksum: s("checksum"),
    direction: s("direction") as RunDirection,
    status: s("status") as HistoryRow["status"],
    attempt: toNumber(r.attempt),
    statementsTotal: toNumber(r.statements_total),
    statementsDone: toNumber(r.statements_done),
    runId: s("run_id"),
    correlationId: s("correlation_id"),
    appliedBy: s("applied_by"),
    startedAt: toDate(r.started_at),
    finishedAt: r.finished_at == null ? null : toDate(r.finished_at),
    executionMs: r.execution_ms == null ? null : toNumber(r.execution_ms),
    migratrixVersion: s("migratrix_version"),
  };
}

function encode(facts: HistoryDialectFacts, row: HistoryRow, field: keyof HistoryRow): unknown {
  const v = row[field];
  return v instanceof Date ? facts.encodeDate(v) : v;
}

function bind(session: Session, facts: HistoryDialectFacts, table: string): HistoryTable {
  const q = (n: string) => facts.quoteIdent(n);
  const select = `SELECT ${COLUMNS.map((c) => q(c.name)).join(", ")} FROM ${table}`;
  return {
    async read(migrationId) {
      const rows = await session.query(`${select} WHERE ${q("migration_id")} = ${facts.placeholder(1)}`, [migrationId]);
      const first = rows[0];
      return first ? decode(first) : null;
    },
    async list() {
      const rows = await session.query(`${select} ORDER BY ${q("started_at")}, ${q("migration_id")}`);
      return rows.map(decode);
    },
    async insert(row) {
      const names = COLUMNS.map((c) => q(c.name)).join(", ");
      const params = COLUMNS.map((_, i) => facts.placeholder(i + 1)).join(", ");
      await session.query(
        `INSERT INTO ${table} (${names}) VALUES (${params})`,
        COLUMNS.map((c) => encode(facts, row, c.field)),
      );
    },
    async update(row) {
      const rest = COLUMNS.filter((c) => c.name !== "migration_id");
      const sets = rest.map((c, i) => `${q(c.name)} = ${facts.placeholder(i + 1)}`).join(", ");
      await session.query(
        `UPDATE ${table} SET ${sets} WHERE ${q("migration_id")} = ${facts.placeholder(rest.length + 1)}`,
        [...rest.map((c) => encode(facts, row, c.field)), row.migrationId],
      );
    },
  };
}

/** Builds an engine's HistorySupport from its dialect facts. */
export function createHistorySupport(facts: HistoryDialectFacts): HistorySupport {
  return {
    async open(session, target, opts) {
      const table = `${facts.quoteIdent(target.historySchema)}.${facts.quoteIdent(HISTORY_TABLE)}`;
      if (opts?.create === false) {
        if (!(await facts.tableExists(session, target))) return null;
      } else {
        await session.exec(historyTableDdl(facts, table));
      }
      return bind(session, facts, table);
    },
  };
}
