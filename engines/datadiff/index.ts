// Row-level data diff between two tables, same or different engines (README.md in this folder).
import { MigratrixError } from "../../common/errors.ts";
import { mysqlDataDiff } from "../mysql/datadiff.ts";
import { postgresDataDiff } from "../postgres/datadiff.ts";
import { sqliteDataDiff } from "../sqlite/datadiff.ts";
import type { EngineId } from "../types.ts";
import type { DataDiffFacts, TableName } from "./types.ts";

// One literal map, like the engine registry: the engines whose folders give data diff facts.
const FACTS: Partial<Record<EngineId, DataDiffFacts>> = {
  postgresql: postgresDataDiff,
  mysql: mysqlDataDiff,
  mariadb: mysqlDataDiff,
  sqlite: sqliteDataDiff,
};

export function dataDiffFacts(engine: EngineId): DataDiffFacts {
  const f = FACTS[engine];
  if (!f) throw new MigratrixError("unimplemented", `data diff is not available for ${engine} in this version`);
  return f;
}

/** "table" or "schema.table"; a name with a dot in it is written with double quotes: "a.b". */
export function parseTableName(text: string): TableName {
  const parts: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^."]+))\s*(\.|$)/y;
  let at = 0;
  let dangling = false;
  while (at < text.length) {
    const m = re.exec(text);
    if (m === null) break;
    parts.push(m[1] !== undefined ? m[1].replaceAll('""', '"') : (m[2] ?? "").trim());
    at = re.lastIndex;
    dangling = m[3] === ".";
    if (m[3] === "") break;
  }
  if (dangling || at !== text.length || parts.length === 0 || parts.length > 2 || parts.some((p) => p === "")) {
    throw new MigratrixError("invalid_argument", `table name "${text}" is not NAME or SCHEMA.NAME`);
  }
  return parts.length === 2 ? { schema: parts[0], name: parts[1] ?? "" } : { name: parts[0] ?? "" };
}

export { canonicalValue, encodeRow, rowHash64 } from "./canonical.ts";
export { compareRows, DEFAULT_FETCH_THRESHOLD, diffTables, tableLabel } from "./diff.ts";
export { renderSyncScript } from "./script.ts";
export type * from "./types.ts";
