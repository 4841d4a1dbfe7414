// Promote, vote and roll back a migration on a flow stage. Each call is one store transaction that
// locks the (flow, migration, stage) row, checks the move is legal from the state it finds, starts
// the runs and appends the audit records; jobs are published after commit.
import { and, eq } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { type EngineId, generatesRollback, getEngine } from "../../engines/index.ts";
import { appendAudit } from "../audit/index.ts";
import { riskFindings } from "../domain/migration-risk.ts";
import { getMigration, type MigrationRow } from "../domain/migrations.ts";
import type { Caller } from "../identity/index.ts";
import { prepareRun, publishRunJob } from "../runs/prepare.ts";
import { getRun, type RunView } from "../runs/queries.ts";
import type { Db, RunDirection, RunErrorJson, RunStateName, Tx, Vote } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { voteRefusal } from "./access.ts";
import { approvalsNeeded, blocksCritical, type FlowView, getFlow, type StageView, stageOf } from "./definitions.ts";
import {
  lockStage,
  type MigrationStageRow,
  refuse,
  type StageKey,
  stateLabel,
  syncStagesOfRun,
  transition,
} from "./lifecycle.ts";
import { preflight } from "./preflight.ts";
import {
  approvalChecksum,
  creationRollback,
  type EntryOptions,
  hasEntered,
  stageApprovalChecksum,
  stageRollbackScripts,
  storeCreationRollback,
} from "./rollback-scripts.ts";
import { tally } from "./votes.ts";

export interface StageCall {
  workspaceId: string;
  flow: string;
  migrationId: string;
  stage: string;
  actor: string;
  /** Recorded on targets as applied_by. */
  requestedBy: string;
  correlationId: string;
}

interface Loaded {
  flow: FlowView;
  stage: StageView;
  migration: MigrationRow;
  key: StageKey;
}

async function load(db: Db, call: StageCall): Promise<Loaded> {
  const flow = await getFlow(db, call.workspaceId, call.flow);
  const stage = stageOf(flow, call.stage);
  const migration = await getMigration(db, call.workspaceId, call.migrationId);
  if (migration.engine !== flow.engine) {
    throw new MigratrixError(
      "failed_precondition",
      `migration ${migration.id} is split for ${migration.engine} but flow ${flow.name} runs ${flow.engine}`,
    );
  }
  const key = { workspaceId: call.workspaceId, flowId: flow.id, migrationId: migration.id, position: stage.position };
  return { flow, stage, migration, key };
}

/**
 * The migration enters the flow: its rows on every stage, and (without -- DOWN) its generated down
 * script from the first stage's latest schema snapshot, shown for review before anyone votes. A
 * no-op once it entered. Promote calls it; the RPC layer calls it before a vote and at creation.
 */
export async function enterFlow(db: Db, call: StageCall, o: EntryOptions): Promise<void> {
  const l = await load(db, call);
  if (await hasEntered(db, l.key)) return;
  const script = await creationRollback(db, l.flow, l.migration, o);
  await db.transaction(async (tx) => {
    const inserted = await ensureStages(tx, l, call);
    if (inserted && script) {
      await storeCreationRollback(tx, {
        flow: l.flow,
        migration: l.migration,
        script,
        actor: call.actor,
        correlationId: call.correlationId,
      });
    }
  });
}

