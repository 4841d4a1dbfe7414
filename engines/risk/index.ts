// Risk assessment: every statement of a script scored Low → Critical against the catalog's checks.
export { assess, enabledChecks, RISK_ENGINES, schemaFromDdl } from "./assess.ts";
export { CATALOG, CHECK_IDS, type CheckId, checksFor, isCheckId } from "./catalog.ts";
export {
  type AppReference,
  type AssessOptions,
  type Finding,
  levelRank,
  maxLevel,
  parseRiskLevel,
  type ReportLevel,
  RISK_LEVELS,
  type RiskLevel,
  type RiskReport,
  type StatementReport,
} from "./model.ts";
