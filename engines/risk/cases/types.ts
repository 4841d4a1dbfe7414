// The shape of the case tables: SQL in, the findings of one check out.
import type { EngineId } from "../../types.ts";
import type { CheckId } from "../catalog.ts";
import type { RiskLevel } from "../model.ts";

/** Tables that exist before the script, with their columns (a compact schema snapshot). */
export type CaseSchema = Record<string, string[]>;

export interface FlaggedCase {
  sql: string;
  level: RiskLevel;
  /** Findings of the check expected (default 1). */
  count?: number;
  schema?: CaseSchema;
}

export interface CleanCase {
  sql: string;
  schema?: CaseSchema;
}

export interface CheckCases {
  check: CheckId;
  engines: readonly EngineId[];
  flagged: FlaggedCase[];
  clean: Array<string | CleanCase>;
}
