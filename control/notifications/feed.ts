// The notification feed of one platform in one workspace: the audit chain read from the platform's
// stored delivery position, each record turned into its deliveries (one per matching route), then
// live by polling. The chain's seq is allocated under the workspace's audit lock, so records become
// visible in seq order and a reader that has seen seq N never later finds a record below N.
import { and, eq, lt, or } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import { sleep } from "../../common/sleep.ts";
import { type AuditRow, listAudit } from "../audit/index.ts";
import { listFlows } from "../flows/definitions.ts";
import type { ChatPlatform, Db } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { deriveNotification, type NotificationContent } from "./derive.ts";
import { type Cursor, ensureCursor, listRoutes, routeMatches } from "./routes.ts";

export interface Delivery extends NotificationContent {
  seq: number;
  part: number;
  channel: string;
  route: string;
}

export interface FeedOptions {
  workspaceId: string;
  platform: ChatPlatform;
  /** Re-read interval when the chain has nothing new. */
  pollMs: number;
  signal?: AbortSignal;
  batchSize?: number;
}

/** The deliveries one audit record makes on the platform, in route-name order. */
export async function deliveriesOf(db: Db, row: AuditRow, platform: ChatPlatform): Promise<Delivery[]> {
  const content = await deriveNotification(db, row, platform);
  if (!content) return [];
  const routes = await listRoutes(db, row.workspaceId, platform);
  const flowsOnEnv =
    content.flow === ""
      ? (await listFlows(db, row.workspaceId))
          .filter((f) => f.stages.some((s) => s.environment.name === content.environment))
          .map((f) => f.name)
      : [];
  return routes
    .filter((r) => routeMatches(r, content, flowsOnEnv))
    .map((r, part) => ({ ...content, seq: row.seq, part, channel: r.channel, route: r.name }));
}

/** Deliveries after the stored position, then live ones, until the signal aborts. */
export async function* watchFeed(db: Db, opts: FeedOptions): AsyncGenerator<Delivery> {
  const from: Cursor = await ensureCursor(db, opts.workspaceId, opts.platform);
  const batch = opts.batchSize ?? 200;
  // Records below `next` are done; of record from.seq the parts up to from.part are done.
  let next = from.seq;
  while (!opts.signal?.aborted) {
    const rows = await listAudit(db, opts.workspaceId, { afterSeq: next - 1, limit: batch });
    for (const row of rows) {
      for (const d of await deliveriesOf(db, row, opts.platform)) {
        if (row.seq === from.seq && d.part <= from.part) continue;
        yield d;
        if (opts.signal?.aborted) return;
      }
      next = row.seq + 1;
    }
    if (rows.length < batch) await sleep(opts.pollMs, opts.signal);
  }
}

/** Stores (seq, part) as delivered; never moves the position back, never past the chain's head. */
export async function ackDelivery(
  db: Db,
  input: { workspaceId: string; platform: ChatPlatform; seq: number; part: number },
): Promise<void> {
  const [head] = await db
    .select({ seq: tables.auditHeads.seq })
    .from(tables.auditHeads)
    .where(eq(tables.auditHeads.workspaceId, input.workspaceId));
  if (!Number.isInteger(input.seq) || input.seq < 1 || input.seq > (head?.seq ?? 0) || input.part < 0) {
    throw new MigratrixError(
      "invalid_argument",
      `ack of notification ${input.seq}.${input.part} is beyond the workspace's audit chain (head ${head?.seq ?? 0})`,
    );
  }
  await ensureCursor(db, input.workspaceId, input.platform);
  const c = tables.notificationCursors;
  await db
    .update(c)
    .set({ seq: input.seq, part: input.part, updatedAt: new Date() })
    .where(
      and(
        eq(c.workspaceId, input.workspaceId),
        eq(c.platform, input.platform),
        or(lt(c.seq, input.seq), and(eq(c.seq, input.seq), lt(c.part, input.part))),
      ),
    );
}
