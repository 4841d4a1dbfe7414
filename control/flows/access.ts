// Who counts as a voter on a flow stage. Whether a caller may call an RPC at all is control/rbac's
// check (the RPC layer); which of those callers may vote is the stage's approval policy, here.
import type { Caller } from "../identity/index.ts";
import { roleOn } from "../rbac/index.ts";
import type { StageView } from "./definitions.ts";

/** Why the caller may not vote on the stage, or null when they may. */
export function voteRefusal(caller: Caller, stage: StageView, author: string): string | null {
  const env = stage.environment.name;
  if (!stage.allowSelfApproval && caller.email.toLowerCase() === author.toLowerCase()) {
    return `${caller.email} wrote this migration and may not approve or reject it on ${env} (no self-approval)`;
  }
  if (stage.approverEmails.length > 0) {
    return stage.approverEmails.includes(caller.email.toLowerCase())
      ? null
      : `${caller.email} is not one of the named approvers of ${env} (${stage.approverEmails.join(", ")})`;
  }
  const role = roleOn(caller, stage.environmentId);
  return role !== undefined && stage.approverRoles.includes(role)
    ? null
    : `voting on ${env} needs the ${stage.approverRoles.join(" or ")} role there; ${caller.email} is ${role ?? "not granted"} on ${env}`;
}
