// ExplorerService: the RPC layer over control/explorer (access rules in rbac/rules.ts; the finer
// write check and every audit record live in the domain functions).

import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import { isEngineId, type SchemaSnapshot } from "../../engines/index.ts";
import type { ExplorerService } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { introspectOn } from "../bus-side/agent-rpc.ts";
import { getConnectionByPath, listConnections } from "../domain/connections.ts";
import { getEnvironment } from "../domain/environments.ts";
import {
  addMaskPolicy,
  aiConfigFromEnv,
  askSql,
  browseTable,
  editRow,
  listMaskPolicies,
  listWriteGrants,
  type MaskPolicyRow,
  queryHistory,
  removeMaskPolicy,
  runQuery,
  setWriteGrant,
  setWritesAllowed,
} from "../explorer/index.ts";
import { roleOn } from "../rbac/index.ts";
import { accessOf, authorizeCall, callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";

const policyMsg = (p: MaskPolicyRow, environment: string) => ({
  id: p.id,
  environment,
  pattern: p.pattern,
  kind: p.kind,
  keepLast: p.keepLast,
  exemptRoles: p.exemptRoles,
  createdBy: p.createdBy,
  createdAt: timestampFromDate(p.createdAt),
});

export function explorerService(deps: ServiceDeps): Partial<ServiceImpl<typeof ExplorerService>> {
  // The caller, its connection and that connection's environment, as every call on a connection needs them.
  const onConnection = async (ctx: HandlerContext, path: string) => {
    const c = callerOf(ctx);
    const conn = await getConnectionByPath(deps.db, c.workspaceId, path);
    const env = accessOf(ctx).environment ?? (await getEnvironment(deps.db, c.workspaceId, conn.environment));
    return {
      // The finer write check, for the calls that may write.
      authorizeWrite: async () => {
        await authorizeCall(deps.db, ctx, "explorer.write", env.name);
      },
      call: {
        db: deps.db,
        bus: deps.bus,
        caller: c,
        role: roleOn(c, env.id),
        connection: conn,
        environment: env,
        correlationId: correlationOf(ctx),
      },
    };
  };
  // The caller and an environment, with what an audited settings change of it needs.
  const onEnvironment = async (ctx: HandlerContext, name: string) => {
    const c = callerOf(ctx);
    const env = await getEnvironment(deps.db, c.workspaceId, name);
    return {
      c,
      env,
      change: { workspaceId: c.workspaceId, environment: env, actor: c.actor, correlationId: correlationOf(ctx) },
    };
  };
  return {
    async *query(req, ctx) {
      const { call, authorizeWrite } = await onConnection(ctx, req.connection);
      yield* runQuery({
        ...call,
        sql: req.sql,
        params: req.params,
        limit: req.limit,
        timeoutMs: req.timeoutMs,
        authorizeWrite,
        ...(deps.explorerHooks ? { hooks: deps.explorerHooks } : {}),
      });
    },

    async browseTable(req, ctx) {
      const { call } = await onConnection(ctx, req.connection);
      const page = await browseTable({
        ...call,
        table: req.table,
        after: req.after,
        limit: req.limit,
        timeoutMs: 0,
      });
      return { columns: page.columns, rows: page.rows, keyColumns: page.keyColumns, nextAfter: page.nextAfter };
    },

    async editRow(req, ctx) {
      const { call, authorizeWrite } = await onConnection(ctx, req.connection);
      const r = await editRow({
        ...call,
        table: req.table,
        op: req.op,
        key: req.key,
        expected: req.expected,
        values: req.values,
        authorizeWrite,
      });
      return { rowsAffected: BigInt(r.rowsAffected), beforeSha256: r.beforeSha256, afterSha256: r.afterSha256 };
    },

    async setWriteGrant(req, ctx) {
      const { change } = await onEnvironment(ctx, req.environment);
      await setWriteGrant(deps.db, {
        ...change,
        email: req.email,
        granted: req.granted,
      });
      return {};
    },

    async listWriteGrants(req, ctx) {
      const { c, env } = await onEnvironment(ctx, req.environment);
      return {
        grants: (await listWriteGrants(deps.db, c.workspaceId, env.id)).map((g) => ({
          email: g.email,
          grantedBy: g.grantedBy,
          grantedAt: timestampFromDate(g.grantedAt),
        })),
      };
    },

    async askSql(req, ctx) {
      const c = callerOf(ctx);
      const correlationId = correlationOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      const conns = await listConnections(deps.db, c.workspaceId, env.name);
      const conn = req.connection ? conns.find((x) => x.name === req.connection) : conns[0];
      if (!conn) {
        throw new MigratrixError(
          "not_found",
          req.connection
            ? `connection ${env.name}/${req.connection} not found`
            : `environment ${env.name} has no connection to take the schema from`,
        );
      }
      if (!isEngineId(conn.engine)) throw new MigratrixError("failed_precondition", `connection has unknown engine`);
      const path = `${conn.environment}/${conn.name}`;
      const config = aiConfigFromEnv();
      if (!config.apiKey) {
        throw new MigratrixError(
          "failed_precondition",
          "AI SQL is not configured: set ANTHROPIC_API_KEY in the control plane's environment",
        );
      }
      const json = await introspectOn(deps.bus, {
        workspaceId: c.workspaceId,
        agentId: conn.agentId,
        timeoutMs: deps.agentRequestTimeoutMs,
        correlationId,
        connection: path,
        // Comments come with the full introspection; only read when the user opted in to send them.
        ...(req.includeComments ? { objects: true } : {}),
      });
      const snapshot = JSON.parse(json) as SchemaSnapshot;
      const result = await askSql({
        config,
        engine: conn.engine,
        snapshot,
        question: req.question,
        includeComments: req.includeComments,
      });
      await deps.db.transaction((tx) =>
        appendAudit(tx, {
          workspaceId: c.workspaceId,
          actor: c.actor,
          action: "explorer.ask",
          environment: env.name,
          target: path,
          correlationId,
          detail: {
            model: result.model,
            kind: result.kind,
            risk: result.report.level,
            executed: false,
            ...(req.includeComments ? { commentsSent: true } : {}),
          },
          sql: result.sql,
        }),
      );
      return {
        sql: result.sql,
        explanation: result.explanation,
        engine: conn.engine,
        riskJson: JSON.stringify(result.report),
        riskLevel: result.report.level.toLowerCase(),
        model: result.model,
      };
    },

    async addMaskPolicy(req, ctx) {
      const { env, change } = await onEnvironment(ctx, req.environment);
      const row = await addMaskPolicy(deps.db, {
        ...change,
        pattern: req.pattern,
        kind: req.kind,
        keepLast: req.keepLast,
        exemptRoles: req.exemptRoles,
      });
      return { policy: policyMsg(row, env.name) };
    },

    async listMaskPolicies(req, ctx) {
      const { c, env } = await onEnvironment(ctx, req.environment);
      return { policies: (await listMaskPolicies(deps.db, c.workspaceId, env.id)).map((p) => policyMsg(p, env.name)) };
    },

    async removeMaskPolicy(req, ctx) {
      const { change } = await onEnvironment(ctx, req.environment);
      await removeMaskPolicy(deps.db, {
        ...change,
        id: req.id,
      });
      return {};
    },

    async listQueryHistory(req, ctx) {
      const { c, env } = await onEnvironment(ctx, req.environment);
      // Everyone's history is for the environment's admins; anyone else sees their own.
      if (req.allUsers) await authorizeCall(deps.db, ctx, "explorer.manage", env.name);
      const entries = await queryHistory(deps.db, {
        workspaceId: c.workspaceId,
        environment: env.name,
        ...(req.allUsers ? {} : { actor: c.actor }),
        limit: req.limit,
      });
      return {
        entries: entries.map((e) => ({
          at: timestampFromDate(e.at),
          actor: e.actor,
          connection: e.connection,
          sqlSha256: e.sqlSha256,
          kind: e.kind,
          rows: BigInt(e.rows),
          durationMs: e.durationMs,
          refused: e.refused,
          code: e.code,
        })),
      };
    },

    async setExplorerSettings(req, ctx) {
      const { change } = await onEnvironment(ctx, req.environment);
      await setWritesAllowed(deps.db, {
        ...change,
        allowed: req.writesAllowed,
      });
      return { writesAllowed: req.writesAllowed };
    },
  };
}
