// NotificationService: routes (workspace admins) and the per-platform feed bots consume (bot tokens,
// scoped to the token's workspace by construction: the caller's workspace is the only one read).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import {
  NotificationKind,
  type NotificationRoute,
  NotificationRouteSchema,
  NotificationSchema,
  type NotificationService,
} from "../../proto/gen/migratrix/control/v1/notification_pb.ts";
import { requesterOf } from "../identity/index.ts";
import {
  ackDelivery,
  listChatMessages,
  listRoutes,
  type NotificationKindName,
  type NotificationRouteRow,
  parsePlatform,
  removeRoute,
  setChatMessage,
  setRoute,
  watchFeed,
} from "../notifications/index.ts";
import { callerOf, correlationOf } from "./context.ts";
import type { ServiceDeps } from "./deps.ts";
import { transferUpdates } from "./transfers.ts";

const KINDS: Record<NotificationKindName, NotificationKind> = {
  approval_needed: NotificationKind.APPROVAL_NEEDED,
  run_completed: NotificationKind.RUN_COMPLETED,
  run_failed: NotificationKind.RUN_FAILED,
  rollback_completed: NotificationKind.ROLLBACK_COMPLETED,
  drift_detected: NotificationKind.DRIFT_DETECTED,
  transfer: NotificationKind.TRANSFER,
};

function kindName(k: NotificationKind): NotificationKindName {
  const found = (Object.entries(KINDS) as [NotificationKindName, NotificationKind][]).find(([, v]) => v === k);
  if (!found) throw new Error(`unknown notification kind ${k}`);
  return found[0];
}

function routeMsg(r: NotificationRouteRow): NotificationRoute {
  return create(NotificationRouteSchema, {
    id: r.id,
    name: r.name,
    platform: r.platform,
    channel: r.channel,
    flow: r.flow,
    environment: r.environment,
    kinds: r.kinds.map((k) => KINDS[k]),
    createdBy: r.createdBy,
    updatedAt: timestampFromDate(r.updatedAt),
  });
}

export function notificationService(deps: ServiceDeps): Partial<ServiceImpl<typeof NotificationService>> {
  return {
    async setNotificationRoute(req, ctx) {
      const c = callerOf(ctx);
      for (const k of req.kinds) kindName(k);
      const route = await setRoute(deps.db, {
        workspaceId: c.workspaceId,
        name: req.name,
        platform: req.platform,
        channel: req.channel,
        flow: req.flow,
        environment: req.environment,
        kinds: req.kinds.filter((k) => k !== NotificationKind.UNSPECIFIED).map(kindName),
        actor: c.actor,
        createdBy: requesterOf(c),
        correlationId: correlationOf(ctx),
      });
      return { route: routeMsg(route) };
    },
    async listNotificationRoutes(_req, ctx) {
      const routes = await listRoutes(deps.db, callerOf(ctx).workspaceId);
      return { routes: routes.map(routeMsg) };
    },
    async removeNotificationRoute(req, ctx) {
      const c = callerOf(ctx);
      await removeRoute(deps.db, {
        workspaceId: c.workspaceId,
        name: req.name,
        actor: c.actor,
        correlationId: correlationOf(ctx),
      });
      return {};
    },
    async *watchNotifications(req, ctx) {
      const c = callerOf(ctx);
      const feed = watchFeed(deps.db, {
        workspaceId: c.workspaceId,
        platform: parsePlatform(req.platform),
        pollMs: deps.watchPollMs,
        signal: ctx.signal,
      });
      for await (const d of feed) {
        yield {
          notification: create(NotificationSchema, {
            seq: BigInt(d.seq),
            part: d.part,
            channel: d.channel,
            kind: KINDS[d.kind],
            flow: d.flow,
            environment: d.environment,
            migrationId: d.migrationId,
            migrationName: d.migrationName,
            operation: d.operation,
            approvals: d.approvals,
            requiredApprovals: d.requiredApprovals,
            riskLevel: d.riskLevel,
            mentionUsers: d.mentionUsers,
            connection: d.connection,
            failedStatement: d.failedStatement,
            error: d.error,
            changes: d.changes,
            diffText: d.diffText,
            actor: d.actor,
            at: timestampFromDate(d.at),
            route: d.route,
            transferId: d.transferId,
            transferFrom: d.transferFrom,
            transferTo: d.transferTo,
            transferState: d.transferState,
            rows: BigInt(d.rows),
            bytes: BigInt(d.bytes),
            verified: d.verified,
          }),
        };
      }
    },
    async ackNotification(req, ctx) {
      const c = callerOf(ctx);
      await ackDelivery(deps.db, {
        workspaceId: c.workspaceId,
        platform: parsePlatform(req.platform),
        seq: Number(req.seq),
        part: req.part,
      });
      return {};
    },
    async *followTransfer(req, ctx) {
      // Only a transfer of the bot token's workspace: not_found for any other id.
      yield* transferUpdates(deps, callerOf(ctx).workspaceId, req.id, ctx.signal);
    },
    async setChatMessage(req, ctx) {
      await setChatMessage(deps.db, {
        workspaceId: callerOf(ctx).workspaceId,
        platform: parsePlatform(req.platform),
        subject: req.subject,
        channel: req.channel,
        messageId: req.messageId,
        done: req.done,
      });
      return {};
    },
    async listChatMessages(req, ctx) {
      const rows = await listChatMessages(deps.db, {
        workspaceId: callerOf(ctx).workspaceId,
        platform: parsePlatform(req.platform),
        subject: req.subject,
        openOnly: req.openOnly,
      });
      return { messages: rows.map((m) => ({ ...m, updatedAt: timestampFromDate(m.updatedAt) })) };
    },
  };
}
