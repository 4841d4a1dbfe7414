// A data transfer in chat: one message per routed channel, posted when the transfer starts, edited
// as its progress changes (FollowTransfer, as the bot itself) and when it ends. Which message shows
// which transfer is kept by the control plane (SetChatMessage / ListChatMessages), not by the bot:
// a restarted bot finds the transfers still open, follows them again and edits the same messages.
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "../../common/log.ts";
import { sleep } from "../../common/sleep.ts";
import { formatBytes } from "../../common/units.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Notification } from "../../proto/gen/migratrix/control/v1/notification_pb.ts";
import type { TransferJob } from "../../proto/gen/migratrix/control/v1/transfer_pb.ts";
import { type ApiConfig, botNotifications, type ChatPlatform } from "./api.ts";
import { type Card, card } from "./view.ts";

/** Posting and editing one platform message; post returns the message's id (Slack ts, Discord id). */
export interface ChatMessages {
  post(channel: string, c: Card): Promise<string>;
  edit(channel: string, messageId: string, c: Card): Promise<void>;
}

export interface TransferFacts {
  id: string;
  from: string;
  to: string;
  /** started, running, retrying, completed, failed, rejected. */
  phase: string;
  rows: number;
  bytes: number;
  estimatedRows: number;
  rowsPerSecond: number;
  /** Negative: unknown. */
  etaSeconds: number;
  durationSeconds: number;
  verified: boolean;
  error: string;
  table: string;
  attempt: number;
  maxAttempts: number;
}

const OVER = new Set(["completed", "failed", "rejected"]);

/** What a transfer notification (its audit record) says. */
export function factsOfNotification(n: Notification): TransferFacts {
  return {
    id: n.transferId,
    from: n.transferFrom,
    to: n.transferTo,
    phase: n.transferState,
    rows: Number(n.rows),
    bytes: Number(n.bytes),
    estimatedRows: 0,
    rowsPerSecond: 0,
    etaSeconds: -1,
    durationSeconds: 0,
    verified: n.verified,
    error: n.error,
    table: "",
    attempt: 0,
    maxAttempts: 0,
  };
}

const PHASE: Partial<Record<RunState, string>> = {
  [RunState.QUEUED]: "started",
  [RunState.PENDING]: "started",
  [RunState.IN_PROGRESS]: "running",
  [RunState.COMPLETED]: "completed",
  [RunState.FAILED]: "failed",
  [RunState.REJECTED]: "rejected",
};

/** The job as FollowTransfer gives it (its latest progress). */
export function factsOfJob(j: TransferJob): TransferFacts {
  const retrying = j.state === RunState.PENDING && j.attempt > 1;
  return {
    id: j.id,
    from: j.from,
    to: j.to,
    phase: retrying ? "retrying" : (PHASE[j.state] ?? "started"),
    rows: Number(j.rows),
    bytes: Number(j.bytes),
    estimatedRows: Number(j.estimatedRows),
    rowsPerSecond: j.rowsPerSecond,
    etaSeconds: j.etaSeconds,
    durationSeconds: j.durationSeconds,
    verified: j.verified,
    error: j.error,
    table: j.table,
    attempt: j.attempt,
    maxAttempts: j.maxAttempts,
  };
}

const count = (n: number) => n.toLocaleString("en-US");

/** The transfer's message: rows, bytes, rate and ETA while it runs; the outcome once it ended. */
export function transferCard(f: TransferFacts): Card {
  const done = OVER.has(f.phase);
  const rows =
    f.estimatedRows > 0 && !done
      ? `${count(f.rows)} of ~${count(f.estimatedRows)} rows (${Math.min(100, Math.floor((f.rows / f.estimatedRows) * 100))}%)`
      : `${count(f.rows)} rows`;
  const parts = [rows, formatBytes(f.bytes)];
  if (f.rowsPerSecond > 0) parts.push(`${count(Math.round(f.rowsPerSecond))} rows/s`);
  if (!done && f.etaSeconds >= 0) parts.push(`ETA ${Math.ceil(f.etaSeconds)} s`);
  if (done && f.durationSeconds > 0) parts.push(`in ${f.durationSeconds.toFixed(1)} s`);
  const lines = [parts.join(" · ")];
  if (!done && f.table) lines.push(`Table: ${f.table}`);
  if (f.phase === "retrying") lines.push(`Attempt ${f.attempt - 1} failed; retrying from the last checkpoint.`);
  if (f.phase === "completed") {
    lines.push(f.verified ? "Row counts and checksums match." : "Row counts or checksums DIFFER.");
  }
  if ((f.phase === "failed" || f.phase === "rejected" || f.phase === "retrying") && f.error) lines.push(f.error);
  const tone =
    f.phase === "completed"
      ? f.verified
        ? "success"
        : "warning"
      : f.phase === "failed" || f.phase === "rejected"
        ? "danger"
        : "info";
  return card(tone, `Transfer ${f.from} → ${f.to}: ${f.phase}`, {
    lines,
    fields: [
      ["Transfer", f.id],
      ...(f.attempt > 1 ? [["Attempt", `${f.attempt} of ${f.maxAttempts}`] as [string, string]] : []),
    ],
  });
}

