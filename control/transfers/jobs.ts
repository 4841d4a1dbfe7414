// Transfer jobs in the control store: starting one (connections by name, options checked, the
// source environment's masking policies resolved, audited with truncate consent), publishing it to
// the serving agent, and reading jobs back with the names people know them by.
import { create, toBinary } from "@bufbuild/protobuf";
import { and, desc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { subjects } from "../../bus/subjects.ts";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import { seal } from "../../common/sealedbox.ts";
import { JobSchema } from "../../proto/gen/migratrix/agent/v1/job_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { getAgent } from "../domain/agents.ts";
import { getConnectionByPath } from "../domain/connections.ts";
import { listMaskPolicies, maskKey } from "../explorer/policies.ts";
import { requireUuid } from "../ids.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import type { TransferOptionsJson } from "../store/schema.ts";

export type TransferJobRow = typeof tables.transferJobs.$inferSelect;

export interface TransferJobView extends TransferJobRow {
  /** "<environment>/<connection>" of both sides. */
  from: string;
  to: string;
  sourceAgent: string;
  targetAgent: string;
  sourceEnvironmentId: string;
  targetEnvironment: string;
}

const POLICIES = ["fail", "skip", "upsert", "truncate"] as const;
const VIA = ["", "local", "nats"] as const;
/** Back-off before retry n (1-based): base × 2^(n-1). */
export const DEFAULT_RETRY_BASE_MS = 5_000;

export interface TransferOptionsInput {
  tables?: readonly string[];
  batchRows?: number;
  create?: boolean;
  onConflict?: string;
  confirmTruncate?: boolean;
  noKeyOk?: boolean;
  acceptLoss?: boolean;
  via?: string;
}

/** Options as stored, checked: a bad one is refused before anything is written. */
export function checkOptions(o: TransferOptionsInput): TransferOptionsJson {
  const onConflict = o.onConflict || "fail";
  if (!(POLICIES as readonly string[]).includes(onConflict)) {
    throw new MigratrixError(
      "invalid_argument",
      `on_conflict must be one of ${POLICIES.join(", ")}, got "${onConflict}"`,
    );
  }
  if (onConflict === "truncate" && !o.confirmTruncate) {
    throw new MigratrixError(
      "invalid_argument",
      "on_conflict truncate empties the target tables: confirm it (--confirm-truncate); it is audited",
    );
  }
  const via = o.via ?? "";
  if (!(VIA as readonly string[]).includes(via)) {
    throw new MigratrixError("invalid_argument", `via must be local or nats, got "${via}"`);
  }
  const tablesList = (o.tables ?? []).map((t) => t.trim()).filter((t) => t !== "");
  const bad = tablesList.find((t) => !/^[A-Za-z0-9_$]{1,64}(\.[A-Za-z0-9_$]{1,64})?$/.test(t));
  if (bad !== undefined) throw new MigratrixError("invalid_argument", `"${bad}" is not a table name ([schema.]table)`);
  const batchRows = o.batchRows ?? 0;
  if (!Number.isInteger(batchRows) || batchRows < 0 || batchRows > 10_000_000) {
    throw new MigratrixError("invalid_argument", `batch rows must be between 1 and 10,000,000, got ${batchRows}`);
  }
  return {
    tables: [...new Set(tablesList)],
    batchRows,
    create: o.create === true,
    onConflict: onConflict as TransferOptionsJson["onConflict"],
    confirmTruncate: o.confirmTruncate === true,
    noKeyOk: o.noKeyOk === true,
    acceptLoss: o.acceptLoss === true,
    via: via as TransferOptionsJson["via"],
  };
}

const source = alias(tables.connections, "src");
const sourceEnv = alias(tables.environments, "src_env");
const target = alias(tables.connections, "tgt");

function base(db: Db | Tx) {
  return db
    .select({
      job: tables.transferJobs,
      sourceName: source.name,
      sourceAgent: source.agentId,
      sourceEnvName: sourceEnv.name,
      sourceEnvironmentId: sourceEnv.id,
      targetName: target.name,
      targetAgent: target.agentId,
      targetEnvName: tables.environments.name,
    })
    .from(tables.transferJobs)
    .innerJoin(source, eq(source.id, tables.transferJobs.sourceConnectionId))
    .innerJoin(sourceEnv, eq(sourceEnv.id, source.environmentId))
    .innerJoin(target, eq(target.id, tables.transferJobs.targetConnectionId))
    .innerJoin(tables.environments, eq(tables.environments.id, tables.transferJobs.environmentId));
}

type BaseRow = Awaited<ReturnType<ReturnType<typeof base>["where"]>>[number];

function flatten(r: BaseRow): TransferJobView {
  return {
    ...r.job,
    from: `${r.sourceEnvName}/${r.sourceName}`,
    to: `${r.targetEnvName}/${r.targetName}`,
    sourceAgent: r.sourceAgent,
    targetAgent: r.targetAgent,
    sourceEnvironmentId: r.sourceEnvironmentId,
    targetEnvironment: r.targetEnvName,
  };
}

export async function getTransferJob(db: Db | Tx, workspaceId: string, id: string): Promise<TransferJobView> {
  requireUuid("transfer job", id);
  const [row] = await base(db).where(
    and(eq(tables.transferJobs.workspaceId, workspaceId), eq(tables.transferJobs.id, id)),
  );
  if (!row) throw new MigratrixError("not_found", `transfer job ${id} not found`);
  return flatten(row);
}

/** Whether an id names a transfer job of the workspace (the bus side dispatches leases and events by it). */
export async function isTransferJob(db: Db, workspaceId: string, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const [row] = await db
    .select({ id: tables.transferJobs.id })
    .from(tables.transferJobs)
    .where(and(eq(tables.transferJobs.id, id), eq(tables.transferJobs.workspaceId, workspaceId)));
  return row !== undefined;
}

export async function listTransferJobs(
  db: Db,
  workspaceId: string,
  opts: { environmentId?: string; limit: number },
): Promise<TransferJobView[]> {
  const where = opts.environmentId
    ? and(eq(tables.transferJobs.workspaceId, workspaceId), eq(tables.transferJobs.environmentId, opts.environmentId))
    : eq(tables.transferJobs.workspaceId, workspaceId);
  const rows = await base(db)
    .where(where)
    .orderBy(desc(tables.transferJobs.createdAt), desc(tables.transferJobs.id))
    .limit(opts.limit);
  return rows.map(flatten);
}

/** The target environment's name of a job, for its access rule. */
export async function transferEnvironment(db: Db, workspaceId: string, id: string): Promise<string> {
  return (await getTransferJob(db, workspaceId, id)).targetEnvironment;
}

export interface StartTransferInput {
  workspaceId: string;
  from: string;
  to: string;
  options: TransferOptionsJson;
  trigger: "manual" | "schedule";
  scheduleId?: string;
  actor: string;
  requestedBy: string;
  correlationId: string;
  maxAttempts?: number;
}

/** The two connections of a transfer, checked: distinct, and a pair the agents can serve. */
export async function resolvePair(db: Db, workspaceId: string, from: string, to: string) {
  const src = await getConnectionByPath(db, workspaceId, from);
  const tgt = await getConnectionByPath(db, workspaceId, to);
  if (src.id === tgt.id) {
    throw new MigratrixError("invalid_argument", `source and target are the same connection ${from}`);
  }
  return { src, tgt };
}

/**
 * Creates the job (Pending) and its audit record in one transaction, then publishes it. Masking
 * policies of the source environment apply when rows go to another environment: that environment's
 * people are not the ones the policies exempt.
 */
export async function startTransfer(db: Db, bus: Bus, input: StartTransferInput): Promise<TransferJobView> {
  const { src, tgt } = await resolvePair(db, input.workspaceId, input.from, input.to);
  const crossAgent = src.agentId !== tgt.agentId;
  if (input.options.via === "local" && crossAgent) {
    throw new MigratrixError(
      "failed_precondition",
      `--via local needs one agent serving both connections: ${input.from} is served by ${src.agentId}, ${input.to} by ${tgt.agentId}`,
    );
  }
  if (input.options.via === "nats" && !crossAgent) {
    throw new MigratrixError(
      "failed_precondition",
      `--via nats carries rows between two agents; agent ${src.agentId} serves both ${input.from} and ${input.to} and copies them locally`,
    );
  }
  const masked =
    src.environmentId === tgt.environmentId
      ? []
      : (await listMaskPolicies(db, input.workspaceId, src.environmentId)).map((p) => p.pattern);
  const id = await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(tables.transferJobs)
      .values({
        workspaceId: input.workspaceId,
        sourceConnectionId: src.id,
        targetConnectionId: tgt.id,
        environmentId: tgt.environmentId,
        options: input.options,
        masked,
        state: "pending",
        // Due for publishing now: should this process die before its publish, the reaper's pass
        // publishes it (publishPending).
        retryAt: new Date(),
        maxAttempts: input.maxAttempts ?? 3,
        trigger: input.trigger,
        ...(input.scheduleId ? { scheduleId: input.scheduleId } : {}),
        correlationId: input.correlationId,
        requestedBy: input.requestedBy,
      })
      .returning({ id: tables.transferJobs.id });
    if (!row) throw new MigratrixError("internal", "transfer job was not stored");
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "transfer.start",
      environment: tgt.environment,
      target: `transfer:${row.id}`,
      correlationId: input.correlationId,
      detail: {
        from: input.from,
        to: input.to,
        trigger: input.trigger,
        ...input.options,
        ...(masked.length > 0 ? { masked } : {}),
      },
    });
    if (input.options.onConflict === "truncate") {
      // Consent to empty the target, recorded on its own so an auditor finds every truncate.
      await appendAudit(tx, {
        workspaceId: input.workspaceId,
        actor: input.actor,
        action: "transfer.truncate",
        environment: tgt.environment,
        target: `transfer:${row.id}`,
        correlationId: input.correlationId,
        detail: {
          to: input.to,
          tables: input.options.tables.length > 0 ? input.options.tables : "every table of the source",
          consent: true,
        },
      });
    }
    return row.id;
  });
  await publishPending(db, bus, await getTransferJob(db, input.workspaceId, id), new Date());
  return getTransferJob(db, input.workspaceId, id);
}

