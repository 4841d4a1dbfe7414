// Notification routes: which Slack or Discord channel hears which flow's / environment's kinds of
// notification. Setting the first route of a platform also starts that platform's delivery position
// at the chain's head, so notifications from then on wait for the bot even before it first connects.
import { and, asc, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import { checkName, getEnvironment } from "../domain/environments.ts";
import { getFlow } from "../flows/definitions.ts";
import type { ChatPlatform, Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

export type NotificationKindName = tables.NotificationKindName;
const { CHAT_PLATFORMS, NOTIFICATION_KINDS } = tables;

export type NotificationRouteRow = typeof tables.notificationRoutes.$inferSelect;

export interface RouteInput {
  workspaceId: string;
  name: string;
  platform: string;
  channel: string;
  flow: string;
  environment: string;
  kinds: readonly NotificationKindName[];
  actor: string;
  createdBy: string;
  correlationId: string;
}

const CHANNEL = /^[A-Za-z0-9_.-]{1,80}$/;

export function parsePlatform(text: string): ChatPlatform {
  const p = CHAT_PLATFORMS.find((x) => x === text.trim().toLowerCase());
  if (!p) throw new MigratrixError("invalid_argument", `platform must be slack or discord, got "${text.slice(0, 40)}"`);
  return p;
}

export function isNotificationKind(text: string): text is NotificationKindName {
  return (NOTIFICATION_KINDS as readonly string[]).includes(text);
}

/** A platform's delivery position: (seq, part) delivered last; part -1 = nothing of seq yet. */
export interface Cursor {
  seq: number;
  part: number;
}

/** Reads the platform's position, creating it just after the chain's head when there is none. */
export async function ensureCursor(db: Db | Tx, workspaceId: string, platform: ChatPlatform): Promise<Cursor> {
  const [head] = await db
    .select({ seq: tables.auditHeads.seq })
    .from(tables.auditHeads)
    .where(eq(tables.auditHeads.workspaceId, workspaceId));
  await db
    .insert(tables.notificationCursors)
    .values({ workspaceId, platform, seq: (head?.seq ?? 0) + 1, part: -1 })
    .onConflictDoNothing();
  const [row] = await db
    .select({ seq: tables.notificationCursors.seq, part: tables.notificationCursors.part })
    .from(tables.notificationCursors)
    .where(
      and(eq(tables.notificationCursors.workspaceId, workspaceId), eq(tables.notificationCursors.platform, platform)),
    );
  if (!row) throw new Error(`notification cursor of ${platform} vanished`);
  return row;
}

export async function setRoute(db: Db, input: RouteInput): Promise<NotificationRouteRow> {
  const name = checkName("route", input.name);
  const platform = parsePlatform(input.platform);
  const channel = input.channel.trim();
  if (!CHANNEL.test(channel)) {
    throw new MigratrixError(
      "invalid_argument",
      `channel must be the ${platform} channel id (1-80 of A-Z a-z 0-9 _ . -), got "${channel.slice(0, 40)}"`,
    );
  }
  // Named flows and environments must exist: a typo would silently route nothing.
  if (input.flow !== "") await getFlow(db, input.workspaceId, input.flow);
  if (input.environment !== "") await getEnvironment(db, input.workspaceId, input.environment);
  const kinds = [...new Set(input.kinds)].sort();
  return db.transaction(async (tx) => {
    const values = {
      workspaceId: input.workspaceId,
      name,
      platform,
      channel,
      flow: input.flow,
      environment: input.environment,
      kinds,
      createdBy: input.createdBy,
      updatedAt: new Date(),
    };
    const [row] = await tx
      .insert(tables.notificationRoutes)
      .values(values)
      .onConflictDoUpdate({
        target: [tables.notificationRoutes.workspaceId, tables.notificationRoutes.name],
        set: values,
      })
      .returning();
    if (!row) throw new Error(`route ${name} was not stored`);
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "notification.route.set",
      target: `route:${name}`,
      correlationId: input.correlationId,
      detail: { platform, channel, flow: input.flow, environment: input.environment, kinds },
    });
    await ensureCursor(tx, input.workspaceId, platform);
    return row;
  });
}

export async function listRoutes(
  db: Db,
  workspaceId: string,
  platform?: ChatPlatform,
): Promise<NotificationRouteRow[]> {
  return db
    .select()
    .from(tables.notificationRoutes)
    .where(
      and(
        eq(tables.notificationRoutes.workspaceId, workspaceId),
        platform === undefined ? undefined : eq(tables.notificationRoutes.platform, platform),
      ),
    )
    .orderBy(asc(tables.notificationRoutes.name));
}

export async function removeRoute(
  db: Db,
  input: { workspaceId: string; name: string; actor: string; correlationId: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .delete(tables.notificationRoutes)
      .where(
        and(
          eq(tables.notificationRoutes.workspaceId, input.workspaceId),
          eq(tables.notificationRoutes.name, input.name),
        ),
      )
      .returning();
    if (!row) throw new MigratrixError("not_found", `notification route ${input.name.slice(0, 80)} not found`);
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "notification.route.remove",
      target: `route:${row.name}`,
      correlationId: input.correlationId,
      detail: { platform: row.platform, channel: row.channel },
    });
  });
}

/** Whether the route wants the notification: flow, environment and kind filters. */
export function routeMatches(
  route: Pick<NotificationRouteRow, "flow" | "environment" | "kinds">,
  n: { kind: NotificationKindName; flow: string; environment: string },
  flowsOnEnvironment: readonly string[],
): boolean {
  if (route.kinds.length > 0 && !route.kinds.includes(n.kind)) return false;
  if (route.environment !== "" && route.environment !== n.environment) return false;
  if (route.flow === "") return true;
  // Drift belongs to an environment, not a flow: a flow's route hears drift on its stages.
  return n.flow === "" ? flowsOnEnvironment.includes(route.flow) : route.flow === n.flow;
}
