// Connect clients of the control API acting as one chat user: the bot token authenticates the bot,
// the mx-chat-user header names who acted, and the control plane resolves and checks the link on
// every call. A transport per call keeps no per-user state in the bot.
import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ConnectionService } from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { ExplorerService } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { FlowService } from "../../proto/gen/migratrix/control/v1/flow_pb.ts";
import { GitOpsService } from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import { IdentityService } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { MigrationService, SchemaService } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { NotificationService } from "../../proto/gen/migratrix/control/v1/notification_pb.ts";

export type ChatPlatform = "slack" | "discord";

/** Who acted in chat: Slack team + user, or Discord guild + user. */
export interface ChatUser {
  platform: ChatPlatform;
  /** Slack team id or Discord guild id. */
  tenant: string;
  user: string;
  /** How the chat shows the user (for link records), e.g. "@ana". */
  displayName?: string;
}

export interface ApiConfig {
  /** The control plane's base URL, e.g. http://127.0.0.1:4000. */
  baseUrl: string;
  /** A bot token (`mx token create NAME --kind bot`). */
  token: string;
  /** Flow used when a command names none and more than one flow has the environment. */
  defaultFlow?: string;
  /** Overrides fetch (tests reaching an in-process app). */
  fetch?: typeof globalThis.fetch;
}

export interface ApiClients {
  flows: Client<typeof FlowService>;
  migrations: Client<typeof MigrationService>;
  identity: Client<typeof IdentityService>;
  connections: Client<typeof ConnectionService>;
  schema: Client<typeof SchemaService>;
  explorer: Client<typeof ExplorerService>;
  gitops: Client<typeof GitOpsService>;
}

export function chatUserHeader(u: ChatUser): string {
  return `${u.platform}:${u.tenant}:${u.user}`;
}

function transportOf(cfg: ApiConfig, actor?: ChatUser) {
  const auth: Interceptor = (next) => (req) => {
    req.header.set("authorization", `Bearer ${cfg.token}`);
    if (actor) req.header.set("mx-chat-user", chatUserHeader(actor));
    return next(req);
  };
  return createConnectTransport({
    baseUrl: cfg.baseUrl,
    interceptors: [auth],
    ...(cfg.fetch === undefined ? {} : { fetch: cfg.fetch }),
  });
}

/** Fresh clients for one chat action. */
export function clientsAs(cfg: ApiConfig, actor: ChatUser): ApiClients {
  const transport = transportOf(cfg, actor);
  return {
    flows: createClient(FlowService, transport),
    migrations: createClient(MigrationService, transport),
    identity: createClient(IdentityService, transport),
    connections: createClient(ConnectionService, transport),
    schema: createClient(SchemaService, transport),
    explorer: createClient(ExplorerService, transport),
    gitops: createClient(GitOpsService, transport),
  };
}

/**
 * The bot as itself (no chat user): only the notification feed of its token's workspace answers
 * such calls; every other call needs the chat user who acted.
 */
export function botNotifications(cfg: ApiConfig): Client<typeof NotificationService> {
  return createClient(NotificationService, transportOf(cfg));
}

const PLAIN: Partial<Record<Code, string>> = {
  [Code.PermissionDenied]: "Not allowed",
  [Code.Unauthenticated]: "Not linked",
  [Code.FailedPrecondition]: "Not possible right now",
  [Code.NotFound]: "Not found",
  [Code.AlreadyExists]: "Already done",
  [Code.InvalidArgument]: "Invalid request",
  [Code.Unavailable]: "Migratrix is unreachable",
  [Code.DeadlineExceeded]: "Migratrix took too long to answer",
};

/** An API failure in plain words: a short heading and the server's own message (which says why). */
export function plainError(err: unknown): { heading: string; message: string; code: string } {
  const e = ConnectError.from(err);
  const heading = PLAIN[e.code] ?? "Something went wrong";
  // The server's messages already say what and where (and which role is needed); transport
  // failures carry a URL at most, never the token.
  const message = e.code === Code.Unavailable ? "the control plane did not answer; try again shortly" : e.rawMessage;
  return { heading, message, code: Code[e.code] ?? String(e.code) };
}
