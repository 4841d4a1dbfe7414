// The one authorisation check: decides from the policy table, and records every refusal in the
// workspace's audit chain before the caller hears of it.
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import { type EnvironmentRow, getEnvironment } from "../domain/environments.ts";
import { type Caller, type EnvironmentKind, environmentKind, isWorkspaceAdmin } from "../identity/index.ts";
import type { Db, Role } from "../store/index.ts";
import { ACTIONS, type Action, type Need } from "./policy.ts";

export interface AuthorizeOptions {
  /** The environment (by name) the action is about; required for environment-scoped actions. */
  environment?: string;
  correlationId: string;
  /** Where the attempt came from, for the audit record ("rpc …/RunMigration", "slack"). */
  via: string;
}

export interface Access {
  environment?: EnvironmentRow;
  kind?: EnvironmentKind;
  /** The caller's effective role on that environment ("admin" for workspace admins). */
  role?: Role;
}

/** The caller's effective role on one environment. */
export function roleOn(caller: Caller, environmentId: string): Role | undefined {
  return isWorkspaceAdmin(caller) ? "admin" : caller.grants.get(environmentId);
}

interface Decision {
  allowed: boolean;
  /** For the refusal message and audit: what was needed and what the caller has. */
  needs: string;
  has: string;
}

function decide(caller: Caller, action: Action, env?: { row: EnvironmentRow; kind: EnvironmentKind }): Decision {
  const need: Need = ACTIONS[action];
  const admin = isWorkspaceAdmin(caller);
  const who = admin ? "is a workspace admin" : "is a member";
  if (need.scope === "workspace") {
    if (need.who === "member") return { allowed: true, needs: "membership", has: who };
    if (need.who === "workspace_admin") return { allowed: admin, needs: "a workspace admin", has: who };
    const bot = caller.tokenKind === "bot";
    const through = bot ? `calls through bot ${caller.tokenName}` : "calls with a personal token";
    if (need.who === "person") return { allowed: !bot, needs: "your own token, not a chat bot", has: through };
    if (need.who === "bot") return { allowed: bot, needs: "a chat bot's token", has: through };
    const held = [...new Set(caller.grants.values())];
    return {
      allowed: admin || held.some((r) => need.roles.includes(r)),
      needs: `the ${need.roles.join(" or ")} role on some environment`,
      has: held.length === 0 ? "has no role on any environment" : `has ${held.join(", ")}`,
    };
  }
  if (!env) throw new MigratrixError("invalid_argument", `${action} needs an environment`);
  const roles = need[env.kind];
  const role = roleOn(caller, env.row.id);
  return {
    allowed: role !== undefined && roles.includes(role),
    needs: `${roles.join(" or ")} on environment ${env.row.name} (${env.kind})`,
    has: role ? `has ${role} there` : "has no role there",
  };
}

export async function authorize(db: Db, caller: Caller, action: Action, opts: AuthorizeOptions): Promise<Access> {
  const scoped = ACTIONS[action].scope === "environment";
  if (scoped && !opts.environment) throw new MigratrixError("invalid_argument", `${action}: environment is required`);
  const row = scoped && opts.environment ? await getEnvironment(db, caller.workspaceId, opts.environment) : undefined;
  const env = row ? { row, kind: environmentKind(row) } : undefined;
  const decision = decide(caller, action, env);
  if (!decision.allowed) {
    await db.transaction((tx) =>
      appendAudit(tx, {
        workspaceId: caller.workspaceId,
        actor: caller.actor,
        action: "access.denied",
        environment: env?.row.name,
        target: opts.via,
        correlationId: opts.correlationId,
        detail: { action, needs: decision.needs, has: decision.has, token: caller.tokenId },
      }),
    );
    throw new MigratrixError(
      "permission_denied",
      `${action} needs ${decision.needs}; ${caller.email} ${decision.has} (workspace ${caller.workspaceName})`,
    );
  }
  return env ? { environment: env.row, kind: env.kind, role: roleOn(caller, env.row.id) } : {};
}
