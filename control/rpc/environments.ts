import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import type { ConnectionService, EnvironmentService } from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { callAgent } from "../bus-side/agent-rpc.ts";
import { getAgent, listAgents } from "../domain/agents.ts";
import { insertConnection, listConnections } from "../domain/connections.ts";
import { engineFromProto } from "../domain/engines.ts";
import { checkName, createEnvironment, getEnvironment, listEnvironments } from "../domain/environments.ts";
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
      return {
        connections: (await listConnections(deps.db, c.workspaceId, req.environment || undefined)).map(connectionMsg),
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
      if (existing.some((x) => x.name === req.name)) {
        throw new MigratrixError("already_exists", `connection ${env.name}/${req.name} already exists`);
      }
      // The sealed box is relayed as is: only the agent holds the key to open it.
      const replies = await callAgent(deps.bus, {
        workspaceId: c.workspaceId,
        agentId: agent.id,
        timeoutMs: deps.agentRequestTimeoutMs,
        request: {
          correlationId,
          workspaceId: c.workspaceId,
          kind: {
            case: "storeSecret",
            value: { connection: { name: req.name, environment: env.name, engine: req.engine }, sealedUrl: sealed },
          },
        },
      });
      const confirmed = replies.find((r) => r.kind.case === "storeSecret")?.kind;
      if (confirmed?.case !== "storeSecret") {
        throw new MigratrixError("internal", `agent ${agent.id} answered store_secret without a confirmation`);
      }
      const serverVersion = confirmed.value.serverVersion;
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
