// Generated rollback on a flow (issue 5). A migration without -- DOWN on an engine that generates
// rollback gets its down script when it enters the flow, from the first stage's latest schema
// snapshot (the live schema through the serving agent, else the one its last run left), stored for
// every database of every stage and shown for review. Votes on a stage sign the migration checksum
// together with these scripts' checksums. Each agent regenerates the script at pre-flight; when its
// target gives a different one, the run waits (Pending) and the new script replaces the approved
// one for that database: the old votes no longer count, and after the required approvals it runs.
import { and, asc, eq } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import {
  type EngineId,
  generateDown,
  generatesRollback,
  getEngine,
  ROLLBACK_CHANGED,
  type RollbackSummary,
  type SchemaSnapshot,
  snapshotFromJson,
  summarizeDown,
} from "../../engines/index.ts";
import type { GeneratedRollback } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import { appendAudit, sha256Hex } from "../audit/index.ts";
import { introspectOn } from "../bus-side/agent-rpc.ts";
import type { MigrationRow } from "../domain/migrations.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { FlowView } from "./definitions.ts";
import { keyOf, type StageKey, transition } from "./lifecycle.ts";

export type RollbackScriptRow = typeof tables.rollbackScripts.$inferSelect;

export const DEFAULT_AGENT_REQUEST_TIMEOUT_MS = 10_000;

/** True when the platform generates this migration's down script (no -- DOWN, engine that can). */
export function needsGeneratedRollback(m: MigrationRow): boolean {
  return m.downSql.trim() === "" && generatesRollback(getEngine(m.engine as EngineId));
}

/** What approvers of a stage sign: the migration checksum alone, or with the generated scripts'. */
export function approvalChecksum(migrationChecksum: string, scripts: readonly RollbackScriptRow[]): string {
  if (scripts.length === 0) return migrationChecksum;
  const downs = [...scripts]
    .sort((a, b) => (a.connectionId < b.connectionId ? -1 : a.connectionId > b.connectionId ? 1 : 0))
    .map((s) => `${s.connectionId}:${s.checksum}`);
  return sha256Hex([`up+file:${migrationChecksum}`, ...downs].join("\n"));
}

export async function stageRollbackScripts(db: Db | Tx, key: StageKey): Promise<RollbackScriptRow[]> {
  return db
    .select()
    .from(tables.rollbackScripts)
    .where(
      and(
        eq(tables.rollbackScripts.flowId, key.flowId),
        eq(tables.rollbackScripts.migrationId, key.migrationId),
        eq(tables.rollbackScripts.position, key.position),
      ),
    )
    .orderBy(asc(tables.rollbackScripts.connectionId));
}

/** The checksum a vote on the stage signs now. */
export async function stageApprovalChecksum(db: Db | Tx, key: StageKey, migration: MigrationRow): Promise<string> {
  return approvalChecksum(migration.checksum, await stageRollbackScripts(db, key));
}

/** Every generated script of a migration, with the names people know flows, stages and databases by. */
export async function migrationRollbackScripts(db: Db, workspaceId: string, migrationId: string) {
  return db
    .select({
      script: tables.rollbackScripts,
      flow: tables.flows.name,
      stage: tables.environments.name,
      connection: tables.connections.name,
    })
    .from(tables.rollbackScripts)
    .innerJoin(tables.flows, eq(tables.flows.id, tables.rollbackScripts.flowId))
    .innerJoin(tables.connections, eq(tables.connections.id, tables.rollbackScripts.connectionId))
    .innerJoin(tables.environments, eq(tables.environments.id, tables.connections.environmentId))
    .where(
      and(eq(tables.rollbackScripts.workspaceId, workspaceId), eq(tables.rollbackScripts.migrationId, migrationId)),
    )
    .orderBy(asc(tables.flows.name), asc(tables.rollbackScripts.position), asc(tables.connections.name));
}

export interface CreationRollback extends RollbackSummary {
  /** Where the schema came from, said with the script. */
  source: string;
}

export interface EntryOptions {
  bus: Bus;
  agentRequestTimeoutMs?: number;
  correlationId: string;
}

/**
 * The down script at creation: generated from the first stage's latest schema snapshot. The live
 * schema (through the serving agent) is the latest; when the agent cannot answer, the schema the
 * last completed run left there; with neither, no snapshot (fewer inverses: the agent's pre-flight
 * script will differ and ask for approval again, which is the safe side).
 */
export async function creationRollback(
  db: Db,
  flow: FlowView,
  migration: MigrationRow,
  o: EntryOptions,
): Promise<CreationRollback | null> {
  if (!needsGeneratedRollback(migration)) return null;
  const conn = flow.stages[0]?.connections[0];
  let schemaBefore: SchemaSnapshot | undefined;
  let source = "no schema snapshot of the first stage";
  if (conn) {
    const path = `${conn.environment}/${conn.name}`;
    try {
      schemaBefore = snapshotFromJson(
        await introspectOn(o.bus, {
          workspaceId: migration.workspaceId,
          agentId: conn.agentId,
          timeoutMs: o.agentRequestTimeoutMs ?? DEFAULT_AGENT_REQUEST_TIMEOUT_MS,
          correlationId: o.correlationId,
          connection: path,
          objects: true,
        }),
      );
      source = `live schema of ${path}`;
    } catch (err) {
      const [expected] = await db
        .select()
        .from(tables.expectedSchemas)
        .where(eq(tables.expectedSchemas.connectionId, conn.id));
      if (expected && expected.snapshotJson !== "") {
        schemaBefore = snapshotFromJson(expected.snapshotJson);
        source = `schema of ${path} after run ${expected.runId} (${expected.capturedAt.toISOString()}; agent unreachable: ${MigratrixError.from(err).message})`;
      } else {
        source = `no schema snapshot of ${path} (agent unreachable: ${MigratrixError.from(err).message})`;
      }
    }
  }
  const down = await generateDown(migration.upSql, {
    engine: migration.engine as EngineId,
    migrationId: migration.id,
    firstLine: migration.upFirstLine,
    ...(schemaBefore ? { schemaBefore } : {}),
  });
  const p = down.problems[0];
  if (p) {
    throw new MigratrixError(
      "invalid_argument",
      `migration ${migration.id}: cannot generate a down script: ${p.message} (line ${p.line}:${p.column})`,
    );
  }
  return { ...summarizeDown(down), source };
}