/** The migration's rows on every stage of the flow: the first stage Pending, the rest Queued. */
async function ensureStages(tx: Tx, l: Loaded, call: StageCall): Promise<boolean> {
  const existing = await tx
    .select({ position: tables.migrationStages.position })
    .from(tables.migrationStages)
    .where(and(eq(tables.migrationStages.flowId, l.flow.id), eq(tables.migrationStages.migrationId, l.migration.id)));
  if (existing.length === l.flow.stages.length) return false;
  const inserted = await tx
    .insert(tables.migrationStages)
    .values(
      l.flow.stages.map((s) => ({
        workspaceId: call.workspaceId,
        flowId: l.flow.id,
        migrationId: l.migration.id,
        position: s.position,
        environmentId: s.environmentId,
        state: (s.position === 1 ? "pending" : "queued") as RunStateName,
      })),
    )
    .onConflictDoNothing()
    .returning();
  if (inserted.length > 0) {
    await appendAudit(tx, {
      workspaceId: call.workspaceId,
      actor: call.actor,
      action: "flow.enter",
      target: `migration:${l.migration.id}`,
      correlationId: call.correlationId,
      detail: {
        flow: l.flow.name,
        stages: inserted.map((r) => ({ stage: r.position, state: stateLabel(r.state) })),
      },
      sql: l.migration.upSql + l.migration.downSql,
    });
  }
  return inserted.length > 0;
}

async function lockOrCreate(tx: Tx, l: Loaded, call: StageCall): Promise<MigrationStageRow> {
  await ensureStages(tx, l, call);
  const row = await lockStage(tx, l.key);
  if (!row) throw new Error(`stage row of ${l.migration.id} at ${l.stage.position} vanished`);
  return row;
}

async function startAll(db: Db, bus: Bus, l: Loaded, ids: { id: string; started: boolean }[]): Promise<RunView[]> {
  const runs: RunView[] = [];
  for (const { id, started } of ids) {
    const run = await getRun(db, l.key.workspaceId, id);
    if (started) await publishRunJob(bus, run, l.migration);
    runs.push(run);
  }
  return runs;
}

export interface PromoteOptions {
  /** An agent seen within this window counts as reachable. */
  agentOnlineMs: number;
  now?: Date;
  /** Deadline of the live-schema read when the migration enters the flow here. */
  agentRequestTimeoutMs?: number;
}

/**
 * Starts the migration on every database of the stage. Who may call it is the RPC layer's check
 * (control/rbac: migration.promote on the stage's environment); auto promotions have no caller.
 */
