// Agents announce themselves (and their connections) over the bus; the control plane keeps their
// public keys so clients can seal connection secrets to them.
import { and, asc, eq } from "drizzle-orm";
import { subjectToken } from "../../bus/subjects.ts";
import { MigratrixError } from "../../common/errors.ts";
import type { AnnounceRequest } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { appendAudit, sha256Hex } from "../audit/index.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { engineFromProto } from "./engines.ts";

export type AgentRow = typeof tables.agents.$inferSelect;

export function checkAgentId(id: string): string {
  try {
    return subjectToken("agent", id);
  } catch (err) {
    throw MigratrixError.from(err, "invalid_argument");
  }
}

/** Short, loggable identity of a public key. */
function fingerprint(publicKeyB64: string): string {
  return sha256Hex(publicKeyB64).slice(0, 16);
}

export interface AnnounceResult {
  accepted: boolean;
  /** Connections that were not recorded, and why. */
  skipped: string[];
}

export async function announceAgent(
  db: Db,
  input: { workspaceId: string; req: AnnounceRequest; actor: string; correlationId: string },
): Promise<AnnounceResult> {
  const { req, workspaceId } = input;
  const agentId = checkAgentId(req.agentId);
  if (req.publicKey.length !== 32) {
    throw new MigratrixError(
      "invalid_argument",
      `agent ${agentId} announced a ${req.publicKey.length}-byte public key; X25519 keys are 32 bytes`,
    );
  }
  const publicKey = Buffer.from(req.publicKey).toString("base64");
  return db.transaction(async (tx) => {
    const now = new Date();
    const [before] = await tx
      .select()
      .from(tables.agents)
      .where(and(eq(tables.agents.workspaceId, workspaceId), eq(tables.agents.id, agentId)))
      .for("update");
    await tx
      .insert(tables.agents)
      .values({ workspaceId, id: agentId, publicKey, version: req.version, lastSeen: now })
      .onConflictDoUpdate({
        target: [tables.agents.workspaceId, tables.agents.id],
        set: { publicKey, version: req.version, lastSeen: now },
      });
    // Re-announcing after every reconnect is routine; only a change is worth an audit record.
    if (!before || before.publicKey !== publicKey || before.version !== req.version) {
      await appendAudit(tx, {
        workspaceId,
        actor: input.actor,
        action: before ? "agent.update" : "agent.register",
        target: `agent:${agentId}`,
        correlationId: input.correlationId,
        detail: {
          version: req.version,
          publicKey: fingerprint(publicKey),
          ...(before ? { previousVersion: before.version, previousPublicKey: fingerprint(before.publicKey) } : {}),
        },
      });
    }
    const skipped: string[] = [];
    for (const info of req.connections) {
      const reason = await recordAnnouncedConnection(tx, {
        workspaceId,
        agentId,
        name: info.name,
        environment: info.environment,
        engine: info.engine,
        actor: input.actor,
        correlationId: input.correlationId,
      });
      if (reason) skipped.push(`${info.environment}/${info.name}: ${reason}`);
    }
    return { accepted: true, skipped };
  });
}

async function recordAnnouncedConnection(
  tx: Tx,
  c: {
    workspaceId: string;
    agentId: string;
    name: string;
    environment: string;
    engine: number;
    actor: string;
    correlationId: string;
  },
): Promise<string | null> {
  const [env] = await tx
    .select()
    .from(tables.environments)
    .where(and(eq(tables.environments.workspaceId, c.workspaceId), eq(tables.environments.name, c.environment)));
  // Agents may not create environments: approvals and protection are set by people.
  if (!env) return `environment ${c.environment} does not exist`;
  let engine: string;
  try {
    engine = engineFromProto(c.engine, `connection ${c.environment}/${c.name}`);
  } catch (err) {
    return MigratrixError.from(err).message;
  }
  const [existing] = await tx
    .select()
    .from(tables.connections)
    .where(and(eq(tables.connections.environmentId, env.id), eq(tables.connections.name, c.name)));
  if (existing) {
    if (existing.agentId !== c.agentId) return `already served by agent ${existing.agentId}`;
    if (existing.engine !== engine) return `recorded as ${existing.engine}, announced as ${engine}`;
    return null;
  }
  await tx.insert(tables.connections).values({
    workspaceId: c.workspaceId,
    environmentId: env.id,
    name: c.name,
    engine,
    agentId: c.agentId,
  });
  await appendAudit(tx, {
    workspaceId: c.workspaceId,
    actor: c.actor,
    action: "connection.announce",
    environment: env.name,
    target: `${env.name}/${c.name}`,
    correlationId: c.correlationId,
    detail: { engine, agentId: c.agentId },
  });
  return null;
}

export async function touchAgent(db: Db, workspaceId: string, agentId: string): Promise<void> {
  await db
    .update(tables.agents)
    .set({ lastSeen: new Date() })
    .where(and(eq(tables.agents.workspaceId, workspaceId), eq(tables.agents.id, agentId)));
}

export async function listAgents(db: Db, workspaceId: string): Promise<AgentRow[]> {
  return db
    .select()
    .from(tables.agents)
    .where(eq(tables.agents.workspaceId, workspaceId))
    .orderBy(asc(tables.agents.id));
}

export async function getAgent(db: Db, workspaceId: string, agentId: string): Promise<AgentRow> {
  const [row] = await db
    .select()
    .from(tables.agents)
    .where(and(eq(tables.agents.workspaceId, workspaceId), eq(tables.agents.id, agentId)));
  if (!row) throw new MigratrixError("not_found", `agent ${agentId} not found`);
  return row;
}
