// The one table of who may do what where. Every RPC maps to one action here (rules.ts); handlers
// that need a finer check call authorize() with the same actions. Workspace admins count as
// "admin" on every environment.
import type { Role } from "../store/index.ts";

export type Need =
  /** Any member of the workspace. */
  | { scope: "workspace"; who: "member" }
  /** Workspace admins only. */
  | { scope: "workspace"; who: "workspace_admin" }
  /** A member calling with their own token, not through a chat bot. */
  | { scope: "workspace"; who: "person" }
  /** A chat bot (bot token), whoever it acts for. */
  | { scope: "workspace"; who: "bot" }
  /** Holds one of these roles on at least one environment. */
  | { scope: "workspace"; who: "role_anywhere"; roles: readonly Role[] }
  /** Holds one of these roles on the environment the call is about, by its kind. */
  | { scope: "environment"; open: readonly Role[]; protected: readonly Role[] };

const ALL: readonly Role[] = ["admin", "approver", "editor", "viewer"];
const member = { scope: "workspace", who: "member" } as const;
const workspaceAdmin = { scope: "workspace", who: "workspace_admin" } as const;
const onEnv = (open: readonly Role[], prot: readonly Role[] = open): Need => ({
  scope: "environment",
  open,
  protected: prot,
});

export const ACTIONS = {
  /** Who am I, the workspace's environments, agents, connections, migrations, flows. */
  "workspace.read": member,
  /** The workspaces one belongs to, one's linked chat accounts. */
  "self.manage": member,
  /**
   * Credentials and links: own tokens, new organisation workspaces, chat link codes, unlinking.
   * Never through a bot, even for a linked user: a bot must not mint what outlives the chat.
   */
  "self.credentials": { scope: "workspace", who: "person" },
  /** Linking the chat account that acted to the owner of a link code: bots only. */
  "chat.link": { scope: "workspace", who: "bot" },
  "environment.create": workspaceAdmin,
  /** Invites, grants, agent and service tokens, other people's tokens. */
  "access.manage": workspaceAdmin,
  "access.read": member,
  "connection.add": onEnv(["admin"]),
  "connection.read": onEnv(ALL),
  "migration.create": { scope: "workspace", who: "role_anywhere", roles: ["admin", "editor"] },
  /** Direct runs; on a protected environment only admins (and the run is still refused without approvals). */
  "migration.run": onEnv(["admin", "editor"], ["admin"]),
  "run.read": onEnv(ALL),
  /** The live schema of a protected environment is not shown to viewers. */
  "schema.read": onEnv(ALL, ["admin", "approver", "editor"]),
  "audit.read": member,
  "audit.export": workspaceAdmin,
  "flow.manage": workspaceAdmin,
  "flow.read": member,
  "migration.promote": onEnv(["admin", "editor"], ["admin", "approver", "editor"]),
  /** Who counts toward a stage's approvals is the stage policy's (flows); viewers never vote. */
  "migration.approve": onEnv(["admin", "approver", "editor"]),
  "migration.rollback": onEnv(["admin", "editor"], ["admin"]),
  /**
   * mx import --env: marking migrations applied in an environment's databases from another tool's
   * history. It records as done what no flow stage approved and no runner ran, like a direct run on
   * a protected environment: the environment's admins only, whatever its kind.
   */
  "history.import": onEnv(["admin"]),
  /** Repository links (GitOps): where migrations come from and the secrets to reach them. */
  "gitops.manage": workspaceAdmin,
  /** Scheduled work on an environment (drift checks; transfers): its admins. */
  "schedule.manage": onEnv(["admin"]),
  /** Explorer reads; the result is masked per the caller's role (explorer mask policies). */
  "explorer.query": onEnv(ALL),
  /** Explorer writes; on a protected environment also only when explorer writes are allowed there. */
  "explorer.write": onEnv(["admin", "editor"], ["admin"]),
  /** Mask policies and explorer settings of an environment. */
  "explorer.manage": onEnv(["admin"]),
  /** The backup areas' listing (what was kept, its size, no rows): like reading the schema. */
  "backup.read": onEnv(ALL, ["admin", "approver", "editor"]),
  /** Dropping kept rows for good: admins of the environment. */
  "backup.purge": onEnv(["admin"]),
  /** Chat notification routes (which channel hears what). */
  "notifications.manage": workspaceAdmin,
  /** The notification feed and its delivery position: chat bots only, for their token's workspace. */
  "notifications.consume": { scope: "workspace", who: "bot" },
  /**
   * Data transfer (issue 7). Reading a source copies its rows out: any role on an open environment,
   * admins and editors on a protected one. Writing a target changes its data like a direct run:
   * editors on an open environment, admins only on a protected one (PROD).
   */
  "transfer.read": onEnv(ALL, ["admin", "editor"]),
  "transfer.write": onEnv(["admin", "editor"], ["admin"]),
} as const satisfies Record<string, Need>;

export type Action = keyof typeof ACTIONS;

export function isAction(name: string): name is Action {
  return Object.hasOwn(ACTIONS, name);
}
