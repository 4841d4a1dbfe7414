// ExplorerService: the RPC layer over control/explorer (access rules in rbac/rules.ts; the finer
// write check and every audit record live in the domain functions).

import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import { isEngineId, type SchemaSnapshot } from "../../engines/index.ts";
import type { ExplorerService } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { callAgent } from "../bus-side/agent-rpc.ts";
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
  return {
    async *query(req, ctx) {
      const c = callerOf(ctx);
      const conn = await getConnectionByPath(deps.db, c.workspaceId, req.connection);
      const env = accessOf(ctx).environment ?? (await getEnvironment(deps.db, c.workspaceId, conn.environment));
      yield* runQuery({
        db: deps.db,
        bus: deps.bus,
        caller: c,
        role: roleOn(c, env.id),
        connection: conn,
        environment: env,
        sql: req.sql,
        params: req.params,
        limit: req.limit,
        timeoutMs: req.timeoutMs,
        correlationId: correlationOf(ctx),
        authorizeWrite: async () => {
          await authorizeCall(deps.db, ctx, "explorer.write", env.name);
        },
        ...(deps.explorerHooks ? { hooks: deps.explorerHooks } : {}),
      });
    },

    async browseTable(req, ctx) {
      const c = callerOf(ctx);
      const conn = await getConnectionByPath(deps.db, c.workspaceId, req.connection);
      const env = accessOf(ctx).environment ?? (await getEnvironment(deps.db, c.workspaceId, conn.environment));
      const page = await browseTable({
        db: deps.db,
        bus: deps.bus,
        caller: c,
        role: roleOn(c, env.id),
        connection: conn,
        environment: env,
        table: req.table,
        after: req.after,
        limit: req.limit,
        timeoutMs: 0,
        correlationId: correlationOf(ctx),
      });
      return { columns: page.columns, rows: page.rows, keyColumns: page.keyColumns, nextAfter: page.nextAfter };
    },

    async editRow(req, ctx) {
      const c = callerOf(ctx);
      const conn = await getConnectionByPath(deps.db, c.workspaceId, req.connection);
      const env = accessOf(ctx).environment ?? (await getEnvironment(deps.db, c.workspaceId, conn.environment));
      const r = await editRow({
        db: deps.db,
        bus: deps.bus,
        caller: c,
        role: roleOn(c, env.id),
        connection: conn,
        environment: env,
        table: req.table,
        op: req.op,
        key: req.key,
        expected: req.expected,
        values: req.values,
        correlationId: correlationOf(ctx),
        authorizeWrite: async () => {
          await authorizeCall(deps.db, ctx, "explorer.write", env.name);
        },
      });
      return { rowsAffected: BigInt(r.rowsAffected), beforeSha256: r.beforeSha256, afterSha256: r.afterSha256 };
    },

    async setWriteGrant(req, ctx) {
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      await setWriteGrant(deps.db, {
        workspaceId: c.workspaceId,
        environment: env,
        email: req.email,
        granted: req.granted,
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      return {};
    },

    async listWriteGrants(req, ctx) {
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
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
      const replies = await callAgent(deps.bus, {
        workspaceId: c.workspaceId,
        agentId: conn.agentId,
        timeoutMs: deps.agentRequestTimeoutMs,
        request: {
          correlationId,
          workspaceId: c.workspaceId,
          kind: { case: "introspect", value: { connection: path } },
        },
      });
      const json = replies.map((r) => (r.kind.case === "introspect" ? r.kind.value.snapshotJson : "")).join("");
      const snapshot = JSON.parse(json) as SchemaSnapshot;
      const result = await askSql({ config, engine: conn.engine, snapshot, question: req.question });
      await deps.db.transaction((tx) =>
        appendAudit(tx, {
          workspaceId: c.workspaceId,
          actor: c.actor,
          action: "explorer.ask",
          environment: env.name,
          target: path,
          correlationId,
          detail: { model: result.model, kind: result.kind, risk: result.report.level, executed: false },
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
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      const row = await addMaskPolicy(deps.db, {
        workspaceId: c.workspaceId,
        environment: env,
        pattern: req.pattern,
        kind: req.kind,
        keepLast: req.keepLast,
        exemptRoles: req.exemptRoles,
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      return { policy: policyMsg(row, env.name) };
    },

    async listMaskPolicies(req, ctx) {
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      return { policies: (await listMaskPolicies(deps.db, c.workspaceId, env.id)).map((p) => policyMsg(p, env.name)) };
    },

    async removeMaskPolicy(req, ctx) {
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      await removeMaskPolicy(deps.db, {
        workspaceId: c.workspaceId,
        environment: env,
        id: req.id,
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      return {};
    },

    async listQueryHistory(req, ctx) {
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
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
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      await setWritesAllowed(deps.db, {
        workspaceId: c.workspaceId,
        environment: env,
        allowed: req.writesAllowed,
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      return { writesAllowed: req.writesAllowed };
    },
  };
}