/**
 * Publishes a Pending attempt whose publish is due (retry_at), then clears retry_at. Published
 * before the clear: a crash in between publishes again on the reaper's next pass, and the msgId
 * "<job>:<attempt>" drops that duplicate.
 */
export async function publishPending(db: Db, bus: Bus, job: TransferJobView, now: Date): Promise<void> {
  try {
    await publishTransferJob(db, bus, job);
  } catch (err) {
    throw new MigratrixError(
      "unavailable",
      `transfer job ${job.id} (attempt ${job.attempt}) not published yet, the control plane tries again: ${MigratrixError.from(err).message}`,
    );
  }
  await db
    .update(tables.transferJobs)
    .set({ retryAt: null, updatedAt: now })
    .where(and(eq(tables.transferJobs.id, job.id), eq(tables.transferJobs.attempt, job.attempt)));
}

/**
 * The Job message(s): names only (each agent has the URLs in its vault). One agent serving both
 * connections gets one local job. Two agents get one job each over JetStream: the target's agent
 * receives (it holds the lease, drives the copy and reports), the source's agent sends and masks
 * (masked columns never leave it); each gets the other's announced public key for the per-job key.
 * msgId "<job>:<attempt>[:send]" drops duplicate publishes.
 */
export async function publishTransferJob(db: Db, bus: Bus, job: TransferJobView): Promise<void> {
  if (job.sourceAgent === job.targetAgent) {
    await publishOne(db, bus, job, { agent: job.targetAgent, role: "", via: "local", masked: true });
    return;
  }
  const [source, target] = await Promise.all([
    getAgent(db, job.workspaceId, job.sourceAgent),
    getAgent(db, job.workspaceId, job.targetAgent),
  ]);
  const key = (b64: string) => new Uint8Array(Buffer.from(b64, "base64"));
  await publishOne(db, bus, job, {
    agent: job.sourceAgent,
    role: "send",
    via: "nats",
    masked: true,
    peer: { id: job.targetAgent, publicKey: key(target.publicKey) },
  });
  await publishOne(db, bus, job, {
    agent: job.targetAgent,
    role: "receive",
    via: "nats",
    masked: false,
    peer: { id: job.sourceAgent, publicKey: key(source.publicKey) },
  });
}

