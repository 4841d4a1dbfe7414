// The finding model of risk assessment and the report shape the CLI prints as JSON.
import type { SchemaSnapshot } from "../schema/index.ts";
import type { EngineId } from "../types.ts";
import type { CheckId } from "./catalog.ts";

export const RISK_LEVELS = ["Low", "Medium", "High", "Critical"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];
/** A statement or script with no finding is "None". */
export type ReportLevel = RiskLevel | "None";

export interface Finding {
  check: CheckId;
  level: RiskLevel;
  message: string;
  /** 1-based file line and column (code points) of what the finding is about. */
  line: number;
  column: number;
  /** How to do it safely. */
  hint: string;
  /** With appDir: application lines that use what this finding drops, renames or changes. */
  impact?: AppReference[];
}

export interface AppReference {
  /** Relative to appDir. */
  file: string;
  line: number;
  text: string;
}

export interface StatementReport {
  /** 0-based position in the script. */
  index: number;
  line: number;
  column: number;
  sql: string;
  level: ReportLevel;
  findings: Finding[];
}

export interface RiskReport {
  engine: EngineId;
  level: ReportLevel;
  statements: StatementReport[];
}

export interface AssessOptions {
  engine: EngineId;
  /** What exists already: unknown tables and columns become findings when given. */
  schema?: SchemaSnapshot;
  /** Application source folder: findings that drop, rename or change a table or column list its uses. */
  appDir?: string;
  /** Opt-in checks to run as well (catalog entries marked optIn). */
  include?: readonly CheckId[];
  /** Checks not to run. */
  exclude?: readonly CheckId[];
  /** The migration runs outside a transaction (-- migratrix:no-transaction): every statement commits alone. */
  noTransaction?: boolean;
  /** 1-based file line of the text's first character (a migration section's start line). */
  firstLine?: number;
}

const RANK: Record<ReportLevel, number> = { None: 0, Low: 1, Medium: 2, High: 3, Critical: 4 };

export function levelRank(level: ReportLevel): number {
  return RANK[level];
}

export function maxLevel(levels: Iterable<ReportLevel>): ReportLevel {
  let best: ReportLevel = "None";
  for (const l of levels) if (RANK[l] > RANK[best]) best = l;
  return best;
}

/** Parses "low", "HIGH", … into a level; undefined when it names none. */
export function parseRiskLevel(text: string): RiskLevel | undefined {
  const lower = text.toLowerCase();
  return RISK_LEVELS.find((l) => l.toLowerCase() === lower);
}
