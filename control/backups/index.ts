// Backups through the platform (issue 5): the backup areas of an environment's databases, listed
// with their size and purged through each serving agent, explicitly (an admin, audited with what
// was dropped) or by the environment's retention policy (a "backup_retention" schedule in the
// shared scheduler, audited as the system actor). The control plane never touches the databases.
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import type { BackupInfo } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { callAgent } from "../bus-side/agent-rpc.ts";
import { type ConnectionView, listConnections } from "../domain/connections.ts";
import { environmentNameById, getEnvironment } from "../domain/environments.ts";
import {
  parseCron,
  SCHEDULER_ACTOR,
  type ScheduleHandler,
  type ScheduleRow,
  setEnvironmentSchedule,
} from "../schedules/index.ts";
import type { Db } from "../store/index.ts";

export const BACKUP_RETENTION_KIND = "backup_retention";
export const DEFAULT_RETENTION_CRON = "0 3 * * *";
const DAY_MS = 86_400_000;

export interface BackupDeps {
  db: Db;
  bus: Bus;
  agentRequestTimeoutMs: number;
}

export interface BackupView extends BackupInfo {
  /** "<environment>/<connection>". */
  connection: string;
}

export interface BackupScope {
  workspaceId: string;
  environment: string;
  /** One connection's name; every connection of the environment when omitted. */
  connection?: string;
  migrationId?: string;
  correlationId: string;
}

async function connectionsOf(deps: BackupDeps, scope: BackupScope): Promise<ConnectionView[]> {
  const env = await getEnvironment(deps.db, scope.workspaceId, scope.environment);
  const all = await listConnections(deps.db, scope.workspaceId, env.name);
  if (scope.connection === undefined) return all;
  const one = all.find((c) => c.name === scope.connection);
  if (!one) throw new MigratrixError("not_found", `connection ${env.name}/${scope.connection} not found`);
  return [one];
}

/** Each connection's answer; a connection whose agent fails is named in `errors`, the rest go on. */
async function eachConnection(
  deps: BackupDeps,
  scope: BackupScope,
  kind: (path: string) => Parameters<typeof callAgent>[1]["request"]["kind"],
): Promise<{ backups: BackupView[]; errors: string[] }> {
  const backups: BackupView[] = [];
  const errors: string[] = [];
  for (const conn of await connectionsOf(deps, scope)) {
    const path = `${conn.environment}/${conn.name}`;
    try {
      const replies = await callAgent(deps.bus, {
        workspaceId: scope.workspaceId,
        agentId: conn.agentId,
        timeoutMs: deps.agentRequestTimeoutMs,
        request: { correlationId: scope.correlationId, workspaceId: scope.workspaceId, kind: kind(path) },
      });
      for (const r of replies) {
        if (r.kind.case === "backups") backups.push(...r.kind.value.backups.map((b) => ({ ...b, connection: path })));
      }
    } catch (err) {
      errors.push(`${path}: ${MigratrixError.from(err).message}`);
    }
  }
  return { backups, errors };
}

export function listEnvironmentBackups(deps: BackupDeps, scope: BackupScope) {
  return eachConnection(deps, scope, (connection) => ({
    case: "backupList",
    value: { connection, migrationId: scope.migrationId ?? "" },
  }));
}

export interface PurgeInput extends BackupScope {
  olderThanMs?: number;
  /** Retention: backups created before this time. */
  createdBefore?: Date;
  actor: string;
}

/** Drops the matching backups on every connection in scope; one audit record says what and how big. */
export async function purgeEnvironmentBackups(deps: BackupDeps, input: PurgeInput) {
  if (input.migrationId === undefined && input.olderThanMs === undefined && input.createdBefore === undefined) {
    throw new MigratrixError("invalid_argument", "purge needs a migration id or an age (older than)");
  }
  const result = await eachConnection(deps, input, (connection) => ({
    case: "backupPurge",
    value: {
      connection,
      migrationId: input.migrationId ?? "",
      olderThanMs: BigInt(Math.max(0, Math.trunc(input.olderThanMs ?? 0))),
      createdBeforeMs: BigInt(input.createdBefore?.getTime() ?? 0),
    },
  }));
  await deps.db.transaction((tx) =>
    appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "backup.purge",
      environment: input.environment,
      target: input.connection
        ? `connection:${input.environment}/${input.connection}`
        : `environment:${input.environment}`,
      correlationId: input.correlationId,
      detail: {
        ...(input.migrationId !== undefined ? { migrationId: input.migrationId } : {}),
        ...(input.olderThanMs !== undefined ? { olderThanMs: input.olderThanMs } : {}),
        ...(input.createdBefore ? { createdBefore: input.createdBefore.toISOString() } : {}),
        purged: result.backups.map((b) => ({
          connection: b.connection,
          table: b.table,
          migrationId: b.migrationId,
          rows: Number(b.rows),
          bytes: Number(b.bytes),
        })),
        bytes: result.backups.reduce((n, b) => n + Number(b.bytes), 0),
        ...(result.errors.length > 0 ? { errors: result.errors } : {}),
      },
    }),
  );
  return result;
}

/** The retention purge: backups created more than keepDays before the slot that fired. */
export function backupRetentionHandler(deps: BackupDeps): ScheduleHandler {
  return {
    environmentOf: (s) => environmentNameById(deps.db, s.target),
    async run({ schedule, slot, correlationId }) {
      const environment = await environmentNameById(deps.db, schedule.target);
      if (!environment) return;
      const keepDays = Number(schedule.params.keepDays ?? 0);
      if (!Number.isFinite(keepDays) || keepDays <= 0) return;
      const { errors } = await purgeEnvironmentBackups(deps, {
        workspaceId: schedule.workspaceId,
        environment,
        createdBefore: new Date(slot.getTime() - keepDays * DAY_MS),
        actor: SCHEDULER_ACTOR,
        correlationId,
      });
      // Surfaces in the scheduler's firing outcome; what was purged is in the audit record.
      if (errors.length > 0) throw new MigratrixError("unavailable", errors.join("; "));
    },
  };
}

export interface RetentionView {
  keepDays: number;
  cron: string;
  nextRun: Date | null;
}

function view(row: ScheduleRow, now: Date): RetentionView {
  return { keepDays: Number(row.params.keepDays ?? 0), cron: row.cron, nextRun: parseCron(row.cron).next(now) };
}

/** Sets the environment's retention (keep N days), or removes it with 0; audited either way. */
export async function setBackupRetention(
  db: Db,
  input: {
    workspaceId: string;
    environment: string;
    keepDays: number;
    cron: string;
    actor: string;
    correlationId: string;
    now: Date;
  },
): Promise<RetentionView | null> {
  const env = await getEnvironment(db, input.workspaceId, input.environment);
  if (!Number.isInteger(input.keepDays) || input.keepDays < 0 || input.keepDays > 36_500) {
    throw new MigratrixError("invalid_argument", `keep days must be 0 to 36500, got ${input.keepDays}`);
  }
  const row = await setEnvironmentSchedule(db, {
    ...input,
    kind: BACKUP_RETENTION_KIND,
    environment: env,
    cron: input.keepDays === 0 ? null : input.cron.trim() === "" ? DEFAULT_RETENTION_CRON : input.cron,
    params: { keepDays: input.keepDays },
  });
  return row ? view(row, input.now) : null;
}
