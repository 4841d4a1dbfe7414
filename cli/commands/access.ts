// mx invite / members / grant: people of the workspace and their roles per environment.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { ListGrantsResponseSchema, ListMembersResponseSchema } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { parseDuration } from "../args.ts";
import { UsageError } from "../errors.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

/** "dev=editor,prod=viewer" → grants. */
export function parseGrants(text: string | undefined): { environment: string; role: string }[] {
  if (text === undefined || text === "") return [];
  return text.split(",").map((part) => {
    const m = /^([^=\s]+)=([a-z]+)$/.exec(part.trim());
    if (m === null) throw new UsageError(`--grant wants ENV=ROLE[,ENV=ROLE…], got '${part}'`);
    return { environment: m[1] ?? "", role: m[2] ?? "" };
  });
}

export const invite = defineCommand({
  path: ["invite"],
  summary: "invite someone by email: prints a one-time code for `mx join` (workspace admins)",
  args: ["EMAIL"],
  options: {
    grant: { type: "string", value: "ENV=ROLE,…", description: "roles they get, e.g. dev=editor,prod=viewer" },
    admin: { type: "boolean", description: "make them a workspace admin" },
    ttl: { type: "string", value: "DURATION", description: "how long the code is valid (default 7d)" },
  },
  async run({ out, input, clients }) {
    const res = await clients().access.invite({
      email: input.positionals[0] ?? "",
      workspaceRole: input.flag("admin") ? "admin" : "member",
      grants: parseGrants(input.string("grant")),
      ttlSeconds: parseDuration(input.string("ttl") ?? "7d", "--ttl"),
    });
    if (out.json) {
      out.document({ inviteId: res.inviteId, code: res.code, expiresAt: formatTime(res.expiresAt) });
      return 0;
    }
    out.line(res.code);
    out.note(`one-time code, valid until ${formatTime(res.expiresAt)}: they run 'mx join ${res.code}'`);
    return 0;
  },
});

export const members = defineCommand({
  path: ["members"],
  summary: "the workspace's members and their roles",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().access.listMembers({});
    if (out.json) {
      out.document(protoJson(ListMembersResponseSchema, res));
      return 0;
    }
    out.table(
      ["EMAIL", "WORKSPACE", "ROLES"],
      res.members.map((m) => [
        m.email,
        m.workspaceRole,
        m.grants.map((g) => `${g.environment}:${g.role}`).join(" ") || (m.workspaceRole === "admin" ? "(all)" : "-"),
      ]),
      { empty: "no members" },
    );
    return 0;
  },
});

export const grant = defineCommand({
  path: ["grant"],
  summary: "give a member a role on an environment: admin, approver, editor or viewer",
  args: ["EMAIL", "ROLE"],
  options: { env: { type: "string", value: "ENV", description: "the environment (required)" } },
  async run({ out, input, clients }) {
    const [email = "", role = ""] = input.positionals;
    const environment = input.required("env");
    await clients().access.grant({ email, role, environment });
    if (out.json) out.document({ email, environment, role });
    else out.line(`${email} is now ${role} on ${environment}`);
    return 0;
  },
});

export const grantList = defineCommand({
  path: ["grant", "list"],
  summary: "who holds which role on which environment",
  args: [],
  options: { env: { type: "string", value: "ENV", description: "only this environment" } },
  async run({ out, input, clients }) {
    const res = await clients().access.listGrants({ environment: input.string("env") ?? "" });
    if (out.json) {
      out.document(protoJson(ListGrantsResponseSchema, res));
      return 0;
    }
    out.table(
      ["ENV", "EMAIL", "ROLE", "GRANTED BY", "SINCE"],
      res.grants.map((g) => [g.environment, g.email, g.role, g.grantedBy, formatTime(g.createdAt)]),
      { empty: "no grants (workspace admins hold admin everywhere)" },
    );
    return 0;
  },
});

export const grantRevoke = defineCommand({
  path: ["grant", "revoke"],
  summary: "take a member's role on an environment away",
  args: ["EMAIL"],
  options: { env: { type: "string", value: "ENV", description: "the environment (required)" } },
  async run({ out, input, clients }) {
    const email = input.positionals[0] ?? "";
    const environment = input.required("env");
    await clients().access.revokeGrant({ email, environment });
    if (out.json) out.document({ email, environment, revoked: true });
    else out.line(`${email} has no role on ${environment} any more`);
    return 0;
  },
});

/** For --since: an ISO time, or a duration back from now ("24h", "7d"). */
export function parseSince(text: string, now = new Date()) {
  if (/^\d+[smhdw]$/.test(text))
    return timestampFromDate(new Date(now.getTime() - parseDuration(text, "--since") * 1000));
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) {
    throw new UsageError(`--since must be an ISO time (2026-01-31T00:00:00Z) or a duration like 24h, got '${text}'`);
  }
  return timestampFromDate(at);
}
