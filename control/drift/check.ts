// A drift check: for each connection of an environment, the live schema (through its agent, with
// objects) is compared with the expected one (noise filters on) and the report is stored and
// audited in one transaction. "Live vs expected" reads as what was changed behind Migratrix's back.
import { and, desc, eq } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { diffSchemas, diffToJson, renderDiffText, snapshotFromJson } from "../../engines/index.ts";
import { appendAudit } from "../audit/index.ts";
import { introspectOn } from "../bus-side/agent-rpc.ts";
import { type ConnectionView, listConnections } from "../domain/connections.ts";
import { getEnvironment } from "../domain/environments.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type DriftReportRow = typeof tables.driftReports.$inferSelect;
export type DriftTrigger = "manual" | "schedule";
type DriftStatusName = (typeof tables.DRIFT_STATUSES)[number];

export const NO_BASELINE = "no baseline: no migration has completed here through Migratrix";

export interface DriftCheckDeps {
  db: Db;
  bus: Bus;
  agentRequestTimeoutMs: number;
}

export interface CheckDriftInput {
  workspaceId: string;
  environment: string;
  /** One connection's name; all of the environment when omitted. */
  connection?: string;
  trigger: DriftTrigger;
  actor: string;
  correlationId: string;
}

export interface DriftReportView extends DriftReportRow {
  /** "<environment>/<connection>". */
  path: string;
}

interface Outcome {
  status: DriftStatusName;
  changes: number;
  diffText: string;
  diffJson: unknown;
  message: string;
  expected?: typeof tables.expectedSchemas.$inferSelect;
}

async function liveSnapshot(deps: DriftCheckDeps, input: CheckDriftInput, conn: ConnectionView): Promise<string> {
  return introspectOn(deps.bus, {
    workspaceId: input.workspaceId,
    agentId: conn.agentId,
    timeoutMs: deps.agentRequestTimeoutMs,
    correlationId: input.correlationId,
    connection: `${conn.environment}/${conn.name}`,
    objects: true,
  });
}

async function compare(deps: DriftCheckDeps, input: CheckDriftInput, conn: ConnectionView): Promise<Outcome> {
  const [expected] = await deps.db
    .select()
    .from(tables.expectedSchemas)
    .where(eq(tables.expectedSchemas.connectionId, conn.id));
  const none = { changes: 0, diffText: "", diffJson: null };
  if (!expected) return { status: "no_baseline", ...none, message: NO_BASELINE };
  if (expected.snapshotJson === "") {
    return {
      status: "no_baseline",
      ...none,
      message: `no baseline: the schema after run ${expected.runId} was too large to send over the bus`,
      expected,
    };
  }
  let live: string;
  try {
    live = await liveSnapshot(deps, input, conn);
  } catch (err) {
    const e = MigratrixError.from(err);
    return { status: "error", ...none, message: `live schema not read: ${e.message}`, expected };
  }
  const diff = diffSchemas(snapshotFromJson(live), snapshotFromJson(expected.snapshotJson));
  const drifted = diff.changes.length > 0;
  return {
    status: drifted ? "drifted" : "clean",
    changes: diff.changes.length,
    diffText: renderDiffText(diff),
    diffJson: drifted ? diffToJson(diff) : null,
    message: "",
    expected,
  };
}

/** Checks the connections now; one stored, audited report per connection. */
export async function checkDrift(deps: DriftCheckDeps, input: CheckDriftInput): Promise<DriftReportView[]> {
  const env = await getEnvironment(deps.db, input.workspaceId, input.environment);
  const all = await listConnections(deps.db, input.workspaceId, env.name);
  const conns = input.connection ? all.filter((c) => c.name === input.connection) : all;
  if (input.connection && conns.length === 0) {
    throw new MigratrixError("not_found", `connection ${env.name}/${input.connection} not found`);
  }
  const reports: DriftReportView[] = [];
  for (const conn of conns) {
    const o = await compare(deps, input, conn);
    const path = `${conn.environment}/${conn.name}`;
    const row = await deps.db.transaction(async (tx) => {
      const [stored] = await tx
        .insert(tables.driftReports)
        .values({
          workspaceId: input.workspaceId,
          environmentId: env.id,
          connectionId: conn.id,
          status: o.status,
          changes: o.changes,
          diffText: o.diffText,
          diffJson: o.diffJson,
          message: o.message,
          migrationId: o.expected?.migrationId ?? null,
          runId: o.expected?.runId ?? null,
          expectedAt: o.expected?.capturedAt ?? null,
          trigger: input.trigger,
          requestedBy: input.actor,
          correlationId: input.correlationId,
        })
        .returning();
      if (!stored) throw new Error(`drift report of ${path} was not stored`);
      await appendAudit(tx, {
        workspaceId: input.workspaceId,
        actor: input.actor,
        action: "drift.check",
        environment: env.name,
        target: path,
        correlationId: input.correlationId,
        detail: {
          status: o.status,
          changes: o.changes,
          trigger: input.trigger,
          ...(o.expected ? { expectedRun: o.expected.runId, migrationId: o.expected.migrationId } : {}),
          ...(o.message ? { message: o.message } : {}),
        },
      });
      return stored;
    });
    reports.push({ ...row, path });
  }
  return reports;
}

/** The latest report of each connection of the environment (connections never checked are left out). */
export async function latestDrift(db: Db, workspaceId: string, environment: string): Promise<DriftReportView[]> {
  const env = await getEnvironment(db, workspaceId, environment);
  const conns = await listConnections(db, workspaceId, env.name);
  const rows = await db
    .selectDistinctOn([tables.driftReports.connectionId])
    .from(tables.driftReports)
    .where(and(eq(tables.driftReports.workspaceId, workspaceId), eq(tables.driftReports.environmentId, env.id)))
    .orderBy(tables.driftReports.connectionId, desc(tables.driftReports.checkedAt), desc(tables.driftReports.id));
  const byConn = new Map(rows.map((r) => [r.connectionId, r]));
  return conns.flatMap((c) => {
    const r = byConn.get(c.id);
    return r ? [{ ...r, path: `${c.environment}/${c.name}` }] : [];
  });
}
