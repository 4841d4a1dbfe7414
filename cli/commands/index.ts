// Every mx command, in the order help lists them. An entry holds only the command words and how to
// load the command: a run imports the one module it needs (a cold `mx risk` never loads protobuf,
// Connect or the other commands); help texts load the modules they describe.
import type { CommandSpec } from "./types.ts";

export interface CommandEntry {
  /** The command words, as the spec has them: resolving a command line needs nothing else. */
  readonly path: readonly string[];
  /** Imports the command's module on first use. */
  load(): Promise<CommandSpec>;
}

function lazy<K extends string, M extends Record<K, CommandSpec>>(
  words: string,
  load: () => Promise<M>,
  name: K,
): CommandEntry {
  return { path: words.split(" "), load: async () => (await load())[name] };
}

export const COMMANDS: readonly CommandEntry[] = [
  lazy("env list", () => import("./env.ts"), "envList"),
  lazy("env create", () => import("./env.ts"), "envCreate"),
  lazy("agent list", () => import("./agent.ts"), "agentList"),
  lazy("connection add", () => import("./connection.ts"), "connectionAdd"),
  lazy("connection list", () => import("./connection.ts"), "connectionList"),
  lazy("flow create", () => import("./flow.ts"), "flowCreate"),
  lazy("flow list", () => import("./flow.ts"), "flowList"),
  lazy("flow show", () => import("./flow.ts"), "flowShow"),
  lazy("migration create", () => import("./migration.ts"), "migrationCreate"),
  lazy("migration list", () => import("./migration.ts"), "migrationList"),
  lazy("migration show", () => import("./migration.ts"), "migrationShow"),
  lazy("migration run", () => import("./watch.ts"), "migrationRun"),
  lazy("migration watch", () => import("./watch.ts"), "migrationWatch"),
  lazy("migration promote", () => import("./flow.ts"), "migrationPromote"),
  lazy("migration approve", () => import("./flow.ts"), "migrationApprove"),
  lazy("migration reject", () => import("./flow.ts"), "migrationReject"),
  lazy("migration rollback", () => import("./flow.ts"), "migrationRollback"),
  lazy("migration resolve", () => import("./flow.ts"), "migrationResolve"),
  lazy("migration history", () => import("./migration.ts"), "migrationHistory"),
  lazy("import", () => import("./import.ts"), "importCommand"),
  lazy("gitops link", () => import("./gitops.ts"), "gitopsLink"),
  lazy("gitops show", () => import("./gitops.ts"), "gitopsShow"),
  lazy("gitops sync", () => import("./gitops.ts"), "gitopsSync"),
  lazy("gitops pr", () => import("./gitops.ts"), "gitopsPr"),
  lazy("gitops log", () => import("./gitops.ts"), "gitopsLog"),
  lazy("gitops unlink", () => import("./gitops.ts"), "gitopsUnlink"),
  lazy("schema", () => import("./schema.ts"), "schemaShow"),
  lazy("drift", () => import("./drift.ts"), "driftCommand"),
  lazy("query", () => import("./query.ts"), "query"),
  lazy("query history", () => import("./query.ts"), "queryHistory"),
  lazy("mask add", () => import("./mask.ts"), "maskAdd"),
  lazy("mask list", () => import("./mask.ts"), "maskList"),
  lazy("mask remove", () => import("./mask.ts"), "maskRemove"),
  lazy("table browse", () => import("./table.ts"), "tableBrowse"),
  lazy("table edit", () => import("./table.ts"), "tableEdit"),
  lazy("table grant-write", () => import("./table.ts"), "tableGrantWrite"),
  lazy("table grants", () => import("./table.ts"), "tableGrants"),
  lazy("ask", () => import("./ask.ts"), "ask"),
  lazy("ai", () => import("./ask.ts"), "ai"),
  lazy("risk", () => import("./risk.ts"), "riskAssess"),
  lazy("audit list", () => import("./audit.ts"), "auditList"),
  lazy("audit verify", () => import("./audit.ts"), "auditVerify"),
  lazy("audit export", () => import("./audit.ts"), "auditExport"),
  lazy("token create", () => import("./token.ts"), "tokenCreate"),
  lazy("token list", () => import("./token.ts"), "tokenList"),
  lazy("token revoke", () => import("./token.ts"), "tokenRevoke"),
  lazy("link", () => import("./chat.ts"), "link"),
  lazy("chat list", () => import("./chat.ts"), "chatList"),
  lazy("chat unlink", () => import("./chat.ts"), "chatUnlink"),
  lazy("notify set", () => import("./notify.ts"), "notifyRouteSet"),
  lazy("notify list", () => import("./notify.ts"), "notifyRouteList"),
  lazy("notify remove", () => import("./notify.ts"), "notifyRouteRemove"),
  lazy("whoami", () => import("./whoami.ts"), "whoami"),
  lazy("login", () => import("./login.ts"), "login"),
  lazy("logout", () => import("./login.ts"), "logout"),
  lazy("join", () => import("./login.ts"), "join"),
  lazy("invite", () => import("./access.ts"), "invite"),
  lazy("members", () => import("./access.ts"), "members"),
  lazy("grant", () => import("./access.ts"), "grant"),
  lazy("grant list", () => import("./access.ts"), "grantList"),
  lazy("grant revoke", () => import("./access.ts"), "grantRevoke"),
  lazy("workspace list", () => import("./login.ts"), "workspaceList"),
  lazy("workspace create", () => import("./login.ts"), "workspaceCreate"),
  lazy("apply", () => import("./local.ts"), "apply"),
  lazy("revert", () => import("./local.ts"), "revert"),
  lazy("down", () => import("./local.ts"), "down"),
  lazy("backup list", () => import("./local.ts"), "backupList"),
  lazy("backup purge", () => import("./local.ts"), "backupPurge"),
  lazy("backup retention", () => import("./backup.ts"), "backupRetention"),
  lazy("transfer", () => import("./transfer.ts"), "transferCommand"),
  lazy("transfer list", () => import("./transfer-platform.ts"), "transferList"),
  lazy("datadiff", () => import("./datadiff.ts"), "datadiff"),
  lazy("snapshot", () => import("./diff.ts"), "snapshot"),
  lazy("diff", () => import("./diff.ts"), "diff"),
];

/** Loads the entries' specs, in order. */
export function loadSpecs(entries: readonly CommandEntry[]): Promise<CommandSpec[]> {
  return Promise.all(entries.map((e) => e.load()));
}

export type { CliIo, CommandContext, CommandSpec, WatchTuning } from "./types.ts";