export async function promote(db: Db, bus: Bus, call: StageCall, opts: PromoteOptions): Promise<RunView[]> {
  await enterFlow(db, call, {
    bus,
    correlationId: call.correlationId,
    ...(opts.agentRequestTimeoutMs !== undefined ? { agentRequestTimeoutMs: opts.agentRequestTimeoutMs } : {}),
  });
  const l = await load(db, call);
  const ids = await db.transaction(async (tx) => {
    const row = await lockOrCreate(tx, l, call);
    if (l.stage.position > 1 && (row.state === "queued" || row.state === "pending")) {
      const prev = await lockStage(tx, { ...l.key, position: l.stage.position - 1 });
      const prevStage = l.flow.stages[l.stage.position - 2];
      if (prev?.state !== "completed" || prev.operation !== "apply") {
        throw new MigratrixError(
          "failed_precondition",
          `cannot promote migration ${row.migrationId} to ${l.stage.environment.name}: the previous stage ${prevStage?.environment.name} is ${stateLabel(prev?.state ?? "queued")}, not Completed on every database`,
        );
      }
    }
    if (row.state !== "pending" && row.state !== "failed") refuse(row, l.stage.environment.name, "promote");
    if (row.state === "failed" && row.operation === "revert") {
      throw new MigratrixError(
        "failed_precondition",
        `cannot promote migration ${row.migrationId} on stage ${l.stage.environment.name}: its rollback failed; run the rollback again first`,
      );
    }
    // Stage policy: a Critical migration never reaches a protected environment (nor a stage that
    // blocks Critical), whatever the approvals; the way forward is a new, safer migration.
    if (l.migration.riskLevel === "Critical" && blocksCritical(l.stage)) {
      throw new MigratrixError(
        "failed_precondition",
        `cannot promote migration ${row.migrationId} to ${l.stage.environment.protected ? "protected environment" : "stage"} ${l.stage.environment.name}: its risk is Critical (${riskFindings(l.migration.riskReport, ["up"]).join("; ")})`,
      );
    }
    const scripts = await stageRollbackScripts(tx, l.key);
    const signed = approvalChecksum(l.migration.checksum, scripts);
    const t = await tally(tx, l.key, signed);
    const needed = approvalsNeeded(l.stage, l.migration.riskLevel);
    if (t.approvals < needed) {
      const extra =
        needed > l.stage.requiredApprovals
          ? ` (${l.stage.requiredApprovals} + ${needed - l.stage.requiredApprovals} because its risk is ${l.migration.riskLevel})`
          : "";
      throw new MigratrixError(
        "failed_precondition",
        `cannot promote migration ${row.migrationId} to ${l.stage.environment.name}: it needs ${needed} approval(s)${extra} and has ${t.approvals}${t.approvers.length ? ` (${t.approvers.join(", ")})` : ""}`,
      );
    }
    await preflight(tx, {
      stage: l.stage,
      migration: l.migration,
      now: opts.now ?? new Date(),
      agentOnlineMs: opts.agentOnlineMs,
    });
    // After a completed rollback the apply runs are Completed: re-applying is a new attempt of each.
    // A run left Pending on a Pending stage waited for re-approval of its generated rollback.
    const restartFrom: RunStateName[] =
      row.operation === "revert" ? ["failed", "rejected", "completed"] : ["failed", "rejected", "pending"];
    const prepared = [];
    for (const conn of l.stage.connections) {
      prepared.push(
        await prepareRun(tx, {
          workspaceId: call.workspaceId,
          migration: l.migration,
          environment: { id: l.stage.environmentId, name: l.stage.environment.name },
          connection: conn,
          direction: "apply",
          restartFrom,
          rollback: {
            expectedDownChecksum: scripts.find((s) => s.connectionId === conn.id)?.checksum ?? null,
            allowWithoutBackup: l.stage.allowWithoutBackup,
            maxBackupRows: l.stage.maxBackupRows,
          },
          actor: call.actor,
          requestedBy: call.requestedBy,
          correlationId: call.correlationId,
        }),
      );
    }
    await transition(tx, {
      row,
      to: "in_progress",
      environment: l.stage.environment.name,
      actor: call.actor,
      correlationId: call.correlationId,
      doing: "promote",
      patch: { operation: "apply", checksum: l.migration.checksum },
      detail: {
        flow: l.flow.name,
        approvals: t.approvers,
        checksum: l.migration.checksum,
        ...(scripts.length > 0 ? { approvalChecksum: signed } : {}),
        ...(l.stage.allowWithoutBackup ? { allowWithoutBackup: true } : {}),
        ...(l.stage.maxBackupRows > 0 ? { maxBackupRows: l.stage.maxBackupRows } : {}),
      },
      sql: l.migration.upSql,
    });
    // Every database of the stage already has it Completed (mx import --env marked it applied, or
    // another flow ran it): nothing starts, so the stage is derived from those runs now.
    if (prepared.length > 0 && prepared.every((p) => !p.started)) {
      const run = { workspaceId: call.workspaceId, migrationId: l.migration.id, correlationId: call.correlationId };
      await syncStagesOfRun(tx, { ...run, environmentId: l.stage.environmentId }, call.actor);
    }
    return prepared;
  });
  return startAll(db, bus, l, ids);
}

/**
 * Approve or reject. On the migration ("apply"): a reject moves the stage to Rejected. On the stage's
 * open rollback request ("revert"): a reject closes the request and the stage keeps its state; the
 * one who asked for the rollback counts as its author (no self-approval unless the stage allows it).
 */
