// The control store's one schema, shared by real Postgres and PGlite. Every row outside the
// identity tables is scoped by workspace_id (DESIGN.md "Identity and tenancy").
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import type { RiskReport } from "../../engines/risk/model.ts";

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const createdAt = () => ts("created_at").notNull().defaultNow();

/** Roles granted per environment (issue 3); "editor" is the seed's "Developer". */
export const ROLES = ["admin", "approver", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];
/** Workspace-wide: admins manage people and grants and act as admin on every environment. */
export const WORKSPACE_ROLES = ["admin", "member"] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];
export const WORKSPACE_KINDS = ["personal", "organisation"] as const;
export type WorkspaceKind = (typeof WORKSPACE_KINDS)[number];
export const TOKEN_KINDS = ["user", "agent", "service", "bot"] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];
export const RUN_STATES = ["queued", "pending", "in_progress", "completed", "failed", "rejected"] as const;
export type RunStateName = (typeof RUN_STATES)[number];
export const RUN_DIRECTIONS = ["apply", "revert"] as const;
// "undecided": a rollback was asked for without an answer (the runner decides by introspection).
export const IN_DOUBT_ANSWERS = ["not_applied", "took_effect", "undecided"] as const;
export type InDoubtAnswer = (typeof IN_DOUBT_ANSWERS)[number];
export type RunDirection = (typeof RUN_DIRECTIONS)[number];

export const workspaces = pgTable(
  "workspaces",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull().unique(),
    // A personal workspace belongs to one user (created with the account); organisations invite.
    kind: text("kind", { enum: WORKSPACE_KINDS }).notNull().default("organisation"),
    createdAt: createdAt(),
  },
  (t) => [check("workspaces_kind_check", sql`${t.kind} in ('personal', 'organisation')`)],
);

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  email: text("email").notNull().unique(),
  name: text("name").notNull().default(""),
  // Bun.password argon2id (PHC string); null for accounts that only use API tokens.
  passwordHash: text("password_hash"),
  createdAt: createdAt(),
});

// Workspace-wide role; what a member may do on an environment comes from environment_grants.
export const memberships = pgTable(
  "memberships",
  {
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    role: text("role", { enum: WORKSPACE_ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.workspaceId] }),
    check("memberships_role_check", sql`${t.role} in ('admin', 'member')`),
  ],
);

// One role per (member, environment): Editor on DEV and Viewer on PROD are two rows.
export const environmentGrants = pgTable(
  "environment_grants",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    role: text("role", { enum: ROLES }).notNull(),
    grantedBy: text("granted_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.environmentId] }),
    index("environment_grants_workspace_idx").on(t.workspaceId, t.userId),
    check("environment_grants_role_check", sql`${t.role} in ('admin', 'approver', 'editor', 'viewer')`),
  ],
);

