// All Connect services behind one fetch handler, dispatched by request path.
import { createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { AccessService } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { BackupService } from "../../proto/gen/migratrix/control/v1/backup_pb.ts";
import { DriftService } from "../../proto/gen/migratrix/control/v1/drift_pb.ts";
import { ConnectionService, EnvironmentService } from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { ExplorerService } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { FlowService } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { GitOpsService } from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { IdentityService } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { AuditService, MigrationService, SchemaService } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { NotificationService } from "../../proto/gen/migratrix/control/v1/notification_pb.ts";
import { TransferService } from "../../proto/gen/migratrix/control/v1/transfer_pb.ts";
import type { GitOpsRuntime } from "../gitops/index.ts";
import type { ControlMetrics } from "../metrics.ts";
import { accessService } from "./access.ts";
import { auditService } from "./audit.ts";
import { backupService } from "./backups.ts";
import { authInterceptor, observeInterceptor } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";
import { driftService } from "./drift.ts";
import { connectionService, environmentService } from "./environments.ts";
import { explorerService } from "./explorer.ts";
import { flowService } from "./flows.ts";
import { gitopsService } from "./gitops.ts";
import { identityService } from "./identity.ts";
import { migrationService } from "./migrations.ts";
import { notificationService } from "./notifications.ts";
import { schemaService } from "./schema-audit.ts";
import { transferService } from "./transfers.ts";

export type FetchHandler = (req: Request) => Promise<Response>;

/** Returns the handler for Connect paths, or null for any other path. */
export function createRpcHandler(
  deps: ServiceDeps & { metrics: ControlMetrics; shutdownSignal?: AbortSignal; gitops: GitOpsRuntime },
): (req: Request) => Promise<Response> | null {
  const router = createConnectRouter({
    // The first interceptor is the outermost: it sees auth failures and maps every error.
    interceptors: [observeInterceptor(deps), authInterceptor(deps)],
    shutdownSignal: deps.shutdownSignal,
  });
  router
    .service(IdentityService, identityService(deps))
    .service(EnvironmentService, environmentService(deps))
    .service(ConnectionService, connectionService(deps))
    .service(MigrationService, migrationService(deps))
    .service(SchemaService, schemaService(deps))
    .service(AuditService, auditService(deps))
    .service(FlowService, flowService(deps))
    .service(AccessService, accessService(deps))
    .service(ExplorerService, explorerService(deps))
    .service(GitOpsService, gitopsService(deps))
    .service(DriftService, driftService(deps))
    .service(BackupService, backupService(deps))
    .service(NotificationService, notificationService(deps))
    .service(TransferService, transferService(deps));
  const byPath = new Map<string, FetchHandler>(router.handlers.map((h) => [h.requestPath, createFetchHandler(h)]));
  return (req) => byPath.get(new URL(req.url).pathname)?.(req) ?? null;
}
