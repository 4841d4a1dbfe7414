export { canonicalJson, sha256Hex } from "./canonical.ts";
export type { AuditEntry, AuditRow } from "./chain.ts";
export { appendAudit, GENESIS_HASH, listAudit, recordHash, verifyChain } from "./chain.ts";