// A one-time code that makes its holder a member; only the code's SHA-256 is stored.
export const invites = pgTable(
  "invites",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    email: text("email").notNull(),
    role: text("role", { enum: WORKSPACE_ROLES }).notNull(),
    // Environment grants given on acceptance: [{ environmentId, role }].
    grants: jsonb("grants").$type<{ environmentId: string; role: Role }[]>().notNull(),
    codeHash: text("code_hash").notNull().unique(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
    usedBy: uuid("used_by").references(() => users.id),
  },
  (t) => [check("invites_role_check", sql`${t.role} in ('admin', 'member')`)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    // SHA-256 (hex) of the whole bearer secret; the secret itself is never stored.
    tokenHash: text("token_hash").notNull().unique(),
    kind: text("kind", { enum: TOKEN_KINDS }).notNull(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at"),
    revokedAt: ts("revoked_at"),
    lastUsedAt: ts("last_used_at"),
  },
  (t) => [
    index("api_tokens_workspace_idx").on(t.workspaceId),
    check("api_tokens_kind_check", sql`${t.kind} in ('user', 'agent', 'service', 'bot')`),
  ],
);

export const environments = pgTable(
  "environments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    position: integer("position").notNull(),
    requiredApprovals: integer("required_approvals").notNull().default(0),
    protected: boolean("protected").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [unique("environments_workspace_name_key").on(t.workspaceId, t.name)],
);

export const agents = pgTable(
  "agents",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    // Chosen by the agent; a bus subject token, so [A-Za-z0-9_-]{1,64}.
    id: text("id").notNull(),
    // Raw X25519 public key, base64.
    publicKey: text("public_key").notNull(),
    version: text("version").notNull(),
    lastSeen: ts("last_seen").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// Connection metadata only: the secret lives in the serving agent's vault.
export const connections = pgTable(
  "connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    name: text("name").notNull(),
    engine: text("engine").notNull(),
    agentId: text("agent_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique("connections_environment_name_key").on(t.environmentId, t.name),
    foreignKey({ columns: [t.workspaceId, t.agentId], foreignColumns: [agents.workspaceId, agents.id] }),
  ],
);

export const migrations = pgTable(
  "migrations",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    id: text("id").notNull(),
    name: text("name").notNull(),
    upSql: text("up_sql").notNull(),
    downSql: text("down_sql").notNull().default(""),
    checksum: text("checksum").notNull(),
    statements: integer("statements").notNull(),
    // File lines where the up and down sections start, so the agent reports file positions.
    upFirstLine: integer("up_first_line").notNull().default(1),
    downFirstLine: integer("down_first_line"),
    // "-- migratrix:no-transaction": every statement runs as its own segment.
    noTransaction: boolean("no_transaction").notNull().default(false),
    engine: text("engine").notNull(),
    // Risk of the up and down sections, assessed once at create: "None", "Low"… "Critical", or
    // "unknown" where the engine has no risk rules (the report then says why).
    riskLevel: text("risk_level").notNull().default("unknown"),
    riskReport: jsonb("risk_report").$type<MigrationRiskJson>(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.id] })],
);

// One row per (migration, target, direction). A retry after Failed/Rejected is a new attempt of
// the same row (attempt + 1), so the run id stays the idempotency key across attempts and the
// per-attempt facts live in run_events and the audit chain.
export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    migrationId: text("migration_id").notNull(),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connections.id),
    direction: text("direction", { enum: RUN_DIRECTIONS }).notNull(),
    state: text("state", { enum: RUN_STATES }).notNull(),
    attempt: integer("attempt").notNull().default(1),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: ts("lease_expires_at"),
    fencingToken: bigint("fencing_token", { mode: "number" }).notNull().default(0),
    statementsTotal: integer("statements_total").notNull().default(0),
    statementsDone: integer("statements_done").notNull().default(0),
    failedStatement: integer("failed_statement").notNull().default(0),
    error: jsonb("error").$type<RunErrorJson>(),
    // The operator's answer (mx migration resolve) for a statement a run that died left in doubt,
    // carried in this run's job: it did not take effect, or it did, or (a rollback asked for without
    // an answer) undecided (issue 3, migration 0015).
    inDoubtAnswer: text("in_doubt_answer", { enum: IN_DOUBT_ANSWERS }),
    correlationId: text("correlation_id").notNull(),
    requestedBy: text("requested_by").notNull(),
    // Last control-assigned event seq; strictly increasing across attempts.
    eventSeq: bigint("event_seq", { mode: "number" }).notNull().default(0),
    // Rollback policy (issue 5), carried in the run's job: the approved generated down script's
    // checksum the agent must regenerate (null: none to compare), and the stage's backup policy.
    expectedDownChecksum: text("expected_down_checksum"),
    allowWithoutBackup: boolean("allow_without_backup").notNull().default(false),
    maxBackupRows: integer("max_backup_rows").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    unique("runs_target_key").on(t.workspaceId, t.migrationId, t.connectionId, t.direction),
    foreignKey({ columns: [t.workspaceId, t.migrationId], foreignColumns: [migrations.workspaceId, migrations.id] }),
    index("runs_lease_idx").on(t.state, t.leaseExpiresAt),
    check(
      "runs_state_check",
      sql`${t.state} in ('queued', 'pending', 'in_progress', 'completed', 'failed', 'rejected')`,
    ),
    check("runs_direction_check", sql`${t.direction} in ('apply', 'revert')`),
  ],
);

/** The stored risk of a migration: engines/risk reports of its sections, or why there are none. */
export interface MigrationRiskJson {
  level: string;
  up?: RiskReport;
  down?: RiskReport;
  /** Why the level is "unknown". */
  reason?: string;
}

