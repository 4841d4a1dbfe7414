// Every case table, and the schema snapshot a compact case schema stands for.
import type { SchemaSnapshot, TableSnapshot } from "../../schema/index.ts";
import type { EngineId } from "../../types.ts";
import { CLICKHOUSE_CASES } from "../clickhouse/cases.ts";
import { MYSQL_CASES } from "../mysql/cases/index.ts";
import { ORACLE_CASES } from "../oracle/cases.ts";
import { destructiveCases } from "../postgres/cases/destructive.ts";
import { failureCases } from "../postgres/cases/failure.ts";
import { hygieneCases } from "../postgres/cases/hygiene.ts";
import { lockingCases } from "../postgres/cases/locking.ts";
import { sessionCases } from "../postgres/cases/session.ts";
import { SQLITE_CASES } from "../sqlite/cases/index.ts";
import { SQLSERVER_CASES } from "../sqlserver/cases.ts";
import type { CaseSchema, CheckCases } from "./types.ts";

export const ALL_CASES: readonly CheckCases[] = [
  ...destructiveCases,
  ...failureCases,
  ...lockingCases,
  ...sessionCases,
  ...hygieneCases,
  ...MYSQL_CASES,
  ...SQLITE_CASES,
  ...SQLSERVER_CASES,
  ...ORACLE_CASES,
  ...CLICKHOUSE_CASES,
];

/**
 * { "users": ["id", "name:character varying(100)"], "orders#orders_user_idx(user_id)": [...] }:
 * a table per key (optionally with one index), a column per entry (optionally with its type).
 */
export function caseSnapshot(engine: EngineId, schema: CaseSchema): SchemaSnapshot {
  const tables: TableSnapshot[] = Object.entries(schema).map(([key, cols]) => {
    const m = /^([^#]+)(?:#([^(]+)\(([^)]*)\))?$/.exec(key);
    const name = m?.[1] ?? key;
    return {
      schema: "public",
      name,
      columns: cols.map((c, i) => {
        // "name:type:notnull" marks a NOT NULL column.
        const [col = "", type = "text", flags = ""] = c.split(":");
        return { name: col, type, nullable: flags !== "notnull", default: null, ordinal: i + 1 };
      }),
      primaryKey: cols.includes("id") ? { columns: ["id"] } : null,
      indexes: m?.[2] === undefined ? [] : [{ name: m[2], columns: (m[3] ?? "").split(","), unique: false }],
    };
  });
  return { version: 1, engine, serverVersion: "test", schemas: [{ name: "public" }], tables };
}
