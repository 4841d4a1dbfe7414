// TransferService: start (or schedule) a transfer between two named connections, job history,
// live progress, schedules. The RPC's rule checks transfer.write on the target's environment; the
// source's environment (transfer.read) and a schedule (schedule.manage) are checked here.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import {
  type TransferJob,
  TransferJobSchema,
  type TransferOptions,
  TransferOptionsSchema,
  type TransferSchedule,
  TransferScheduleSchema,
  type TransferService,
} from "../../proto/gen/migratrix/control/v1/transfer_pb.ts";
import { getEnvironment } from "../domain/environments.ts";
import { runStateToProto } from "../runs/state.ts";
import { systemClock } from "../schedules/index.ts";
import type { TransferOptionsJson } from "../store/schema.ts";
import {
  checkOptions,
  createTransferSchedule,
  getTransferJob,
  listTransferJobs,
  listTransferSchedules,
  removeTransferSchedule,
  resolvePair,
  startTransfer,
  type TransferJobView,
  type TransferScheduleView,
  watchTransfer,
} from "../transfers/index.ts";
import { authorizeCall, callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";

function optionsMsg(o: TransferOptionsJson): TransferOptions {
  return create(TransferOptionsSchema, { ...o, tables: o.tables });
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export function transferJobMsg(j: TransferJobView): TransferJob {
  const p = j.progress ?? {};
  const end = j.finishedAt ?? j.updatedAt;
  return create(TransferJobSchema, {
    id: j.id,
    from: j.from,
    to: j.to,
    options: optionsMsg(j.options),
    state: runStateToProto(j.state),
    attempt: j.attempt,
    maxAttempts: j.maxAttempts,
    trigger: j.trigger,
    scheduleId: j.scheduleId ?? "",
    table: typeof p.table === "string" ? p.table : "",
    rows: BigInt(j.rows),
    bytes: BigInt(j.bytes),
    estimatedRows: BigInt(num(p.estimatedRows)),
    rowsPerSecond: num(p.rowsPerSecond),
    etaSeconds: typeof p.etaSeconds === "number" ? p.etaSeconds : -1,
    durationSeconds: j.startedAt ? Math.max(0, (end.getTime() - j.startedAt.getTime()) / 1000) : 0,
    verified: j.verified,
    reportJson: j.report ? JSON.stringify(j.report) : "",
    error: j.error?.message ?? "",
    errorCode: j.error?.code ?? "",
    requestedBy: j.requestedBy,
    masked: j.masked,
    createdAt: timestampFromDate(j.createdAt),
    ...(j.startedAt ? { startedAt: timestampFromDate(j.startedAt) } : {}),
    ...(j.finishedAt ? { finishedAt: timestampFromDate(j.finishedAt) } : {}),
    ...(j.retryAt ? { retryAt: timestampFromDate(j.retryAt) } : {}),
  });
}

/** A transfer job of the workspace as it changes, until it ends (not_found for another workspace's id). */
export async function* transferUpdates(deps: ServiceDeps, workspaceId: string, id: string, signal: AbortSignal) {
  for await (const job of watchTransfer(deps.db, deps.notifier, {
    workspaceId,
    id,
    pollMs: deps.watchPollMs,
    signal,
  })) {
    yield { job: transferJobMsg(job) };
  }
}

function scheduleMsg(s: TransferScheduleView): TransferSchedule {
  return create(TransferScheduleSchema, {
    id: s.id,
    from: s.from,
    to: s.to,
    options: optionsMsg(s.options),
    cron: s.cron,
    createdBy: s.createdBy,
    ...(s.nextRun ? { nextRun: timestampFromDate(s.nextRun) } : {}),
    ...(s.lastFired ? { lastFired: timestampFromDate(s.lastFired) } : {}),
  });
}

const envOf = (path: string) => path.split("/")[0] ?? "";

export function transferService(deps: ServiceDeps): Partial<ServiceImpl<typeof TransferService>> {
  const clock = deps.clock ?? systemClock;
  return {
    async startTransfer(req, ctx) {
      const c = callerOf(ctx);
      const options = checkOptions({
        tables: req.options?.tables,
        batchRows: req.options?.batchRows,
        create: req.options?.create,
        onConflict: req.options?.onConflict,
        confirmTruncate: req.options?.confirmTruncate,
        noKeyOk: req.options?.noKeyOk,
        acceptLoss: req.options?.acceptLoss,
        via: req.options?.via,
      });
      // The rule checked writing into the target; reading the source is checked on its environment.
      await authorizeCall(deps.db, ctx, "transfer.read", envOf(req.from));
      const correlationId = correlationOf(ctx);
      if (req.schedule.trim() !== "") {
        await authorizeCall(deps.db, ctx, "schedule.manage", envOf(req.to));
        await resolvePair(deps.db, c.workspaceId, req.from, req.to);
        const schedule = await createTransferSchedule(deps.db, {
          workspaceId: c.workspaceId,
          from: req.from,
          to: req.to,
          options,
          cron: req.schedule,
          actor: c.actor,
          requestedBy: c.actor,
          correlationId,
          now: clock.now(),
        });
        deps.scheduler?.wake();
        return { schedule: scheduleMsg(schedule) };
      }
      const job = await startTransfer(deps.db, deps.bus, {
        workspaceId: c.workspaceId,
        from: req.from,
        to: req.to,
        options,
        trigger: "manual",
        actor: c.actor,
        requestedBy: c.actor,
        correlationId,
      });
      return { job: transferJobMsg(job) };
    },
    async getTransfer(req, ctx) {
      const c = callerOf(ctx);
      return { job: transferJobMsg(await getTransferJob(deps.db, c.workspaceId, req.id)) };
    },
    async listTransfers(req, ctx) {
      const c = callerOf(ctx);
      const limit = req.limit === 0 ? 50 : Math.min(req.limit, 1000);
      const env = req.environment ? await getEnvironment(deps.db, c.workspaceId, req.environment) : undefined;
      const jobs = await listTransferJobs(deps.db, c.workspaceId, { ...(env ? { environmentId: env.id } : {}), limit });
      const schedules = await listTransferSchedules(deps.db, c.workspaceId, clock.now(), env?.name);
      return { jobs: jobs.map(transferJobMsg), schedules: schedules.map(scheduleMsg) };
    },
    async *watchTransfer(req, ctx) {
      yield* transferUpdates(deps, callerOf(ctx).workspaceId, req.id, ctx.signal);
    },
    async removeTransferSchedule(req, ctx) {
      const c = callerOf(ctx);
      if (!req.environment) throw new MigratrixError("invalid_argument", "environment is required");
      await removeTransferSchedule(deps.db, {
        workspaceId: c.workspaceId,
        environment: req.environment,
        id: req.id,
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      deps.scheduler?.wake();
      return {};
    },
  };
}