export async function vote(
  db: Db,
  call: StageCall & { comment: string },
  caller: Caller,
  choice: Vote,
  operation: RunDirection = "apply",
): Promise<void> {
  const l = await load(db, call);
  const author =
    operation === "apply" ? l.migration.createdBy : ((await rollbackRequest(db, l.key))?.requestedBy ?? "");
  const why = voteRefusal(caller, l.stage, author);
  if (why) {
    // Refused votes are denied attempts like any other: audited before the caller hears of it.
    await db.transaction((tx) =>
      appendAudit(tx, {
        workspaceId: call.workspaceId,
        actor: call.actor,
        action: "access.denied",
        environment: l.stage.environment.name,
        target: `migration:${l.migration.id}`,
        correlationId: call.correlationId,
        detail: { action: `approval.${choice}`, flow: l.flow.name, reason: why, token: caller.tokenId },
      }),
    );
    throw new MigratrixError("permission_denied", why);
  }
  await db.transaction(async (tx) => {
    const row = await lockOrCreate(tx, l, call);
    if (operation === "revert") requireRollbackRequest(row, l);
    else if (row.state !== "pending" && row.state !== "queued") refuse(row, l.stage.environment.name, choice);
    const where = and(
      eq(tables.approvals.flowId, l.flow.id),
      eq(tables.approvals.migrationId, l.migration.id),
      eq(tables.approvals.position, l.stage.position),
      eq(tables.approvals.operation, operation),
      eq(tables.approvals.userId, caller.userId),
    );
    const [previous] = await tx.select().from(tables.approvals).where(where).for("update");
    // A vote on running the migration signs its generated down scripts too; one on a rollback
    // request signs the migration (the down script that runs is the one its apply stored).
    const signed = operation === "apply" ? await stageApprovalChecksum(tx, l.key, l.migration) : l.migration.checksum;
    if (previous && previous.checksum === signed) {
      throw new MigratrixError(
        "already_exists",
        `${caller.email} already voted ${previous.vote} on ${operation === "revert" ? "the rollback of " : ""}${l.migration.id} at ${l.stage.environment.name} (via ${previous.via}); one vote per person`,
      );
    }
    const values = {
      workspaceId: call.workspaceId,
      flowId: l.flow.id,
      migrationId: l.migration.id,
      position: l.stage.position,
      operation,
      userId: caller.userId,
      email: caller.email.toLowerCase(),
      vote: choice,
      comment: call.comment,
      checksum: signed,
      via: `${caller.tokenKind}:${caller.tokenName}`,
      createdAt: new Date(),
    };
    // A vote on an older checksum was void: the new one replaces it.
    if (previous) await tx.update(tables.approvals).set(values).where(where);
    else await tx.insert(tables.approvals).values(values);
    await appendAudit(tx, {
      workspaceId: call.workspaceId,
      actor: call.actor,
      action: `approval.${choice}`,
      environment: l.stage.environment.name,
      target: `migration:${l.migration.id}`,
      correlationId: call.correlationId,
      detail: {
        flow: l.flow.name,
        stage: l.stage.position,
        operation,
        checksum: signed,
        comment: call.comment,
        via: values.via,
      },
      sql: l.migration.upSql + l.migration.downSql,
    });
    if (operation === "revert") {
      if (choice === "reject")
        await closeRollbackRequest(tx, l, call, { rejectedBy: caller.email, comment: call.comment });
      return;
    }
    if (choice === "reject") {
      await transition(tx, {
        row,
        to: "rejected",
        environment: l.stage.environment.name,
        actor: call.actor,
        correlationId: call.correlationId,
        doing: "reject",
        detail: { by: caller.email, comment: call.comment },
      });
    }
  });
}

/**
 * Runs the down script on every database of the stage that the forward run changed. On a stage
 * whose rollbacks need approvals, the first call opens a rollback request and starts nothing; the
 * rollback starts once its approvals are met (`whenApproved`: called after each rollback vote).
 */
