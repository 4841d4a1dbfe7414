export { canonicalJson, sha256Hex } from "./canonical.ts";
export type { AuditEntry, AuditRow, ChainCheck } from "./chain.ts";
export { appendAudit, checkChain, GENESIS_HASH, listAudit, recordHash, verifyChain } from "./chain.ts";
export type { ExportFormat } from "./export.ts";
export { CSV_COLUMNS, csvLine, exportAudit, jsonLine } from "./export.ts";