export interface TransferMessagesOptions {
  api: ApiConfig;
  platform: ChatPlatform;
  messages: ChatMessages;
  log: Logger;
  /** Least time between two progress edits of one message (the final edit is never held back). */
  minEditMs: number;
  /** Wait before following again after the stream broke. */
  retryMs: number;
}

export interface TransferMessages {
  /** Posts (or finds) the message of a transfer notification; a started one is then followed. */
  deliver(n: Notification): Promise<void>;
  /** Follows again the transfers whose messages are still open (after a restart). */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export function transferMessages(opts: TransferMessagesOptions): TransferMessages {
  const api = botNotifications(opts.api);
  const aborts = new AbortController();
  const log = opts.log.child({ follow: "transfers" });
  const following = new Map<string, Promise<void>>();
  const subjectOf = (id: string) => `transfer:${id}`;

  /**
   * Edits the message whenever the job changes (`shown`: what it shows now), until the job is over;
   * then marks the message done.
   */
  async function followOnce(id: string, channel: string, messageId: string, shown?: Card): Promise<void> {
    let lastEdit = 0;
    let lastText = shown ? JSON.stringify(shown) : "";
    while (!aborts.signal.aborted) {
      try {
        for await (const res of api.followTransfer({ id }, { signal: aborts.signal })) {
          if (!res.job) continue;
          const facts = factsOfJob(res.job);
          const over = OVER.has(facts.phase);
          const c = transferCard(facts);
          const text = JSON.stringify(c);
          const now = Date.now();
          if (text !== lastText && (over || now - lastEdit >= opts.minEditMs)) {
            await opts.messages.edit(channel, messageId, c);
            lastEdit = now;
            lastText = text;
          }
          if (over) {
            await api.setChatMessage({
              platform: opts.platform,
              subject: subjectOf(id),
              channel,
              messageId,
              done: true,
            });
            return;
          }
        }
      } catch (err) {
        if (aborts.signal.aborted) return;
        const e = ConnectError.from(err);
        // A transfer that no longer exists cannot end: stop following it (the message stays open).
        if (e.code === Code.NotFound) {
          log.warn("transfer to follow not found", { id });
          return;
        }
        log.warn("transfer progress interrupted; following again", { id, err: e.rawMessage });
        await sleep(opts.retryMs, aborts.signal);
      }
    }
  }

  /** One follower per (transfer, channel): a second call joins the running one. */
  function follow(id: string, channel: string, messageId: string, shown?: Card): Promise<void> {
    const key = `${id}|${channel}`;
    const running = following.get(key);
    if (running) return running;
    const p = followOnce(id, channel, messageId, shown)
      .catch((err: unknown) =>
        log.error("transfer message not updated", {
          id,
          channel,
          err: err instanceof Error ? err.message : String(err),
        }),
      )
      .finally(() => following.delete(key));
    following.set(key, p);
    return p;
  }

  return {
    async deliver(n) {
      const subject = subjectOf(n.transferId);
      const { messages } = await api.listChatMessages({ platform: opts.platform, subject });
      const known = messages.find((m) => m.channel === n.channel);
      let messageId = known?.messageId;
      let shown: Card | undefined;
      if (messageId === undefined) {
        shown = transferCard(factsOfNotification(n));
        messageId = await opts.messages.post(n.channel, shown);
        await api.setChatMessage({ platform: opts.platform, subject, channel: n.channel, messageId, done: false });
      }
      const followed = follow(n.transferId, n.channel, messageId, shown);
      // The end is shown (from the job's final state) before the notification counts as delivered.
      if (OVER.has(n.transferState)) await followed;
    },
    async resume() {
      const { messages } = await api.listChatMessages({ platform: opts.platform, openOnly: true });
      for (const m of messages) {
        const id = m.subject.replace(/^transfer:/, "");
        if (id !== m.subject) void follow(id, m.channel, m.messageId);
      }
    },
    async stop() {
      aborts.abort();
      while (following.size > 0) await Promise.allSettled([...following.values()]);
    },
  };
}
