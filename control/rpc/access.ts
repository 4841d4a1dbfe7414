import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import type { AccessService, MemberSchema } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { getEnvironment } from "../domain/environments.ts";
import {
  createInvite,
  findMember,
  type GrantView,
  listGrants,
  listMembers,
  type MemberRow,
  parseRole,
  removeGrant,
  setGrant,
} from "../identity/index.ts";
import type { Db, Role, WorkspaceRole } from "../store/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";

const MAX_INVITE_TTL_SECONDS = 90 * 24 * 3600;

function workspaceRole(text: string): WorkspaceRole {
  if (text === "" || text === "member") return "member";
  if (text === "admin") return "admin";
  throw new MigratrixError("invalid_argument", `workspace_role "${text.slice(0, 40)}" is unknown: use member or admin`);
}

function memberMsg(m: MemberRow, grants: GrantView[]): MessageInitShape<typeof MemberSchema> {
  return {
    userId: m.userId,
    email: m.email,
    name: m.name,
    workspaceRole: m.workspaceRole,
    grants: grants.filter((g) => g.userId === m.userId).map((g) => ({ environment: g.environment, role: g.role })),
  };
}

async function memberWithGrants(db: Db, workspaceId: string, email: string) {
  const m = await findMember(db, workspaceId, email);
  return memberMsg(m, await listGrants(db, workspaceId));
}

export function accessService(deps: ServiceDeps): Partial<ServiceImpl<typeof AccessService>> {
  return {
    async invite(req, ctx) {
      const c = callerOf(ctx);
      if (req.ttlSeconds > MAX_INVITE_TTL_SECONDS) {
        throw new MigratrixError("invalid_argument", `ttl_seconds is over the limit of ${MAX_INVITE_TTL_SECONDS}`);
      }
      const grants: { environmentId: string; environment: string; role: Role }[] = [];
      for (const g of req.grants) {
        const env = await getEnvironment(deps.db, c.workspaceId, g.environment);
        grants.push({ environmentId: env.id, environment: env.name, role: parseRole(g.role) });
      }
      const invite = await deps.db.transaction((tx) =>
        createInvite(tx, {
          workspaceId: c.workspaceId,
          email: req.email,
          role: workspaceRole(req.workspaceRole),
          grants,
          ttlMs: req.ttlSeconds * 1000,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return { inviteId: invite.id, code: invite.code, expiresAt: timestampFromDate(invite.expiresAt) };
    },
    async listMembers(_req, ctx) {
      const c = callerOf(ctx);
      const members = await listMembers(deps.db, c.workspaceId);
      return { members: members.map((m) => memberMsg(m, m.grants)) };
    },
    async grant(req, ctx) {
      const c = callerOf(ctx);
      const role = parseRole(req.role);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      const m = await findMember(deps.db, c.workspaceId, req.email);
      await deps.db.transaction((tx) =>
        setGrant(tx, {
          workspaceId: c.workspaceId,
          userId: m.userId,
          email: m.email,
          environmentId: env.id,
          environment: env.name,
          role,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return { member: await memberWithGrants(deps.db, c.workspaceId, m.email) };
    },
    async revokeGrant(req, ctx) {
      const c = callerOf(ctx);
      const env = await getEnvironment(deps.db, c.workspaceId, req.environment);
      const m = await findMember(deps.db, c.workspaceId, req.email);
      await deps.db.transaction((tx) =>
        removeGrant(tx, {
          workspaceId: c.workspaceId,
          userId: m.userId,
          email: m.email,
          environmentId: env.id,
          environment: env.name,
          actor: c.actor,
          correlationId: correlationOf(ctx),
        }),
      );
      return { member: await memberWithGrants(deps.db, c.workspaceId, m.email) };
    },
    async listGrants(req, ctx) {
      const c = callerOf(ctx);
      const env = req.environment ? await getEnvironment(deps.db, c.workspaceId, req.environment) : undefined;
      const grants = await listGrants(deps.db, c.workspaceId, env?.id);
      return {
        grants: grants.map((g) => ({
          email: g.email,
          environment: g.environment,
          role: g.role,
          grantedBy: g.grantedBy,
          createdAt: timestampFromDate(g.createdAt),
        })),
      };
    },
  };
}
