// What a role is, and the environment kinds the access rules distinguish.
import type { Role } from "../store/index.ts";

export const ROLES_LIST: readonly Role[] = ["admin", "approver", "editor", "viewer"];

/**
 * "protected": the environment needs approvals or is marked protected (PROD); "open" otherwise.
 * The access table may ask for more on a protected environment than on an open one.
 */
export type EnvironmentKind = "open" | "protected";

export function environmentKind(env: { protected: boolean; requiredApprovals: number }): EnvironmentKind {
  return env.protected || env.requiredApprovals > 0 ? "protected" : "open";
}