export interface RunErrorJson {
  code: string;
  nativeCode?: string;
  message: string;
  line?: number;
  column?: number;
  /** A Pending run waiting for this migration to finish on its dirty target (runs/waiting.ts). */
  waitingFor?: string;
  /** A Pending run whose target's generated rollback differs from the approved one (issue 5). */
  rollbackChanged?: string;
}

export const runEvents = pgTable(
  "run_events",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id),
    seq: bigint("seq", { mode: "number" }).notNull(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    attempt: integer("attempt").notNull(),
    // The agent's own seq; 0 for events the control plane writes itself (reaper).
    agentSeq: bigint("agent_seq", { mode: "number" }).notNull(),
    kind: text("kind").notNull(),
    // The run's state right after this event, replayed to watchers.
    runState: text("run_state", { enum: RUN_STATES }).notNull(),
    // The JobEvent in protobuf JSON form.
    event: jsonb("event").notNull(),
    receivedAt: ts("received_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.runId, t.seq] }),
    unique("run_events_agent_seq_key").on(t.runId, t.attempt, t.agentSeq),
  ],
);

// Head of each workspace's audit chain: the row appends lock, so appends in one workspace
// serialise and different workspaces never wait for each other.
export const auditHeads = pgTable("audit_heads", {
  workspaceId: uuid("workspace_id")
    .primaryKey()
    .references(() => workspaces.id),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: text("hash").notNull(),
});

export const auditLog = pgTable(
  "audit_log",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    seq: bigint("seq", { mode: "number" }).notNull(),
    at: ts("at").notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    environment: text("environment"),
    target: text("target"),
    correlationId: text("correlation_id").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull(),
    sqlSha256: text("sql_sha256"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.seq] })],
);

// Flows (issue 3): a named, ordered list of stages; each stage is an environment, the connections a
// migration fans out to there, and its execution and approval policy.
export const STAGE_POLICIES = ["auto", "manual"] as const;
export type StagePolicy = (typeof STAGE_POLICIES)[number];
export const VOTES = ["approve", "reject"] as const;
export type Vote = (typeof VOTES)[number];

export const flows = pgTable(
  "flows",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    // Every connection of every stage has this engine: a migration is split once, for one dialect.
    engine: text("engine").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("flows_workspace_name_key").on(t.workspaceId, t.name)],
);

export const flowStages = pgTable(
  "flow_stages",
  {
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id),
    position: integer("position").notNull(),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    policy: text("policy", { enum: STAGE_POLICIES }).notNull(),
    // Never below the environment's required_approvals (a stage may tighten, never loosen).
    requiredApprovals: integer("required_approvals").notNull(),
    // Who may vote: named users (emails) when set, otherwise anyone holding one of these roles.
    approverRoles: jsonb("approver_roles").$type<string[]>().notNull(),
    approverEmails: jsonb("approver_emails").$type<string[]>().notNull(),
    allowSelfApproval: boolean("allow_self_approval").notNull().default(false),
    connectionIds: jsonb("connection_ids").$type<string[]>().notNull(),
    // Approvals a rollback on this stage needs (0: none).
    rollbackApprovals: integer("rollback_approvals").notNull().default(0),
    // Rollback policy (issue 5): a backup that cannot be taken does not stop a run on this stage.
    allowWithoutBackup: boolean("allow_without_backup").notNull().default(false),
    // The largest backup (rows) a statement may take on this stage; 0 = the agent's default.
    maxBackupRows: integer("max_backup_rows").notNull().default(0),
    // Risk policy (issue 4): extra approvals a migration whose risk is High or Critical needs here,
    // and whether a Critical one is refused (always on a protected environment).
    riskApprovals: integer("risk_approvals").notNull().default(0),
    blockCritical: boolean("block_critical").notNull().default(false),
  },
  (t) => [
    primaryKey({ columns: [t.flowId, t.position] }),
    unique("flow_stages_environment_key").on(t.flowId, t.environmentId),
    check("flow_stages_policy_check", sql`${t.policy} in ('auto', 'manual')`),
  ],
);

