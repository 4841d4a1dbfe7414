// Query history per user and environment, read from the audit chain (explorer.query records):
// nothing is stored twice, and the SQL text was never stored at all, only its SHA-256.
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";

export interface HistoryEntry {
  at: Date;
  actor: string;
  connection: string;
  sqlSha256: string;
  kind: string;
  rows: number;
  durationMs: number;
  refused: boolean;
  code: string;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const str = (v: unknown) => (typeof v === "string" ? v : "");

export async function queryHistory(
  db: Db,
  opts: { workspaceId: string; environment: string; actor?: string; limit: number },
): Promise<HistoryEntry[]> {
  const a = tables.auditLog;
  const rows = await db
    .select()
    .from(a)
    .where(
      and(
        eq(a.workspaceId, opts.workspaceId),
        eq(a.action, "explorer.query"),
        eq(a.environment, opts.environment),
        opts.actor === undefined ? undefined : eq(a.actor, opts.actor),
      ),
    )
    .orderBy(desc(a.seq))
    .limit(Math.min(Math.max(opts.limit || 50, 1), 1000));
  return rows.map((r) => ({
    at: r.at,
    actor: r.actor,
    connection: r.target ?? "",
    sqlSha256: r.sqlSha256 ?? "",
    kind: str(r.detail.kind),
    rows: num(r.detail.rows),
    durationMs: num(r.detail.durationMs),
    refused: r.detail.refused === true,
    code: str(r.detail.code),
  }));
}
