// A compact way to write one engine's case tables: [sql, level, extra?] rows for the flagged cases.
import type { EngineId } from "../../types.ts";
import type { CheckId } from "../catalog.ts";
import type { RiskLevel } from "../model.ts";
import type { CheckCases, FlaggedCase } from "./types.ts";

export type FlagRow = [sql: string, level: RiskLevel, extra?: Omit<FlaggedCase, "sql" | "level">];

/** The case-table builder for `engines`. */
export function caseTable(engines: readonly EngineId[]) {
  return (check: CheckId, flagged: FlagRow[], clean: CheckCases["clean"]): CheckCases => ({
    check,
    engines,
    flagged: flagged.map(([sql, level, extra]) => ({ sql, level, ...extra })),
    clean,
  });
}