// The lifecycle of one migration on one stage. The state follows the stage's runs of the current
// operation (apply, or revert during a rollback) and moves only inside a transaction that appends
// its audit record.
export const migrationStages = pgTable(
  "migration_stages",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id),
    migrationId: text("migration_id").notNull(),
    position: integer("position").notNull(),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    state: text("state", { enum: RUN_STATES }).notNull(),
    operation: text("operation", { enum: RUN_DIRECTIONS }).notNull().default("apply"),
    // The checksum the runs of the current operation were started with.
    checksum: text("checksum"),
    // An open rollback request on a stage whose rollbacks need approvals: who asked, and when.
    rollbackRequestedBy: text("rollback_requested_by"),
    rollbackRequestedAt: ts("rollback_requested_at"),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.flowId, t.migrationId, t.position] }),
    foreignKey({ columns: [t.workspaceId, t.migrationId], foreignColumns: [migrations.workspaceId, migrations.id] }),
    index("migration_stages_env_idx").on(t.workspaceId, t.migrationId, t.environmentId),
  ],
);

// One vote per person per (migration, stage), whatever channel it came through. A vote signs the
// migration checksum (which covers the up and the down script); a vote on another checksum is void.
export const approvals = pgTable(
  "approvals",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id),
    migrationId: text("migration_id").notNull(),
    position: integer("position").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    email: text("email").notNull(),
    // "apply": a vote on running the migration; "revert": on the stage's open rollback request.
    operation: text("operation", { enum: RUN_DIRECTIONS }).notNull().default("apply"),
    vote: text("vote", { enum: VOTES }).notNull(),
    comment: text("comment").notNull().default(""),
    checksum: text("checksum").notNull(),
    // The token the vote came through (CLI, a bot's service token …), for the audit trail.
    via: text("via").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.flowId, t.migrationId, t.position, t.operation, t.userId] }),
    check("approvals_vote_check", sql`${t.vote} in ('approve', 'reject')`),
    check("approvals_operation_check", sql`${t.operation} in ('apply', 'revert')`),
  ],
);

export const CHAT_PLATFORMS = ["slack", "discord"] as const;
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];

// One-time codes that link a chat account to the user who asked for the code (mx link). Only the
// code's SHA-256 is kept; a code is used once and expires.
export const chatLinkCodes = pgTable(
  "chat_link_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    codeHash: text("code_hash").notNull().unique(),
    createdAt: createdAt(),
    expiresAt: ts("expires_at").notNull(),
    usedAt: ts("used_at"),
  },
  (t) => [index("chat_link_codes_workspace_idx").on(t.workspaceId)],
);

// A chat account (platform, tenant = Slack team / Discord guild, chat user id) linked to one user
// of the workspace. Bots act for the chat account only through this link (identity/chat.ts).
export const chatIdentities = pgTable(
  "chat_identities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    platform: text("platform", { enum: CHAT_PLATFORMS }).notNull(),
    tenant: text("tenant").notNull(),
    chatUserId: text("chat_user_id").notNull(),
    displayName: text("display_name").notNull().default(""),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    linkedAt: ts("linked_at").notNull().defaultNow(),
  },
  (t) => [
    unique("chat_identities_account_key").on(t.workspaceId, t.platform, t.tenant, t.chatUserId),
    check("chat_identities_platform_check", sql`${t.platform} in ('slack', 'discord')`),
  ],
);

// Explorer (issue 10): column masking policies per environment. `pattern` is "table.column" with
// `*` globs in either part ("*.email", "users.ssn", "public.users.*"); masking runs in the agent.
export const MASK_KINDS = ["full", "partial", "hash", "null"] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export const explorerMaskPolicies = pgTable(
  "explorer_mask_policies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    pattern: text("pattern").notNull(),
    kind: text("kind", { enum: MASK_KINDS }).notNull(),
    // partial: characters kept at the end (the rest become '*').
    keepLast: integer("keep_last").notNull().default(0),
    // Roles that see the column unmasked on this environment (e.g. {admin}).
    exemptRoles: text("exempt_roles").array().notNull().default(sql`'{}'::text[]`),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    unique("explorer_mask_policies_env_pattern_key").on(t.environmentId, t.pattern),
    check("explorer_mask_policies_kind_check", sql`${t.kind} in ('full', 'partial', 'hash', 'null')`),
  ],
);

// Explorer per-environment settings and the workspace's masking key (hash masking is keyed per
// workspace so equal values mask equally across environments, and differently across workspaces).
export const explorerSettings = pgTable(
  "explorer_settings",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    // Writes through the explorer on a protected environment (admins only, always audited).
    writesAllowed: boolean("writes_allowed").notNull().default(false),
    updatedBy: text("updated_by").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.environmentId] })],
);

