// Every RPC of the control API → the action it needs (policy.ts) and where to find the
// environment it is about. An RPC without a rule is refused (fail closed), and the golden test
// fails for it: a new RPC adds its line here and its rows in golden.tsv.
import { and, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { requireUuid } from "../ids.ts";
import type { Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { transferEnvironment } from "../transfers/index.ts";
import type { Action } from "./policy.ts";

/** A request message as the interceptor sees it: a plain object of fields. */
export type RequestFields = Readonly<Record<string, unknown>>;

export interface Lookup {
  db: Db;
  workspaceId: string;
}

export interface Rule {
  action: Action;
  /** The environment name the call is about (environment-scoped actions). */
  environment?: (req: RequestFields, lookup: Lookup) => string | Promise<string>;
  /** Used instead of `action` when the request names no environment ("list across all"). */
  withoutEnvironment?: Action;
}

/** Login and invite redemption: the caller has no token yet. */
export const PUBLIC = "public" as const;

function field(name: string): (req: RequestFields) => string {
  return (req) => {
    const v = req[name];
    return typeof v === "string" ? v : "";
  };
}

/** "<environment>/<connection>" → environment. */
const connectionEnv = (req: RequestFields) => field("connection")(req).split("/")[0] ?? "";

async function runEnv(req: RequestFields, { db, workspaceId }: Lookup): Promise<string> {
  const runId = field("runId")(req);
  requireUuid("run", runId);
  const [row] = await db
    .select({ name: tables.environments.name })
    .from(tables.runs)
    .innerJoin(tables.environments, eq(tables.environments.id, tables.runs.environmentId))
    .where(and(eq(tables.runs.id, runId), eq(tables.runs.workspaceId, workspaceId)));
  if (!row) throw new MigratrixError("not_found", `run ${runId} not found`);
  return row.name;
}

/** "<environment>/<connection>" in another field → environment. */
const connectionEnvOf = (name: string) => (req: RequestFields) => field(name)(req).split("/")[0] ?? "";

const S = "migratrix.control.v1.";

export const RULES: Readonly<Record<string, Rule | typeof PUBLIC>> = {
  [`${S}IdentityService/WhoAmI`]: { action: "workspace.read" },
  [`${S}IdentityService/CreateToken`]: { action: "self.credentials" },
  [`${S}IdentityService/ListTokens`]: { action: "self.credentials" },
  [`${S}IdentityService/RevokeToken`]: { action: "self.credentials" },
  [`${S}IdentityService/Login`]: PUBLIC,
  [`${S}IdentityService/AcceptInvite`]: PUBLIC,
  [`${S}IdentityService/CreateWorkspace`]: { action: "self.credentials" },
  [`${S}IdentityService/ListWorkspaces`]: { action: "self.manage" },
  [`${S}IdentityService/CreateChatLinkCode`]: { action: "self.credentials" },
  [`${S}IdentityService/LinkChatIdentity`]: { action: "chat.link" },
  [`${S}IdentityService/ListChatIdentities`]: { action: "self.manage" },
  [`${S}IdentityService/UnlinkChatIdentity`]: { action: "self.credentials" },

  [`${S}AccessService/Invite`]: { action: "access.manage" },
  [`${S}AccessService/ListMembers`]: { action: "access.read" },
  [`${S}AccessService/Grant`]: { action: "access.manage" },
  [`${S}AccessService/RevokeGrant`]: { action: "access.manage" },
  [`${S}AccessService/ListGrants`]: { action: "access.read" },

  [`${S}EnvironmentService/ListEnvironments`]: { action: "workspace.read" },
  [`${S}EnvironmentService/CreateEnvironment`]: { action: "environment.create" },
  [`${S}ConnectionService/ListAgents`]: { action: "workspace.read" },
  [`${S}ConnectionService/AddConnection`]: { action: "connection.add", environment: field("environment") },
  [`${S}ConnectionService/ListConnections`]: {
    action: "connection.read",
    environment: field("environment"),
    withoutEnvironment: "workspace.read",
  },

  [`${S}MigrationService/CreateMigration`]: { action: "migration.create" },
  [`${S}MigrationService/GetMigration`]: { action: "workspace.read" },
  [`${S}MigrationService/ListMigrations`]: { action: "workspace.read" },
  [`${S}MigrationService/RunMigration`]: { action: "migration.run", environment: field("environment") },
  [`${S}MigrationService/GetRun`]: { action: "run.read", environment: runEnv },
  [`${S}MigrationService/WatchRun`]: { action: "run.read", environment: runEnv },
  [`${S}MigrationService/ListHistory`]: { action: "run.read", environment: field("environment") },
  [`${S}MigrationService/ResolveRun`]: { action: "migration.run", environment: runEnv },
  [`${S}SchemaService/Introspect`]: { action: "schema.read", environment: connectionEnv },

  // A drift report shows the live schema: the same rule as reading it.
  [`${S}DriftService/CheckDrift`]: { action: "schema.read", environment: field("environment") },
  [`${S}DriftService/ListDrift`]: { action: "schema.read", environment: field("environment") },
  [`${S}DriftService/SetDriftSchedule`]: { action: "schedule.manage", environment: field("environment") },

  // Syncing and opening a PR create migrations: the same people as CreateMigration.
  [`${S}GitOpsService/LinkRepository`]: { action: "gitops.manage" },
  [`${S}GitOpsService/ListRepositories`]: { action: "workspace.read" },
  [`${S}GitOpsService/UnlinkRepository`]: { action: "gitops.manage" },
  [`${S}GitOpsService/SyncRepository`]: { action: "migration.create" },
  [`${S}GitOpsService/OpenPullRequest`]: { action: "migration.create" },
  [`${S}GitOpsService/ListGitOpsEvents`]: { action: "workspace.read" },
  // Storing imported migrations is creating migrations; marking them applied on an environment
  // needs its admins (policy.ts, history.import).
  [`${S}GitOpsService/ImportMigrations`]: {
    action: "history.import",
    environment: field("environment"),
    withoutEnvironment: "migration.create",
  },

  // Explorer: reads for every role (masked); the write check is finer, in the handler.
  [`${S}ExplorerService/Query`]: { action: "explorer.query", environment: connectionEnv },
  [`${S}ExplorerService/AskSql`]: { action: "explorer.query", environment: field("environment") },
  [`${S}ExplorerService/AddMaskPolicy`]: { action: "explorer.manage", environment: field("environment") },
  [`${S}ExplorerService/ListMaskPolicies`]: { action: "explorer.query", environment: field("environment") },
  [`${S}ExplorerService/RemoveMaskPolicy`]: { action: "explorer.manage", environment: field("environment") },
  [`${S}ExplorerService/SetExplorerSettings`]: { action: "explorer.manage", environment: field("environment") },
  [`${S}ExplorerService/ListQueryHistory`]: { action: "explorer.query", environment: field("environment") },
  // Browsing is a read; an edit's write check (roles, protected environments' write grants) is in the handler.
  [`${S}ExplorerService/BrowseTable`]: { action: "explorer.query", environment: connectionEnv },
  [`${S}ExplorerService/EditRow`]: { action: "explorer.query", environment: connectionEnv },
  [`${S}ExplorerService/SetWriteGrant`]: { action: "explorer.manage", environment: field("environment") },
  [`${S}ExplorerService/ListWriteGrants`]: { action: "explorer.query", environment: field("environment") },

  // Backups (issue 5): listed like the schema; purged and their retention set by admins.
  [`${S}BackupService/ListBackups`]: { action: "backup.read", environment: field("environment") },
  [`${S}BackupService/PurgeBackups`]: { action: "backup.purge", environment: field("environment") },
  [`${S}BackupService/SetBackupRetention`]: { action: "schedule.manage", environment: field("environment") },

  [`${S}AuditService/ListAudit`]: { action: "audit.read" },
  [`${S}AuditService/VerifyAudit`]: { action: "audit.read" },
  [`${S}AuditService/ExportAudit`]: { action: "audit.export" },

  [`${S}FlowService/CreateFlow`]: { action: "flow.manage" },
  [`${S}FlowService/GetFlow`]: { action: "flow.read" },
  [`${S}FlowService/ListFlows`]: { action: "flow.read" },
  [`${S}FlowService/Promote`]: { action: "migration.promote", environment: field("stage") },
  [`${S}FlowService/Approve`]: { action: "migration.approve", environment: field("stage") },
  [`${S}FlowService/Reject`]: { action: "migration.approve", environment: field("stage") },
  [`${S}FlowService/Rollback`]: { action: "migration.rollback", environment: field("stage") },

  // Chat notifications: routes are workspace settings; the feed and its position are the bots'.
  [`${S}NotificationService/SetNotificationRoute`]: { action: "notifications.manage" },
  [`${S}NotificationService/ListNotificationRoutes`]: { action: "workspace.read" },
  [`${S}NotificationService/RemoveNotificationRoute`]: { action: "notifications.manage" },
  [`${S}NotificationService/WatchNotifications`]: { action: "notifications.consume" },
  [`${S}NotificationService/AckNotification`]: { action: "notifications.consume" },
  [`${S}NotificationService/FollowTransfer`]: { action: "notifications.consume" },
  [`${S}NotificationService/SetChatMessage`]: { action: "notifications.consume" },
  [`${S}NotificationService/ListChatMessages`]: { action: "notifications.consume" },

  // Data transfer: the rule checks writing into the target ("to"); the handler checks reading the
  // source (transfer.read) and, for a schedule, schedule.manage on the target's environment.
  [`${S}TransferService/StartTransfer`]: { action: "transfer.write", environment: connectionEnvOf("to") },
  [`${S}TransferService/GetTransfer`]: { action: "run.read", environment: transferEnv },
  [`${S}TransferService/WatchTransfer`]: { action: "run.read", environment: transferEnv },
  [`${S}TransferService/ListTransfers`]: {
    action: "run.read",
    environment: field("environment"),
    withoutEnvironment: "workspace.read",
  },
  [`${S}TransferService/RemoveTransferSchedule`]: { action: "schedule.manage", environment: field("environment") },
};

/** A transfer job's id → its target's environment. */
function transferEnv(req: RequestFields, { db, workspaceId }: Lookup): Promise<string> {
  return transferEnvironment(db, workspaceId, field("id")(req));
}

export function ruleFor(method: string): Rule | typeof PUBLIC | undefined {
  return RULES[method];
}

/** The one call a bot may make for a chat account nobody is linked to yet. */
export const UNLINKED_CHAT_ALLOWED = `${S}IdentityService/LinkChatIdentity`;

/**
 * Calls a bot makes as itself (no mx-chat-user header): the notification feed of the bot token's
 * workspace, the progress of transfers it announces and the messages it keeps editing. The caller
 * is then the bot with no role; everything else still needs a chat user.
 */
export const BOT_AS_ITSELF: ReadonlySet<string> = new Set([
  `${S}NotificationService/WatchNotifications`,
  `${S}NotificationService/AckNotification`,
  `${S}NotificationService/FollowTransfer`,
  `${S}NotificationService/SetChatMessage`,
  `${S}NotificationService/ListChatMessages`,
]);
