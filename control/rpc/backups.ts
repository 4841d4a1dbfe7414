// BackupService: the backup areas of an environment's databases through their agents (issue 5).
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import type { BackupService } from "../../proto/gen/migratrix/control/v1/backup_pb.ts";
import {
  type BackupView,
  listEnvironmentBackups,
  purgeEnvironmentBackups,
  setBackupRetention,
} from "../backups/index.ts";
import { systemClock } from "../schedules/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";

function backupMsg(b: BackupView) {
  const at = b.createdAt === "" ? Number.NaN : Date.parse(b.createdAt);
  return {
    connection: b.connection,
    table: b.table,
    migrationId: b.migrationId,
    upIndex: b.upIndex,
    source: b.source,
    reason: b.reason,
    rows: b.rows,
    bytes: b.bytes,
    ...(Number.isNaN(at) ? {} : { createdAt: timestampFromDate(new Date(at)) }),
  };
}

export function backupService(deps: ServiceDeps): Partial<ServiceImpl<typeof BackupService>> {
  const clock = deps.clock ?? systemClock;
  return {
    async listBackups(req, ctx) {
      const c = callerOf(ctx);
      const r = await listEnvironmentBackups(deps, {
        workspaceId: c.workspaceId,
        environment: req.environment,
        ...(req.connection ? { connection: req.connection } : {}),
        ...(req.migrationId ? { migrationId: req.migrationId } : {}),
        correlationId: correlationOf(ctx),
      });
      return { backups: r.backups.map(backupMsg), errors: r.errors };
    },
    async purgeBackups(req, ctx) {
      const c = callerOf(ctx);
      const r = await purgeEnvironmentBackups(deps, {
        workspaceId: c.workspaceId,
        environment: req.environment,
        ...(req.connection ? { connection: req.connection } : {}),
        ...(req.migrationId ? { migrationId: req.migrationId } : {}),
        ...(req.olderThanMs > 0n ? { olderThanMs: Number(req.olderThanMs) } : {}),
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      return { purged: r.backups.map(backupMsg), errors: r.errors };
    },
    async setBackupRetention(req, ctx) {
      const c = callerOf(ctx);
      const v = await setBackupRetention(deps.db, {
        workspaceId: c.workspaceId,
        environment: req.environment,
        keepDays: req.keepDays,
        cron: req.cron,
        actor: c.actor,
        correlationId: correlationOf(ctx),
        now: clock.now(),
      });
      deps.scheduler?.wake();
      return v
        ? { keepDays: v.keepDays, cron: v.cron, ...(v.nextRun ? { nextRun: timestampFromDate(v.nextRun) } : {}) }
        : {};
    },
  };
}
