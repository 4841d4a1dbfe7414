// The Slack front end: a bolt App on the Bun receiver with the /migratrix slash command, the
// Approve / Reject / Rollback buttons, and run progress posted then updated in the message's thread.
import { App, type Logger as BoltLogger, type LogLevel as BoltLogLevel, type webApi } from "@slack/bolt";
import { MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import type { ApiConfig, ChatUser } from "../core/api.ts";
import { clientsAs } from "../core/api.ts";
import { type Feed, notificationCard, startFeed } from "../core/feed.ts";
import { errorCard, handleText, rollback, vote } from "../core/handle.ts";
import { followRun, progressCard, startOf } from "../core/progress.ts";
import { type Card, stageRefCodec } from "../core/view.ts";
import { ACTION, toBlocks } from "./blocks.ts";
import { BunReceiver } from "./receiver.ts";

export interface SlackBotOptions {
  api: ApiConfig;
  /** Verifies the HTTP receiver's requests; required unless appToken (Socket Mode) is given. */
  signingSecret?: string;
  /**
   * Socket Mode: the app-level token (xapp-…, connections:write). The bot opens an outbound
   * WebSocket (apps.connections.open) instead of serving HTTP; no signing secret is needed.
   */
  appToken?: string;
  /** HTTP without a server of its own: the caller routes /slack/events to `fetch` (bun start mounts it on the control plane). */
  mounted?: boolean;
  /** xoxb-… bot token for the Web API. */
  botToken: string;
  /** Web API base URL (default https://slack.com/api/); tests point it at a local stand-in. */
  slackApiUrl?: string;
  port?: number;
  hostname?: string;
  log: Logger;
  /** Milliseconds since the epoch, for the signature window (tests). */
  now?: () => number;
  /** Post the workspace's notifications routed to Slack (WatchNotifications); off when unset. */
  notifications?: { retryMs?: number; minEditMs?: number };
}

export interface SlackBot {
  /** Where Slack must send slash commands and interactivity (the app's Request URL); "" when mounted or in Socket Mode. */
  url: string;
  port: number;
  /** The HTTP receiver as a fetch handler (verifies every request); answers 404 in Socket Mode. */
  fetch(req: Request): Promise<Response>;
  /** Resolves when every request's work (including runs being followed) is done. */
  settled(): Promise<void>;
  /** Notifications this process posted and acknowledged. */
  delivered(): number;
  stop(): Promise<void>;
}

function boltLogger(log: Logger): BoltLogger {
  let level = "info" as BoltLogLevel;
  return {
    debug: (...m) => log.debug(m.map(String).join(" ")),
    info: (...m) => log.info(m.map(String).join(" ")),
    warn: (...m) => log.warn(m.map(String).join(" ")),
    error: (...m) => log.error(m.map(String).join(" ")),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export async function startSlackBot(opts: SlackBotOptions): Promise<SlackBot> {
  const log = opts.log.child({ bot: "slack" });
  const clientOptions = opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {};
  let receiver: BunReceiver | undefined;
  let app: App;
  if (opts.appToken) {
    // bolt's SocketModeReceiver hands installerOptions.clientOptions to its SocketModeClient, whose
    // WebClient calls apps.connections.open: the same Web API base as every other call.
    app = new App({
      token: opts.botToken,
      appToken: opts.appToken,
      socketMode: true,
      convoStore: false,
      logger: boltLogger(log),
      clientOptions,
      installerOptions: { clientOptions },
    });
  } else {
    if (!opts.signingSecret) {
      throw new MigratrixError(
        "invalid_argument",
        "the Slack bot needs a signing secret (HTTP) or an app token (Socket Mode)",
      );
    }
    receiver = new BunReceiver({
      signingSecret: opts.signingSecret,
      log,
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      ...(opts.now ? { now: opts.now } : {}),
    });
    app = new App({ token: opts.botToken, receiver, convoStore: false, logger: boltLogger(log), clientOptions });
  }
  const aborts = new AbortController();
  // Listener work, tracked here because in Socket Mode no receiver of ours sees it.
  const work = new Set<Promise<void>>();
  const hold = (): (() => void) => {
    const { promise, resolve } = Promise.withResolvers<void>();
    work.add(promise);
    return () => {
      work.delete(promise);
      resolve();
    };
  };

  type Client = webApi.WebClient;

  /** Posts a card (ephemeral ones to the actor only) and follows its runs in the message's thread. */
  async function post(
    client: Client,
    where: { channel: string; user: string; threadTs?: string },
    c: Card,
    actor?: ChatUser,
  ) {
    const { text, blocks } = toBlocks(c);
    if (c.ephemeral) {
      await client.chat.postEphemeral({ channel: where.channel, user: where.user, text, blocks });
      return;
    }
    const res = await client.chat.postMessage({
      channel: where.channel,
      text,
      blocks,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
    });
    if (c.follow && res.ts && actor) await follow(client, where.channel, where.threadTs ?? res.ts, c.follow, actor);
  }

  async function follow(
    client: Client,
    channel: string,
    threadTs: string,
    f: NonNullable<Card["follow"]>,
    actor: ChatUser,
  ) {
    await Promise.all(
      f.runs.map(async (run) => {
        const first = toBlocks(progressCard(f.ref, startOf(run)));
        const posted = await client.chat.postMessage({ channel, thread_ts: threadTs, ...first });
        let last = JSON.stringify(first.blocks);
        // Watched as the chat user who started the run: WatchRun is their read access.
        await followRun(
          clientsAs(opts.api, actor),
          run,
          async (p) => {
            const next = toBlocks(progressCard(f.ref, p));
            const key = JSON.stringify(next.blocks);
            if (key === last || !posted.ts) return;
            last = key;
            await client.chat.update({ channel, ts: posted.ts, ...next });
          },
          aborts.signal,
        );
      }),
    );
  }

  app.command("/migratrix", async ({ command, ack, client }) => {
    const release = hold();
    try {
      await ack();
      const actor: ChatUser = {
        platform: "slack",
        tenant: command.team_id,
        user: command.user_id,
        displayName: `@${command.user_name}`,
      };
      const result = await handleText({ api: opts.api, actor }, command.text);
      await post(client, { channel: command.channel_id, user: command.user_id }, result, actor);
    } finally {
      release();
    }
  });

  app.action(
    new RegExp(`^(${ACTION.approve}|${ACTION.reject}|${ACTION.rollback})$`),
    async ({ ack, body, action, client }) => {
      const release = hold();
      try {
        await ack();
        if (body.type !== "block_actions" || action.type !== "button" || !("action_id" in action)) return;
        const actionId = action.action_id;
        const channel = body.channel?.id ?? body.container?.channel_id;
        const messageTs = body.message?.ts ?? body.container?.message_ts;
        const ref = stageRefCodec.decode(action.value);
        if (!channel || !messageTs || !ref) {
          log.warn("slack action without channel, message or stage reference", { action: actionId });
          return;
        }
        const actor: ChatUser = {
          platform: "slack",
          tenant: body.team?.id ?? body.user.team_id ?? "",
          user: body.user.id,
          ...(body.user.username ? { displayName: `@${body.user.username}` } : {}),
        };
        const where = { channel, user: body.user.id, threadTs: messageTs };
        const api = clientsAs(opts.api, actor);
        try {
          if (actionId === ACTION.rollback) {
            await post(client, where, await rollback(api, ref), actor);
            return;
          }
          const updated = await vote(api, ref, actionId === ACTION.approve);
          // The approval request itself shows the new count; it stays the one message to look at.
          await client.chat.update({ channel, ts: messageTs, ...toBlocks(updated) });
          if (updated.follow) await follow(client, channel, messageTs, updated.follow, actor);
        } catch (err) {
          await post(client, where, errorCard(err));
        }
      } finally {
        release();
      }
    },
  );

  app.error(async (err) => {
    log.error("slack listener failed", { err: err.message });
  });

  let bound = { url: "", port: 0 };
  if (!receiver) {
    await app.start();
    log.info("slack bot connected in Socket Mode");
  } else if (!opts.mounted) {
    bound = await receiver.start(opts.port ?? 0);
    log.info("slack bot listening", { url: bound.url });
  }
  const feed: Feed | undefined = opts.notifications
    ? startFeed({
        api: opts.api,
        platform: "slack",
        log,
        ...(opts.notifications.retryMs === undefined ? {} : { retryMs: opts.notifications.retryMs }),
        async deliver(n) {
          await app.client.chat.postMessage({ channel: n.channel, ...toBlocks(notificationCard(n)) });
        },
        messages: {
          async post(channel, c) {
            const res = await app.client.chat.postMessage({ channel, ...toBlocks(c) });
            if (!res.ts) throw new Error(`chat.postMessage to ${channel} returned no ts`);
            return res.ts;
          },
          async edit(channel, ts, c) {
            await app.client.chat.update({ channel, ts, ...toBlocks(c) });
          },
        },
        ...(opts.notifications.minEditMs === undefined ? {} : { minEditMs: opts.notifications.minEditMs }),
      })
    : undefined;
  const settled = async () => {
    await receiver?.settled();
    while (work.size > 0) await Promise.allSettled([...work]);
  };
  return {
    ...bound,
    fetch: (req) => receiver?.fetch(req) ?? Promise.resolve(new Response("not found", { status: 404 })),
    settled,
    delivered: () => feed?.delivered() ?? 0,
    async stop() {
      await feed?.stop();
      aborts.abort();
      if (receiver) await receiver.stop();
      else await app.stop();
      await settled();
    },
  };
}
