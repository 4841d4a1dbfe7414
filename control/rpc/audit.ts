import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import { AuditFormat, type AuditService } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { appendAudit, checkChain, exportAudit, listAudit } from "../audit/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import { auditMsg } from "./convert.ts";
import type { ServiceDeps } from "./deps.ts";

export function auditService(deps: ServiceDeps): Partial<ServiceImpl<typeof AuditService>> {
  return {
    async listAudit(req, ctx) {
      const c = callerOf(ctx);
      const rows = await listAudit(deps.db, c.workspaceId, {
        afterSeq: Number(req.afterSeq),
        limit: req.limit || 100,
        newest: req.newest,
      });
      return { records: rows.map(auditMsg) };
    },
    async verifyAudit(_req, ctx) {
      const c = callerOf(ctx);
      const r = await checkChain(deps.db, c.workspaceId);
      return {
        ok: r.ok,
        verified: BigInt(r.verified),
        firstBrokenSeq: BigInt(r.firstBrokenSeq ?? 0),
        reason: r.reason ?? "",
      };
    },
    async *exportAudit(req, ctx) {
      const c = callerOf(ctx);
      const format = req.format === AuditFormat.CSV ? "csv" : req.format === AuditFormat.JSON ? "json" : undefined;
      if (!format) throw new MigratrixError("invalid_argument", "format is required: csv or json");
      const since = req.since ? timestampDate(req.since) : undefined;
      // The export is itself recorded first, so the file it produces shows who took it.
      await deps.db.transaction((tx) =>
        appendAudit(tx, {
          workspaceId: c.workspaceId,
          actor: c.actor,
          action: "audit.export",
          correlationId: correlationOf(ctx),
          detail: { format, since: since?.toISOString() ?? null },
        }),
      );
      for await (const page of exportAudit(deps.db, c.workspaceId, { format, since })) {
        if (ctx.signal.aborted) return;
        yield page;
      }
    },
  };
}
