// mx import --env on this agent's side: read another tool's history table on one of its
// connections and mark what it applied in migratrix_history (engines/migration/import, the same
// code as the CLI's --url mode), all or nothing under the per-target lock.
import { create } from "@bufbuild/protobuf";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { isImportFormat, markApplied, readToolHistory } from "../engines/index.ts";
import {
  type ImportHistoryReply,
  ImportHistoryReplySchema,
  type ImportHistoryRequest,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { lookupConnection, withTarget } from "./targets.ts";
import type { Vault } from "./vault.ts";

export async function importHistory(
  req: ImportHistoryRequest,
  o: { vault: Vault; agentId: string; connectTimeoutMs: number; log: Logger },
): Promise<ImportHistoryReply> {
  const format = req.format;
  if (!isImportFormat(format)) {
    throw new MigratrixError("invalid_argument", `import_history: unknown format ${JSON.stringify(format)}`);
  }
  const conn = lookupConnection(o.vault, o.agentId, req.connection);
  return withTarget(conn, o.connectTimeoutMs, async (t) => {
    const db = { engine: t.engine, session: t.session };
    const tool = await readToolHistory(db, format);
    const entries = req.entries
      .filter((e) => tool.isApplied(e.key))
      .map((e) => ({ id: e.migrationId, name: e.name, checksum: e.checksum, statements: e.statements }));
    const marks = entries.length === 0 ? [] : await markApplied(db, { format, entries, dryRun: req.dryRun });
    o.log.info("tool history imported", {
      connection: req.connection,
      format,
      table: tool.table,
      marked: marks.filter((m) => m.outcome === "marked").length,
      dryRun: req.dryRun,
    });
    return create(ImportHistoryReplySchema, {
      historyTable: tool.table ?? "",
      marked: marks.filter((m) => m.outcome === "marked").map((m) => m.id),
      present: marks.filter((m) => m.outcome === "present").map((m) => m.id),
    });
  });
}