/** Stores the creation script for every database of every stage, in the flow-entry transaction. */
export async function storeCreationRollback(
  tx: Tx,
  input: {
    flow: FlowView;
    migration: MigrationRow;
    script: CreationRollback;
    actor: string;
    correlationId: string;
  },
): Promise<void> {
  const { flow, migration, script } = input;
  const rows = flow.stages.flatMap((s) =>
    s.connections.map((c) => ({
      workspaceId: migration.workspaceId,
      flowId: flow.id,
      migrationId: migration.id,
      position: s.position,
      connectionId: c.id,
      downSql: script.sql,
      checksum: script.checksum,
      reversibility: script.reversibility,
      notes: script.notes,
      origin: "created" as const,
      source: script.source,
    })),
  );
  if (rows.length === 0) return;
  await tx.insert(tables.rollbackScripts).values(rows).onConflictDoNothing();
  await appendAudit(tx, {
    workspaceId: migration.workspaceId,
    actor: input.actor,
    action: "rollback.generate",
    target: `migration:${migration.id}`,
    correlationId: input.correlationId,
    detail: {
      flow: flow.name,
      origin: "created",
      checksum: script.checksum,
      reversibility: script.reversibility,
      source: script.source,
      notes: script.notes,
    },
    sql: script.sql,
  });
}

/**
 * An agent's pre-flight generated a different down script for its target: store it for that
 * database on every stage the run belongs to, and put an in-progress apply stage back to Pending
 * (its votes signed the old script and no longer count). In the transaction that records the event.
 */
export async function recordRegeneratedRollback(
  tx: Tx,
  input: {
    run: {
      id: string;
      workspaceId: string;
      migrationId: string;
      environmentId: string;
      connectionId: string;
      correlationId: string;
    };
    environment: string;
    connection: string;
    changed: GeneratedRollback;
    actor: string;
  },
): Promise<void> {
  const { run, changed } = input;
  const rows = await tx
    .select({ row: tables.migrationStages, flow: tables.flows.name, connectionIds: tables.flowStages.connectionIds })
    .from(tables.migrationStages)
    .innerJoin(tables.flows, eq(tables.flows.id, tables.migrationStages.flowId))
    .innerJoin(
      tables.flowStages,
      and(
        eq(tables.flowStages.flowId, tables.migrationStages.flowId),
        eq(tables.flowStages.position, tables.migrationStages.position),
      ),
    )
    .where(
      and(
        eq(tables.migrationStages.workspaceId, run.workspaceId),
        eq(tables.migrationStages.migrationId, run.migrationId),
        eq(tables.migrationStages.environmentId, run.environmentId),
      ),
    )
    .for("update", { of: tables.migrationStages });
  // Only the stages this database is part of (another flow may use the environment's other ones).
  const stages = rows.filter((r) => r.connectionIds.includes(run.connectionId));
  const values = {
    downSql: changed.sql,
    checksum: changed.checksum,
    reversibility: changed.reversibility,
    notes: changed.notes,
    origin: "preflight" as const,
    source: `agent pre-flight on ${input.environment}/${input.connection}`,
    generatedAt: new Date(),
  };
  for (const { row, flow } of stages) {
    await tx
      .insert(tables.rollbackScripts)
      .values({
        workspaceId: run.workspaceId,
        flowId: row.flowId,
        migrationId: run.migrationId,
        position: row.position,
        connectionId: run.connectionId,
        ...values,
      })
      .onConflictDoUpdate({
        target: [
          tables.rollbackScripts.flowId,
          tables.rollbackScripts.migrationId,
          tables.rollbackScripts.position,
          tables.rollbackScripts.connectionId,
        ],
        set: values,
      });
    await appendAudit(tx, {
      workspaceId: run.workspaceId,
      actor: input.actor,
      action: "rollback.generate",
      environment: input.environment,
      target: `run:${run.id}`,
      correlationId: run.correlationId,
      detail: {
        flow,
        stage: row.position,
        origin: "preflight",
        connection: `${input.environment}/${input.connection}`,
        approvedChecksum: changed.approvedChecksum,
        checksum: changed.checksum,
        reversibility: changed.reversibility,
        notes: changed.notes,
      },
      sql: changed.sql,
    });
    if (row.state === "in_progress" && row.operation === "apply") {
      await transition(tx, {
        row,
        to: "pending",
        environment: input.environment,
        actor: input.actor,
        correlationId: run.correlationId,
        doing: "wait for re-approval of",
        detail: { because: ROLLBACK_CHANGED, connection: `${input.environment}/${input.connection}` },
      });
    }
  }
}

/** The stage rows exist: the migration entered the flow already. */
export async function hasEntered(db: Db, key: StageKey): Promise<boolean> {
  const [row] = await db
    .select({ state: tables.migrationStages.state })
    .from(tables.migrationStages)
    .where(keyOf({ ...key, position: 1 }));
  return row !== undefined;
}
