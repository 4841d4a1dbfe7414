import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import type { MigrationService } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { engineFromProto } from "../domain/engines.ts";
import { getEnvironment } from "../domain/environments.ts";
import { createMigration, getMigration, listMigrations } from "../domain/migrations.ts";
import { enterFlow, getFlow, migrationRollbackScripts } from "../flows/index.ts";
import { requesterOf } from "../identity/index.ts";
import { getRun, listRunsOfEnvironment, listRunsOfMigration } from "../runs/queries.ts";
import { resolveRun } from "../runs/resolve.ts";
import { startRuns } from "../runs/start.ts";
import { runStateToProto } from "../runs/state.ts";
import { watchRun } from "../runs/watch.ts";
import { callerOf, correlationOf } from "./context.ts";
import { migrationMsg, runMsg } from "./convert.ts";
import type { ServiceDeps } from "./deps.ts";
import { rollbackScriptMsg } from "./flows.ts";

export function migrationService(deps: ServiceDeps): Partial<ServiceImpl<typeof MigrationService>> {
  return {
    async createMigration(req, ctx) {
      const c = callerOf(ctx);
      const m = await createMigration(deps.db, {
        workspaceId: c.workspaceId,
        fileName: req.fileName,
        content: req.content,
        engine: engineFromProto(req.engine, `migration ${req.fileName}`),
        actor: c.actor,
        createdBy: requesterOf(c),
        correlationId: correlationOf(ctx),
      });
      if (req.flow) {
        const flow = await getFlow(deps.db, c.workspaceId, req.flow);
        const call = {
          workspaceId: c.workspaceId,
          flow: flow.name,
          migrationId: m.id,
          stage: flow.stages[0]?.environment.name ?? "",
          actor: c.actor,
          requestedBy: requesterOf(c),
          correlationId: correlationOf(ctx),
        };
        await enterFlow(deps.db, call, {
          bus: deps.bus,
          agentRequestTimeoutMs: deps.agentRequestTimeoutMs,
          correlationId: call.correlationId,
        });
      }
      return { migration: migrationMsg(m) };
    },
    async getMigration(req, ctx) {
      const c = callerOf(ctx);
      const m = await getMigration(deps.db, c.workspaceId, req.id);
      return {
        migration: migrationMsg(m),
        runs: (await listRunsOfMigration(deps.db, c.workspaceId, m.id)).map(runMsg),
        rollbackScripts: (await migrationRollbackScripts(deps.db, c.workspaceId, m.id)).map(({ script, ...names }) =>
          rollbackScriptMsg(script, names),
        ),
      };
    },
    async listMigrations(_req, ctx) {
      const c = callerOf(ctx);
      return { migrations: (await listMigrations(deps.db, c.workspaceId)).map(migrationMsg) };
    },
    async runMigration(req, ctx) {
      const c = callerOf(ctx);
      if (!req.migrationId || !req.environment) {
        throw new MigratrixError("invalid_argument", "migration_id and environment are both required");
      }
      const runs = await startRuns(deps.db, deps.bus, {
        workspaceId: c.workspaceId,
        migrationId: req.migrationId,
        environment: req.environment,
        actor: c.actor,
        requestedBy: requesterOf(c),
        correlationId: correlationOf(ctx),
      });
      return { runs: runs.map(runMsg) };
    },
    async getRun(req, ctx) {
      const c = callerOf(ctx);
      return { run: runMsg(await getRun(deps.db, c.workspaceId, req.runId)) };
    },
    async *watchRun(req, ctx) {
      const c = callerOf(ctx);
      for await (const item of watchRun(deps.db, deps.notifier, {
        workspaceId: c.workspaceId,
        runId: req.runId,
        afterSeq: Number(req.afterSeq),
        pollMs: deps.watchPollMs,
        signal: ctx.signal,
      })) {
        yield { seq: BigInt(item.seq), state: runStateToProto(item.state), event: item.event };
      }
    },
    async listHistory(req, ctx) {
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      const runs = await listRunsOfEnvironment(deps.db, c.workspaceId, env.id);
      const checksums = new Map((await listMigrations(deps.db, c.workspaceId)).map((m) => [m.id, m.checksum]));
      return {
        entries: runs.map((r) => ({
          migrationId: r.migrationId,
          connection: r.connection,
          checksum: checksums.get(r.migrationId) ?? "",
          state: runStateToProto(r.state),
          attempt: r.attempt,
          statementsDone: r.statementsDone,
          appliedAt: runMsg(r).finishedAt,
          appliedBy: r.requestedBy,
          runId: r.id,
        })),
      };
    },
    async resolveRun(req, ctx) {
      const c = callerOf(ctx);
      const res = await resolveRun(deps.db, deps.bus, {
        workspaceId: c.workspaceId,
        runId: req.runId,
        resolution: req.resolution,
        rollback: req.rollback,
        actor: c.actor,
        requestedBy: requesterOf(c),
        correlationId: correlationOf(ctx),
      });
      return { run: runMsg(res.run), message: res.message };
    },
  };
}
