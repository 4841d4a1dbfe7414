// DriftService: on-demand checks, the latest report per connection, and the environment's schedule.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  type DriftReport,
  DriftReportSchema,
  type DriftSchedule,
  DriftScheduleSchema,
  type DriftService,
  DriftStatus,
} from "../../proto/gen/migratrix/control/v1/drift_pb.ts";
import {
  checkDrift,
  type DriftReportView,
  type DriftScheduleView,
  getDriftSchedule,
  latestDrift,
  setDriftSchedule,
} from "../drift/index.ts";
import { systemClock } from "../schedules/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";

const STATUS: Record<DriftReportView["status"], DriftStatus> = {
  clean: DriftStatus.CLEAN,
  drifted: DriftStatus.DRIFTED,
  no_baseline: DriftStatus.NO_BASELINE,
  error: DriftStatus.ERROR,
};

export function driftReportMsg(r: DriftReportView): DriftReport {
  return create(DriftReportSchema, {
    id: r.id,
    connection: r.path,
    status: STATUS[r.status],
    changes: r.changes,
    diffText: r.diffText,
    diffJson: r.diffJson === null || r.diffJson === undefined ? "" : JSON.stringify(r.diffJson),
    migrationId: r.migrationId ?? "",
    runId: r.runId ?? "",
    ...(r.expectedAt ? { expectedAt: timestampFromDate(r.expectedAt) } : {}),
    checkedAt: timestampFromDate(r.checkedAt),
    trigger: r.trigger,
    message: r.message,
  });
}

function scheduleMsg(s: DriftScheduleView): DriftSchedule {
  return create(DriftScheduleSchema, {
    environment: s.environment,
    cron: s.cron,
    ...(s.nextRun ? { nextRun: timestampFromDate(s.nextRun) } : {}),
    ...(s.lastFired ? { lastFired: timestampFromDate(s.lastFired) } : {}),
  });
}

export function driftService(deps: ServiceDeps): Partial<ServiceImpl<typeof DriftService>> {
  const clock = deps.clock ?? systemClock;
  return {
    async checkDrift(req, ctx) {
      const c = callerOf(ctx);
      const reports = await checkDrift(deps, {
        workspaceId: c.workspaceId,
        environment: req.environment,
        ...(req.connection ? { connection: req.connection } : {}),
        trigger: "manual",
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      return { reports: reports.map(driftReportMsg) };
    },
    async listDrift(req, ctx) {
      const c = callerOf(ctx);
      const reports = await latestDrift(deps.db, c.workspaceId, req.environment);
      const schedule = await getDriftSchedule(deps.db, {
        workspaceId: c.workspaceId,
        environment: req.environment,
        now: clock.now(),
      });
      return { reports: reports.map(driftReportMsg), ...(schedule ? { schedule: scheduleMsg(schedule) } : {}) };
    },
    async setDriftSchedule(req, ctx) {
      const c = callerOf(ctx);
      const schedule = await setDriftSchedule(deps.db, {
        workspaceId: c.workspaceId,
        environment: req.environment,
        cron: req.cron,
        actor: c.actor,
        correlationId: correlationOf(ctx),
        now: clock.now(),
      });
      deps.scheduler?.wake();
      return schedule ? { schedule: scheduleMsg(schedule) } : {};
    },
  };
}