/** The workspace's hash-masking key sealed to the agent that masks (the job rests in the stream). */
async function sealedMaskKey(db: Db, workspaceId: string, agentId: string) {
  const agent = await getAgent(db, workspaceId, agentId);
  return seal(await maskKey(db, workspaceId), new Uint8Array(Buffer.from(agent.publicKey, "base64")));
}

async function publishOne(
  db: Db,
  bus: Bus,
  job: TransferJobView,
  to: {
    agent: string;
    role: "" | "send" | "receive";
    via: "local" | "nats";
    /** This side applies the masking (the one that reads the source). */
    masked: boolean;
    peer?: { id: string; publicKey: Uint8Array };
  },
): Promise<void> {
  const policies =
    to.masked && job.masked.length > 0 ? await listMaskPolicies(db, job.workspaceId, job.sourceEnvironmentId) : [];
  const masks = policies
    .filter((p) => job.masked.includes(p.pattern))
    .map((p) => ({ pattern: p.pattern, kind: p.kind, keepLast: p.keepLast }));
  const o = job.options;
  const msg = create(JobSchema, {
    jobId: `${job.id}:${job.attempt}`,
    runId: job.id,
    attempt: job.attempt,
    correlationId: job.correlationId,
    workspaceId: job.workspaceId,
    connection: job.to,
    requestedBy: job.requestedBy,
    kind: {
      case: "transfer",
      value: {
        sourceConnection: job.from,
        targetConnection: job.to,
        tables: o.tables,
        batchRows: o.batchRows,
        create: o.create,
        onConflict: o.onConflict,
        confirmTruncate: o.confirmTruncate,
        noKeyOk: o.noKeyOk,
        acceptLoss: o.acceptLoss,
        masks,
        ...(masks.some((m) => m.kind === "hash")
          ? { sealedMaskKey: await sealedMaskKey(db, job.workspaceId, to.agent) }
          : {}),
        via: to.via,
        role: to.role,
        peerAgentId: to.peer?.id ?? "",
        peerPublicKey: to.peer?.publicKey ?? new Uint8Array(),
      },
    },
  });
  await bus.publish(subjects.jobs(job.workspaceId, to.agent), toBinary(JobSchema, msg), {
    msgId: `${job.id}:${job.attempt}${to.role === "send" ? ":send" : ""}`,
    headers: { "mx-correlation-id": job.correlationId },
  });
}