export async function rollback(
  db: Db,
  bus: Bus,
  call: StageCall,
  opts: { whenApproved?: boolean } = {},
): Promise<RunView[]> {
  const l = await load(db, call);
  // Where the agent generates rollback (PostgreSQL, MariaDB/MySQL, SQLite) its apply stored a down
  // script in the target: an empty revert script runs that one, so only other engines need -- DOWN.
  if (l.migration.downSql.trim() === "" && !generatesRollback(getEngine(l.migration.engine as EngineId))) {
    throw new MigratrixError(
      "failed_precondition",
      `cannot roll back migration ${l.migration.id}: it has no down script and ${l.migration.engine} gets none generated (add a -- DOWN section in a new migration)`,
    );
  }
  const ids = await db.transaction(async (tx) => {
    const row = await lockOrCreate(tx, l, call);
    if (row.state !== "completed" && row.state !== "failed") refuse(row, l.stage.environment.name, "roll back");
    let approvedBy: string[] = [];
    if (l.stage.rollbackApprovals > 0) {
      const gate = await rollbackGate(tx, l, row, call, opts);
      if (gate === null) return [];
      approvedBy = gate;
    }
    const applied = await tx
      .select()
      .from(tables.runs)
      .where(
        and(
          eq(tables.runs.workspaceId, call.workspaceId),
          eq(tables.runs.migrationId, l.migration.id),
          eq(tables.runs.environmentId, l.stage.environmentId),
          eq(tables.runs.direction, "apply"),
        ),
      );
    // Only databases the forward run changed: a failed transactional run left nothing behind. A run
    // whose agent died during a statement may have committed it unrecorded: its revert decides.
    const changed = l.stage.connections.filter((c) => {
      const run = applied.find((r) => r.connectionId === c.id);
      if (run === undefined) return false;
      return (
        run.state === "completed" ||
        run.statementsDone > 0 ||
        diedDuringStatement(run) ||
        // mx migration resolve --rollback: the operator says it may hold the migration's changes.
        run.inDoubtAnswer !== null
      );
    });
    const again = row.operation === "revert";
    const prepared = [];
    for (const conn of changed) {
      prepared.push(
        await prepareRun(tx, {
          workspaceId: call.workspaceId,
          migration: l.migration,
          environment: { id: l.stage.environmentId, name: l.stage.environment.name },
          connection: conn,
          direction: "revert",
          // A revert that completed before a later re-apply is run again; during a failed
          // rollback only the failed ones are.
          restartFrom: again ? ["failed", "rejected"] : ["failed", "rejected", "completed"],
          actor: call.actor,
          requestedBy: call.requestedBy,
          correlationId: call.correlationId,
        }),
      );
    }
    const started = await transition(tx, {
      row,
      to: "in_progress",
      environment: l.stage.environment.name,
      actor: call.actor,
      correlationId: call.correlationId,
      doing: "roll back",
      patch: { operation: "revert", checksum: l.migration.checksum },
      detail: {
        flow: l.flow.name,
        connections: changed.map((c) => c.name),
        ...(l.stage.rollbackApprovals > 0 ? { approvedBy } : {}),
      },
      sql: l.migration.downSql,
    });
    if (changed.length === 0) {
      await transition(tx, {
        row: started,
        to: "pending",
        environment: l.stage.environment.name,
        actor: call.actor,
        correlationId: call.correlationId,
        doing: "roll back",
        detail: { because: "no database of the stage was changed by the forward run" },
      });
    }
    return prepared;
  });
  return startAll(db, bus, l, ids);
}

/** Failed by the reaper (its agent's lease lapsed) during a statement, not by the statement's error. */
function diedDuringStatement(run: { state: RunStateName; failedStatement: number; error: RunErrorJson | null }) {
  return run.state === "failed" && run.failedStatement > 0 && run.error?.code === "unavailable";
}

/** The stage's open rollback request, if any. */
async function rollbackRequest(db: Db, key: StageKey): Promise<{ requestedBy: string; at: Date } | null> {
  const [row] = await db
    .select({ by: tables.migrationStages.rollbackRequestedBy, at: tables.migrationStages.rollbackRequestedAt })
    .from(tables.migrationStages)
    .where(
      and(
        eq(tables.migrationStages.flowId, key.flowId),
        eq(tables.migrationStages.migrationId, key.migrationId),
        eq(tables.migrationStages.position, key.position),
      ),
    );
  return row?.by && row.at ? { requestedBy: row.by, at: row.at } : null;
}

