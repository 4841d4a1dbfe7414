import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import type {
  AddConnectionRequest,
  ConnectionService,
  EnvironmentService,
} from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { storeSecretOn } from "../bus-side/agent-rpc.ts";
import { getAgent, listAgents } from "../domain/agents.ts";
import { type ConnectionView, insertConnection, listConnections } from "../domain/connections.ts";
import { engineFromProto } from "../domain/engines.ts";
import {
  checkName,
  createEnvironment,
  type EnvironmentRow,
  getEnvironment,
  listEnvironments,
} from "../domain/environments.ts";
import { readCredentialIds, registerReadCredential } from "../explorer/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import { agentMsg, connectionMsg, environmentMsg } from "./convert.ts";
import type { ServiceDeps } from "./deps.ts";

export function environmentService(deps: ServiceDeps): Partial<ServiceImpl<typeof EnvironmentService>> {
  return {
    async listEnvironments(_req, ctx) {
      const c = callerOf(ctx);
      return { environments: (await listEnvironments(deps.db, c.workspaceId)).map(environmentMsg) };
    },
    async createEnvironment(req, ctx) {
      const c = callerOf(ctx);
      const env = await deps.db.transaction((tx) =>
        createEnvironment(tx, {
          workspaceId: c.workspaceId,
          name: req.name,
          position: req.position,
          requiredApprovals: req.requiredApprovals,
          protected: req.protected,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return { environment: environmentMsg(env) };
    },
  };
}

export function connectionService(deps: ServiceDeps): Partial<ServiceImpl<typeof ConnectionService>> {
  return {
    async listAgents(_req, ctx) {
      const c = callerOf(ctx);
      const now = Date.now();
      return { agents: (await listAgents(deps.db, c.workspaceId)).map((a) => agentMsg(a, deps.agentOnlineMs, now)) };
    },
    async listConnections(req, ctx) {
      const c = callerOf(ctx);
      if (req.environment) await getEnvironment(deps.db, c.workspaceId, req.environment);
      const withReadCredential = await readCredentialIds(deps.db, c.workspaceId);
      return {
        connections: (await listConnections(deps.db, c.workspaceId, req.environment || undefined)).map((x) => ({
          ...connectionMsg(x),
          readCredential: withReadCredential.has(x.id),
        })),
      };
    },
    async addConnection(req, ctx) {
      const c = callerOf(ctx);
      const correlationId = correlationOf(ctx);
      checkName("connection", req.name);
      const engine = engineFromProto(req.engine, `connection ${req.environment}/${req.name}`);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      const agent = await getAgent(deps.db, c.workspaceId, req.agentId);
      const sealed = req.sealedUrl;
      if (!sealed || sealed.ciphertext.length === 0) {
        throw new MigratrixError("invalid_argument", `connection ${env.name}/${req.name}: sealed_url is empty`);
      }
      const existing = await listConnections(deps.db, c.workspaceId, env.name);
      if (req.readOnly) return addReadCredential(deps, ctx, { req, env, existing, engine });
      if (existing.some((x) => x.name === req.name)) {
        throw new MigratrixError("already_exists", `connection ${env.name}/${req.name} already exists`);
      }
      // The sealed box is relayed as is: only the agent holds the key to open it.
      const serverVersion = await storeSecretOn(deps.bus, {
        workspaceId: c.workspaceId,
        agentId: agent.id,
        timeoutMs: deps.agentRequestTimeoutMs,
        correlationId,
        value: { connection: { name: req.name, environment: env.name, engine: req.engine }, sealedUrl: sealed },
      });
      const conn = await deps.db.transaction((tx) =>
        insertConnection(tx, {
          workspaceId: c.workspaceId,
          environmentId: env.id,
          environment: env.name,
          name: req.name,
          engine,
          agentId: agent.id,
          actor: c.actor,
          correlationId,
          serverVersion,
        }),
      );
      return { connection: connectionMsg(conn), serverVersion };
    },
  };
}

/**
 * AddConnection with read_only: the sealed URL becomes the read-only credential of the existing
 * connection (explorer reads on protected environments use it). Its agent checks the role cannot
 * write before keeping it; the control plane records only that one exists.
 */
async function addReadCredential(
  deps: ServiceDeps,
  ctx: HandlerContext,
  p: { req: AddConnectionRequest; env: EnvironmentRow; existing: ConnectionView[]; engine: string },
) {
  const c = callerOf(ctx);
  const correlationId = correlationOf(ctx);
  const path = `${p.env.name}/${p.req.name}`;
  const conn = p.existing.find((x) => x.name === p.req.name);
  if (!conn) {
    throw new MigratrixError(
      "not_found",
      `connection ${path} not found: add the connection first, then its read-only credential`,
    );
  }
  if (conn.engine !== p.engine) {
    throw new MigratrixError("invalid_argument", `connection ${path} is ${conn.engine}, the credential is ${p.engine}`);
  }
  if (p.req.agentId !== conn.agentId) {
    throw new MigratrixError(
      "invalid_argument",
      `connection ${path} is served by agent ${conn.agentId}: seal its read-only credential to that agent`,
    );
  }
  const serverVersion = await storeSecretOn(deps.bus, {
    workspaceId: c.workspaceId,
    agentId: conn.agentId,
    timeoutMs: deps.agentRequestTimeoutMs,
    correlationId,
    value: {
      connection: { name: conn.name, environment: p.env.name, engine: p.req.engine },
      sealedUrl: p.req.sealedUrl,
      readOnly: true,
    },
  });
  await deps.db.transaction((tx) =>
    registerReadCredential(tx, {
      workspaceId: c.workspaceId,
      connection: conn,
      actor: c.actor,
      correlationId,
      serverVersion,
    }),
  );
  return { connection: { ...connectionMsg(conn), readCredential: true }, serverVersion };
}
