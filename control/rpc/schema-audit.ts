import type { ServiceImpl } from "@connectrpc/connect";
import type { SchemaService } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { introspectOn } from "../bus-side/agent-rpc.ts";
import { getConnectionByPath } from "../domain/connections.ts";
import { callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";

export function schemaService(deps: ServiceDeps): Partial<ServiceImpl<typeof SchemaService>> {
  return {
    async introspect(req, ctx) {
      const c = callerOf(ctx);
      const correlationId = correlationOf(ctx);
      const conn = await getConnectionByPath(deps.db, c.workspaceId, req.connection);
      const path = `${conn.environment}/${conn.name}`;
      const snapshot = await introspectOn(deps.bus, {
        workspaceId: c.workspaceId,
        agentId: conn.agentId,
        timeoutMs: deps.agentRequestTimeoutMs,
        correlationId,
        connection: path,
        schemas: req.schemas,
        objects: req.objects,
      });
      await deps.db.transaction((tx) =>
        appendAudit(tx, {
          workspaceId: c.workspaceId,
          actor: c.actor,
          action: "schema.introspect",
          environment: conn.environment,
          target: path,
          correlationId,
          detail: { schemas: req.schemas, objects: req.objects, bytes: snapshot.length },
        }),
      );
      return { snapshotJson: snapshot };
    },
  };
}