export const explorerKeys = pgTable("explorer_keys", {
  workspaceId: uuid("workspace_id")
    .primaryKey()
    .references(() => workspaces.id),
  // 32 random bytes, base64: the HMAC key of hash masking.
  maskKey: text("mask_key").notNull(),
  createdAt: createdAt(),
});

// Explorer read-only credentials and write grants (issue 10, migration 0010). A connection with a
// row here has a read-only credential in its agent's vault (a SELECT-only role): explorer reads on
// a protected environment run on it. A write grant lets one member write through the explorer on
// a protected environment (read-only for everyone else).
export const explorerReadCredentials = pgTable("explorer_read_credentials", {
  connectionId: uuid("connection_id")
    .primaryKey()
    .references(() => connections.id),
  workspaceId: uuid("workspace_id")
    .notNull()
    .references(() => workspaces.id),
  registeredBy: text("registered_by").notNull(),
  registeredAt: ts("registered_at").notNull().defaultNow(),
});

export const explorerWriteGrants = pgTable(
  "explorer_write_grants",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    grantedBy: text("granted_by").notNull(),
    grantedAt: ts("granted_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.environmentId, t.userId] })],
);

// GitOps (issue 8): a repository linked to a workspace. Its webhook secret and provider token are
// needed in the clear to verify signatures and call the provider, so they are kept AES-256-GCM
// encrypted under the control plane's MIGRATRIX_SECRET_KEY (control/gitops/secrets.ts).
export const GIT_PROVIDERS = ["github", "gitlab", "git"] as const;
export type GitProviderName = (typeof GIT_PROVIDERS)[number];

export const gitopsLinks = pgTable(
  "gitops_links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    provider: text("provider", { enum: GIT_PROVIDERS }).notNull(),
    cloneUrl: text("clone_url").notNull(),
    repository: text("repository").notNull().default(""),
    branch: text("branch").notNull(),
    directory: text("directory").notNull(),
    engine: text("engine").notNull(),
    autoPromoteFlow: text("auto_promote_flow").notNull().default(""),
    apiBaseUrl: text("api_base_url").notNull().default(""),
    webhookSecretEnc: text("webhook_secret_enc"),
    providerTokenEnc: text("provider_token_enc"),
    lastCommit: text("last_commit").notNull().default(""),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    unique("gitops_links_workspace_name_key").on(t.workspaceId, t.name),
    check("gitops_links_provider_check", sql`${t.provider} in ('github', 'gitlab', 'git')`),
  ],
);