function requireRollbackRequest(row: MigrationStageRow, l: Loaded): void {
  if (!row.rollbackRequestedAt || (row.state !== "completed" && row.state !== "failed")) {
    throw new MigratrixError(
      "failed_precondition",
      `no rollback of migration ${l.migration.id} is requested on ${l.stage.environment.name}; ask for one with mx migration rollback`,
    );
  }
}

/**
 * The approval gate of a rollback: opens the request on the first call (null: nothing starts yet),
 * refuses a repeated request while approvals are missing (or returns null after a vote that did
 * not meet them), and once they are met closes the request and returns who approved it.
 */
async function rollbackGate(
  tx: Tx,
  l: Loaded,
  row: MigrationStageRow,
  call: StageCall,
  opts: { whenApproved?: boolean },
): Promise<string[] | null> {
  const need = l.stage.rollbackApprovals;
  const env = l.stage.environment.name;
  if (!row.rollbackRequestedAt) {
    if (opts.whenApproved) return null;
    await tx
      .update(tables.migrationStages)
      .set({ rollbackRequestedBy: call.requestedBy, rollbackRequestedAt: new Date(), updatedAt: new Date() })
      .where(
        and(
          eq(tables.migrationStages.flowId, l.key.flowId),
          eq(tables.migrationStages.migrationId, l.key.migrationId),
          eq(tables.migrationStages.position, l.key.position),
        ),
      );
    await appendAudit(tx, {
      workspaceId: call.workspaceId,
      actor: call.actor,
      action: "flow.rollback_request",
      environment: env,
      target: `migration:${l.migration.id}`,
      correlationId: call.correlationId,
      detail: { flow: l.flow.name, stage: l.stage.position, requiredApprovals: need, requestedBy: call.requestedBy },
      sql: l.migration.downSql,
    });
    return null;
  }
  const t = await tally(tx, l.key, l.migration.checksum, "revert");
  if (t.approvals < need) {
    if (opts.whenApproved) return null;
    throw new MigratrixError(
      "failed_precondition",
      `the rollback of ${l.migration.id} on ${env} was requested by ${row.rollbackRequestedBy} and has ${t.approvals} of ${need} approval(s); approvers vote with mx migration approve --rollback`,
    );
  }
  await closeRollbackRequest(tx, l, call, { approvedBy: t.approvers });
  return t.approvers;
}

/** Ends a rollback request (started or turned down); its votes are used up, the audit keeps them. */
async function closeRollbackRequest(
  tx: Tx,
  l: Loaded,
  call: StageCall,
  outcome: { approvedBy: string[] } | { rejectedBy: string; comment: string },
): Promise<void> {
  const key = and(
    eq(tables.migrationStages.flowId, l.key.flowId),
    eq(tables.migrationStages.migrationId, l.key.migrationId),
    eq(tables.migrationStages.position, l.key.position),
  );
  await tx
    .update(tables.migrationStages)
    .set({ rollbackRequestedBy: null, rollbackRequestedAt: null, updatedAt: new Date() })
    .where(key);
  await tx
    .delete(tables.approvals)
    .where(
      and(
        eq(tables.approvals.flowId, l.key.flowId),
        eq(tables.approvals.migrationId, l.key.migrationId),
        eq(tables.approvals.position, l.key.position),
        eq(tables.approvals.operation, "revert"),
      ),
    );
  if ("rejectedBy" in outcome) {
    await appendAudit(tx, {
      workspaceId: call.workspaceId,
      actor: call.actor,
      action: "flow.rollback_rejected",
      environment: l.stage.environment.name,
      target: `migration:${l.migration.id}`,
      correlationId: call.correlationId,
      detail: { flow: l.flow.name, stage: l.stage.position, by: outcome.rejectedBy, comment: outcome.comment },
    });
  }
}
