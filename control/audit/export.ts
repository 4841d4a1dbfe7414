// Audit export as CSV (RFC 4180) or JSON Lines, page by page, so a long chain is never held in
// memory at once. Each record keeps its hashes so the export itself can be checked.
import type { Db } from "../store/index.ts";
import { type AuditRow, listAudit } from "./chain.ts";

export type ExportFormat = "csv" | "json";

export const CSV_COLUMNS = [
  "seq",
  "at",
  "actor",
  "action",
  "environment",
  "target",
  "correlation_id",
  "detail",
  "sql_sha256",
  "prev_hash",
  "hash",
] as const;

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(row: AuditRow): string {
  const cells = [
    String(row.seq),
    row.at.toISOString(),
    row.actor,
    row.action,
    row.environment ?? "",
    row.target ?? "",
    row.correlationId,
    JSON.stringify(row.detail),
    row.sqlSha256 ?? "",
    row.prevHash,
    row.hash,
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function jsonLine(row: AuditRow): string {
  return `${JSON.stringify({
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    environment: row.environment,
    target: row.target,
    correlationId: row.correlationId,
    detail: row.detail,
    sqlSha256: row.sqlSha256,
    prevHash: row.prevHash,
    hash: row.hash,
  })}\n`;
}

/** Chunks of the export, oldest record first; each chunk is one page of records. */
export async function* exportAudit(
  db: Db,
  workspaceId: string,
  opts: { format: ExportFormat; since?: Date; pageSize?: number },
): AsyncGenerator<{ chunk: string; records: number }> {
  const pageSize = opts.pageSize ?? 500;
  if (opts.format === "csv") yield { chunk: `${CSV_COLUMNS.join(",")}\r\n`, records: 0 };
  const line = opts.format === "csv" ? csvLine : jsonLine;
  let afterSeq = 0;
  for (;;) {
    const rows = await listAudit(db, workspaceId, { afterSeq, limit: pageSize, since: opts.since });
    if (rows.length === 0) return;
    yield { chunk: rows.map(line).join(""), records: rows.length };
    afterSeq = rows.at(-1)?.seq ?? afterSeq;
    if (rows.length < pageSize) return;
  }
}