// Webhook deliveries seen (X-GitHub-Delivery / Idempotency-Key): a redelivery is a no-op.
export const gitopsDeliveries = pgTable(
  "gitops_deliveries",
  {
    linkId: uuid("link_id")
      .notNull()
      .references(() => gitopsLinks.id, { onDelete: "cascade" }),
    deliveryId: text("delivery_id").notNull(),
    commit: text("commit").notNull().default(""),
    receivedAt: ts("received_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.deliveryId] })],
);

// The changes view: every sync, refusal, rejected webhook and PR, per link.
export const gitopsEvents = pgTable(
  "gitops_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    linkName: text("link_name").notNull(),
    kind: text("kind").notNull(),
    commit: text("commit").notNull().default(""),
    summary: text("summary").notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull().default({}),
    actor: text("actor").notNull(),
    at: ts("at").notNull().defaultNow(),
  },
  (t) => [index("gitops_events_workspace_idx").on(t.workspaceId, t.id)],
);

// Schedules (control/schedules): one table and one scheduler loop for every kind of scheduled work
// ("drift" per environment now, "transfer" per job later). `target` names what the kind acts on
// (drift: the environment id). last_slot is the cron slot fired last: a slot is claimed by a
// conditional update, so it fires at most once across replicas and restarts.
export const schedules = pgTable(
  "schedules",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    kind: text("kind").notNull(),
    target: text("target").notNull(),
    cron: text("cron").notNull(),
    // Kind-specific parameters (a transfer's options …).
    params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
    lastSlot: ts("last_slot"),
    lastFiredAt: ts("last_fired_at"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [unique("schedules_target_key").on(t.workspaceId, t.kind, t.target)],
);

// Drift detection (control/drift): each connection's expected schema is the snapshot its agent
// took after the last run (apply or revert) that completed there; one row per connection.
export const expectedSchemas = pgTable("expected_schemas", {
  connectionId: uuid("connection_id")
    .primaryKey()
    .references(() => connections.id),
  workspaceId: uuid("workspace_id")
    .notNull()
    .references(() => workspaces.id),
  migrationId: text("migration_id").notNull(),
  runId: uuid("run_id")
    .notNull()
    .references(() => runs.id),
  direction: text("direction", { enum: RUN_DIRECTIONS }).notNull(),
  // engines/schema snapshot JSON (with objects).
  snapshotJson: text("snapshot_json").notNull(),
  capturedAt: ts("captured_at").notNull().defaultNow(),
});

export const DRIFT_STATUSES = ["clean", "drifted", "no_baseline", "error"] as const;
export type DriftStatusName = (typeof DRIFT_STATUSES)[number];

export const driftReports = pgTable(
  "drift_reports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connections.id),
    status: text("status", { enum: DRIFT_STATUSES }).notNull(),
    changes: integer("changes").notNull().default(0),
    diffText: text("diff_text").notNull().default(""),
    diffJson: jsonb("diff_json"),
    message: text("message").notNull().default(""),
    // The expected schema the live one was compared with.
    migrationId: text("migration_id"),
    runId: uuid("run_id"),
    expectedAt: ts("expected_at"),
    trigger: text("trigger").notNull(),
    requestedBy: text("requested_by").notNull(),
    correlationId: text("correlation_id").notNull(),
    checkedAt: ts("checked_at").notNull().defaultNow(),
  },
  (t) => [
    index("drift_reports_connection_idx").on(t.connectionId, t.checkedAt),
    check("drift_reports_status_check", sql`${t.status} in ('clean', 'drifted', 'no_baseline', 'error')`),
  ],
);

// Chat notifications (issue 9, control/notifications): routes from (flow, environment, kind) to a
// Slack or Discord channel, and each platform's delivery position in the workspace's audit chain
// (the notifications are derived from it), so a restarted bot resumes without losing or repeating.
export const NOTIFICATION_KINDS = [
  "approval_needed",
  "run_completed",
  "run_failed",
  "rollback_completed",
  "drift_detected",
  "transfer",
] as const;
export type NotificationKindName = (typeof NOTIFICATION_KINDS)[number];

export const notificationRoutes = pgTable(
  "notification_routes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    name: text("name").notNull(),
    platform: text("platform", { enum: CHAT_PLATFORMS }).notNull(),
    channel: text("channel").notNull(),
    // "" = every flow / environment; an empty kinds list = every kind.
    flow: text("flow").notNull().default(""),
    environment: text("environment").notNull().default(""),
    kinds: text("kinds").array().$type<NotificationKindName[]>().notNull().default(sql`'{}'::text[]`),
    createdBy: text("created_by").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    unique("notification_routes_name_key").on(t.workspaceId, t.name),
    check("notification_routes_platform_check", sql`${t.platform} in ('slack', 'discord')`),
  ],
);

export const notificationCursors = pgTable(
  "notification_cursors",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    platform: text("platform", { enum: CHAT_PLATFORMS }).notNull(),
    // Delivered up to and including (seq, part): seq of the audit record, part among its deliveries.
    seq: bigint("seq", { mode: "number" }).notNull(),
    part: integer("part").notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.platform] })],
);

