// The Connect clients mx uses (where it talks to and who it is: server.ts). Loaded only when a
// command calls the server: Connect and the generated services take tens of milliseconds to import.
import { type Client, createClient, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { AccessService } from "../proto/gen/migratrix/control/v1/access_pb.ts";
import { BackupService } from "../proto/gen/migratrix/control/v1/backup_pb.ts";
import { DriftService } from "../proto/gen/migratrix/control/v1/drift_pb.ts";
import { ConnectionService, EnvironmentService } from "../proto/gen/migratrix/control/v1/environment_pb.ts";
import { ExplorerService } from "../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { FlowService } from "../proto/gen/migratrix/control/v1/flow_pb.ts";
import { GitOpsService } from "../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { IdentityService } from "../proto/gen/migratrix/control/v1/identity_pb.ts";
import { AuditService, MigrationService, SchemaService } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import { NotificationService } from "../proto/gen/migratrix/control/v1/notification_pb.ts";
import { TransferService } from "../proto/gen/migratrix/control/v1/transfer_pb.ts";

export interface Clients {
  environments: Client<typeof EnvironmentService>;
  connections: Client<typeof ConnectionService>;
  migrations: Client<typeof MigrationService>;
  schema: Client<typeof SchemaService>;
  audit: Client<typeof AuditService>;
  identity: Client<typeof IdentityService>;
  access: Client<typeof AccessService>;
  flows: Client<typeof FlowService>;
  gitops: Client<typeof GitOpsService>;
  drift: Client<typeof DriftService>;
  backups: Client<typeof BackupService>;
  notifications: Client<typeof NotificationService>;
  explorer: Client<typeof ExplorerService>;
  transfers: Client<typeof TransferService>;
}

function bearer(token: string): Interceptor {
  return (next) => async (req) => {
    req.header.set("Authorization", `Bearer ${token}`);
    return await next(req);
  };
}

export function createTransport(opts: { server: string; token: string }): Transport {
  // Binary keeps int64 and bytes exact and is what the control plane speaks fastest.
  return createConnectTransport({ baseUrl: opts.server, useBinaryFormat: true, interceptors: [bearer(opts.token)] });
}

export function createClients(transport: Transport): Clients {
  return {
    environments: createClient(EnvironmentService, transport),
    connections: createClient(ConnectionService, transport),
    migrations: createClient(MigrationService, transport),
    schema: createClient(SchemaService, transport),
    audit: createClient(AuditService, transport),
    identity: createClient(IdentityService, transport),
    access: createClient(AccessService, transport),
    flows: createClient(FlowService, transport),
    gitops: createClient(GitOpsService, transport),
    drift: createClient(DriftService, transport),
    backups: createClient(BackupService, transport),
    notifications: createClient(NotificationService, transport),
    explorer: createClient(ExplorerService, transport),
    transfers: createClient(TransferService, transport),
  };
}
