// Notifications for chat: the bot follows its platform's feed (WatchNotifications, as itself) from the
// delivery position the control plane stores, posts each delivery to its routed channel, and then
// acknowledges it (AckNotification), one at a time. A restart resumes at the first unacknowledged
// delivery, so nothing is lost and, for a clean stop, nothing is posted twice. A transfer's
// notification becomes one message edited as the transfer progresses (transfer.ts).
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "../../common/log.ts";
import { sleep } from "../../common/sleep.ts";
import { type Notification, NotificationKind } from "../../proto/gen/migratrix/control/v1/notification_pb.ts";
import { type ApiConfig, botNotifications, type ChatPlatform } from "./api.ts";
import { type ChatMessages, factsOfNotification, transferCard, transferMessages } from "./transfer.ts";
import { type Card, card, levelMark, type StageRef } from "./view.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One notification as a card: approval requests carry the vote, failed applies the rollback. */
export function notificationCard(n: Notification): Card {
  const ref: StageRef = { flow: n.flow, migration: n.migrationId, env: n.environment };
  const name = n.migrationName || n.migrationId;
  const fields: [string, string][] = [
    ["Migration", n.migrationId],
    ["Flow / stage", `${n.flow} / ${n.environment}`],
    ...(n.riskLevel ? [["Risk", levelMark(n.riskLevel)] as [string, string]] : []),
  ];
  switch (n.kind) {
    case NotificationKind.APPROVAL_NEEDED:
      return card("warning", `Approval needed: ${name} → ${n.environment}`, {
        lines: [
          `${n.approvals} of ${n.requiredApprovals} approvals so far; approve or reject here.`,
          ...(n.mentionUsers.length > 0 ? [`Approvers: ${n.mentionUsers.map((u) => `<@${u}>`).join(" ")}`] : []),
        ],
        fields: [...fields, ["Approvals", `${n.approvals} of ${n.requiredApprovals}`]],
        vote: ref,
        ...(n.mentionUsers.length > 0 ? { mentions: n.mentionUsers } : {}),
      });
    case NotificationKind.RUN_COMPLETED:
      return card("success", `${name} completed on ${n.environment}`, { fields });
    case NotificationKind.RUN_FAILED: {
      const revert = n.operation === "revert";
      return card("danger", `${revert ? "Rollback of " : ""}${name} failed on ${n.environment}`, {
        lines: [
          ...(n.connection ? [`On ${n.connection}`] : []),
          ...(n.failedStatement ? [`Failed statement: \`${n.failedStatement}\``] : []),
          ...(n.error ? [n.error] : []),
        ],
        fields,
        ...(revert ? {} : { rollback: ref }),
      });
    }
    case NotificationKind.ROLLBACK_COMPLETED:
      return card("info", `${name} rolled back on ${n.environment}`, {
        lines: ["The down script completed on every database of the stage; the stage is Pending again."],
        fields,
      });
    case NotificationKind.DRIFT_DETECTED:
      return card("warning", `Drift on ${n.connection}: ${plural(n.changes, "change")}`, {
        lines: [
          "Changed outside Migratrix (live vs expected):",
          `\`\`\`${n.diffText}\`\`\``,
          ...(n.migrationId ? [`Expected: the schema after ${n.migrationId}`] : []),
        ],
      });
    case NotificationKind.TRANSFER:
      return transferCard(factsOfNotification(n));
    default:
      return card("info", `Notification ${n.seq}.${n.part}`, { lines: [`kind ${n.kind}`] });
  }
}

export interface FeedOptions {
  api: ApiConfig;
  platform: ChatPlatform;
  /** Posts one notification to its channel; a throw means "not posted" (it is tried again). */
  deliver(n: Notification): Promise<void>;
  log: Logger;
  /** Wait before reconnecting after the stream or a delivery failed (default 2 s). */
  retryMs?: number;
  /** Tries of one delivery before it is skipped (logged), so one bad channel cannot stop the feed. */
  attempts?: number;
  /**
   * Posting and editing messages: a transfer then gets one message, edited as it progresses (without
   * it, `deliver` posts its start and its end).
   */
  messages?: ChatMessages;
  /** Least time between two progress edits of a transfer's message (default 1 s). */
  minEditMs?: number;
}

export interface Feed {
  /** Deliveries posted and acknowledged by this process. */
  delivered(): number;
  stop(): Promise<void>;
}

export function startFeed(opts: FeedOptions): Feed {
  const api = botNotifications(opts.api);
  const aborts = new AbortController();
  const log = opts.log.child({ feed: opts.platform });
  const retryMs = opts.retryMs ?? 2_000;
  const attempts = opts.attempts ?? 5;
  let count = 0;
  const failures = new Map<string, number>();
  const transfers = opts.messages
    ? transferMessages({
        api: opts.api,
        platform: opts.platform,
        messages: opts.messages,
        log,
        minEditMs: opts.minEditMs ?? 1_000,
        retryMs,
      })
    : undefined;

  async function handle(n: Notification) {
    const key = `${n.seq}.${n.part}`;
    try {
      if (transfers && n.kind === NotificationKind.TRANSFER) await transfers.deliver(n);
      else await opts.deliver(n);
    } catch (err) {
      const tries = (failures.get(key) ?? 0) + 1;
      failures.set(key, tries);
      if (tries < attempts) throw err;
      log.error("notification skipped after repeated failures", {
        seq: key,
        channel: n.channel,
        err: err instanceof Error ? err.message : String(err),
      });
    }
    failures.delete(key);
    // Not tied to the stop signal: a delivery that was posted is always acknowledged.
    await api.ackNotification({ platform: opts.platform, seq: n.seq, part: n.part });
    count++;
  }

  const loop = (async () => {
    // Transfers announced before a restart and not over yet: their messages are edited again.
    await transfers
      ?.resume()
      .catch((err: unknown) =>
        log.warn("open transfer messages not resumed", { err: err instanceof Error ? err.message : String(err) }),
      );
    while (!aborts.signal.aborted) {
      try {
        for await (const res of api.watchNotifications({ platform: opts.platform }, { signal: aborts.signal })) {
          if (res.notification) await handle(res.notification);
          if (aborts.signal.aborted) break;
        }
      } catch (err) {
        if (aborts.signal.aborted) break;
        const e = ConnectError.from(err);
        log.warn("notification feed interrupted; reconnecting", { code: Code[e.code], err: e.rawMessage, retryMs });
        await sleep(retryMs, aborts.signal);
      }
    }
  })();

  return {
    delivered: () => count,
    async stop() {
      aborts.abort();
      await loop;
      await transfers?.stop();
    },
  };
}