// Data transfer jobs (issue 7, control/transfers): one row per job between two connections, with
// its own lease and fencing token (like runs: the agent must hold it to copy), the latest progress
// and the verification report. A failed attempt is retried (attempt + 1) after a back-off and
// resumes from the target's checkpoints, whose job id is this row's id.
export const transferJobs = pgTable(
  "transfer_jobs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    sourceConnectionId: uuid("source_connection_id")
      .notNull()
      .references(() => connections.id),
    targetConnectionId: uuid("target_connection_id")
      .notNull()
      .references(() => connections.id),
    // The target's environment, for listing and access checks.
    environmentId: uuid("environment_id")
      .notNull()
      .references(() => environments.id),
    options: jsonb("options").$type<TransferOptionsJson>().notNull(),
    // Columns masked on the way ("table.column" patterns of the source's policies).
    masked: text("masked").array().notNull().default(sql`'{}'::text[]`),
    state: text("state", { enum: RUN_STATES }).notNull(),
    attempt: integer("attempt").notNull().default(1),
    maxAttempts: integer("max_attempts").notNull().default(3),
    retryAt: ts("retry_at"),
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: ts("lease_expires_at"),
    fencingToken: bigint("fencing_token", { mode: "number" }).notNull().default(0),
    // Highest agent event seq applied in the current attempt (replays are dropped).
    agentSeq: bigint("agent_seq", { mode: "number" }).notNull().default(0),
    progress: jsonb("progress").$type<Record<string, unknown>>().notNull().default({}),
    rows: bigint("rows", { mode: "number" }).notNull().default(0),
    bytes: bigint("bytes", { mode: "number" }).notNull().default(0),
    verified: boolean("verified").notNull().default(false),
    report: jsonb("report").$type<Record<string, unknown>>(),
    error: jsonb("error").$type<RunErrorJson>(),
    trigger: text("trigger").notNull(),
    scheduleId: uuid("schedule_id"),
    correlationId: text("correlation_id").notNull(),
    requestedBy: text("requested_by").notNull(),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    startedAt: ts("started_at"),
    finishedAt: ts("finished_at"),
  },
  (t) => [
    index("transfer_jobs_workspace_idx").on(t.workspaceId, t.createdAt),
    index("transfer_jobs_state_idx").on(t.state, t.leaseExpiresAt),
    check(
      "transfer_jobs_state_check",
      sql`${t.state} in ('queued', 'pending', 'in_progress', 'completed', 'failed', 'rejected')`,
    ),
  ],
);

/** What a transfer job was started with (names, never URLs). */
export interface TransferOptionsJson {
  tables: string[];
  batchRows: number;
  create: boolean;
  onConflict: "fail" | "skip" | "upsert" | "truncate";
  confirmTruncate: boolean;
  noKeyOk: boolean;
  acceptLoss: boolean;
  via: "" | "local" | "nats";
}

// Rollback policy (issue 5): the down script Migratrix generates for a migration without -- DOWN,
// per database of each flow stage. Written when the migration enters the flow (from the first
// stage's latest schema snapshot), and again when an agent's pre-flight regenerates a different
// one for its target; approvals of the stage sign these checksums with the migration's.
export const ROLLBACK_ORIGINS = ["created", "preflight"] as const;
export type RollbackOrigin = (typeof ROLLBACK_ORIGINS)[number];

export const rollbackScripts = pgTable(
  "rollback_scripts",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    flowId: uuid("flow_id")
      .notNull()
      .references(() => flows.id),
    migrationId: text("migration_id").notNull(),
    position: integer("position").notNull(),
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => connections.id),
    downSql: text("down_sql").notNull(),
    checksum: text("checksum").notNull(),
    reversibility: text("reversibility").notNull(),
    notes: jsonb("notes").$type<string[]>().notNull(),
    origin: text("origin", { enum: ROLLBACK_ORIGINS }).notNull(),
    // Where the schema it was generated from came from ("dev/app live schema", "agent pre-flight").
    source: text("source").notNull(),
    generatedAt: ts("generated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.flowId, t.migrationId, t.position, t.connectionId] }),
    foreignKey({ columns: [t.workspaceId, t.migrationId], foreignColumns: [migrations.workspaceId, migrations.id] }),
    check("rollback_scripts_origin_check", sql`${t.origin} in ('created', 'preflight')`),
  ],
);

// Chat messages that follow a subject (issue 7: a transfer's message, edited as it progresses): which
// message shows it in which channel, stored for the bot so that a restarted bot edits the same one.
export const chatMessages = pgTable(
  "chat_messages",
  {
    workspaceId: uuid("workspace_id")
      .notNull()
      .references(() => workspaces.id),
    platform: text("platform", { enum: CHAT_PLATFORMS }).notNull(),
    // "transfer:<job id>".
    subject: text("subject").notNull(),
    channel: text("channel").notNull(),
    // Slack message ts, Discord message id.
    messageId: text("message_id").notNull(),
    // The subject is over: its final state is shown, nothing follows it any more.
    done: boolean("done").notNull().default(false),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.platform, t.subject, t.channel] }),
    check("chat_messages_platform_check", sql`${t.platform} in ('slack', 'discord')`),
  ],
);
