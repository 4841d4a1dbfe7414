// The Discord front end over the gateway: `!migratrix …` messages (MESSAGE_CREATE, needs the
// Message Content intent), ✅ / ❌ reactions on approval requests (MESSAGE_REACTION_ADD; removing
// a reaction changes no vote), and run progress as edits of one message per run.
import {
  Client,
  Events,
  GatewayIntentBits,
  type Message,
  type MessageReaction,
  type PartialMessage,
  type PartialMessageReaction,
  Partials,
  type PartialUser,
  type SendableChannels,
  type User,
} from "discord.js";
import type { Logger } from "../../common/log.ts";
import { type ApiConfig, type ChatUser, clientsAs } from "../core/api.ts";
import { type Feed, notificationCard, startFeed } from "../core/feed.ts";
import { errorCard, handleText, vote } from "../core/handle.ts";
import { followRun, progressCard, startOf } from "../core/progress.ts";
import { type Card, stageRefCodec } from "../core/view.ts";
import { APPROVE, REJECT, toEmbed } from "./embeds.ts";

export const PREFIX = "!migratrix";

export interface DiscordBotOptions {
  api: ApiConfig;
  /** The bot token from the Discord developer portal. */
  token: string;
  /** REST base (default https://discord.com/api); the gateway URL comes from GET /gateway/bot. */
  restApi?: string;
  log: Logger;
  /** Post the workspace's notifications routed to Discord (WatchNotifications); off when unset. */
  notifications?: { retryMs?: number; minEditMs?: number };
}

export interface DiscordBot {
  client: Client;
  /** Resolves when every event's work (including runs being followed) is done. */
  settled(): Promise<void>;
  /** Follows runs with progress messages in a channel (slash commands over HTTP have no gateway message). */
  follow(channelId: string, f: NonNullable<Card["follow"]>, actor: ChatUser): Promise<void>;
  /** Notifications this process posted and acknowledged. */
  delivered(): number;
  stop(): Promise<void>;
}

export async function startDiscordBot(opts: DiscordBotOptions): Promise<DiscordBot> {
  const log = opts.log.child({ bot: "discord" });
  const client = new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.GuildMessageReactions,
      GatewayIntentBits.MessageContent,
    ],
    // Reactions on messages from before a restart arrive uncached: partials let them through.
    partials: [Partials.Message, Partials.Channel, Partials.Reaction, Partials.User],
    ...(opts.restApi ? { rest: { api: opts.restApi } } : {}),
  });
  const pending = new Set<Promise<unknown>>();
  const aborts = new AbortController();
  const track = (p: Promise<unknown>) => {
    const done = p.catch((err: unknown) => log.error("discord event failed", { err }));
    pending.add(done);
    done.finally(() => pending.delete(done));
  };

  async function send(channel: SendableChannels, c: Card, opts2: { replyTo?: string; actor?: ChatUser } = {}) {
    const sent = await channel.send({
      embeds: [toEmbed(c)],
      // Embeds never ping: mentions go in the content, limited to exactly those users.
      ...(c.mentions && c.mentions.length > 0
        ? { content: c.mentions.map((u) => `<@${u}>`).join(" "), allowedMentions: { users: c.mentions } }
        : {}),
      ...(opts2.replyTo ? { reply: { messageReference: opts2.replyTo, failIfNotExists: false } } : {}),
    });
    if (c.vote) {
      await sent.react(APPROVE);
      await sent.react(REJECT);
    }
    if (c.follow && opts2.actor) await follow(channel, sent.id, c.follow, opts2.actor);
  }

  async function follow(
    channel: SendableChannels,
    replyTo: string | undefined,
    f: NonNullable<Card["follow"]>,
    actor: ChatUser,
  ) {
    await Promise.all(
      f.runs.map(async (run) => {
        const first = toEmbed(progressCard(f.ref, startOf(run)));
        const progress = await channel.send({
          embeds: [first],
          ...(replyTo ? { reply: { messageReference: replyTo, failIfNotExists: false } } : {}),
        });
        let last = JSON.stringify(first);
        await followRun(
          clientsAs(opts.api, actor),
          run,
          async (p) => {
            const next = toEmbed(progressCard(f.ref, p));
            const key = JSON.stringify(next);
            if (key === last) return;
            last = key;
            await progress.edit({ embeds: [next] });
          },
          aborts.signal,
        );
      }),
    );
  }

  async function onMessage(message: Message) {
    if (message.author.bot || !message.inGuild()) return;
    const content = message.content.trim();
    if (!content.toLowerCase().startsWith(PREFIX)) return;
    const actor: ChatUser = {
      platform: "discord",
      tenant: message.guildId,
      user: message.author.id,
      displayName: message.author.username,
    };
    const result = await handleText({ api: opts.api, actor }, content.slice(PREFIX.length));
    if (!message.channel.isSendable()) return;
    await send(message.channel, result, { replyTo: message.id, actor });
  }

  async function onReaction(r: MessageReaction | PartialMessageReaction, user: User | PartialUser) {
    if (user.id === client.user?.id) return;
    const emoji = r.emoji.name;
    if (emoji !== APPROVE && emoji !== REJECT) return;
    const message: Message | PartialMessage = r.message.partial ? await r.message.fetch() : r.message;
    if (message.author?.id !== client.user?.id || !message.guildId) return;
    const ref = stageRefCodec.decode(message.embeds[0]?.footer?.text);
    if (!ref) return;
    const actor: ChatUser = { platform: "discord", tenant: message.guildId, user: user.id };
    try {
      const updated = await vote(clientsAs(opts.api, actor), ref, emoji === APPROVE);
      await message.edit({ embeds: [toEmbed(updated)] });
      if (updated.follow && message.channel.isSendable())
        await follow(message.channel, message.id, updated.follow, actor);
    } catch (err) {
      // A reaction cannot be answered privately: the refusal goes to the channel, naming the user.
      if (!message.channel.isSendable()) return;
      const refusal = errorCard(err);
      await message.channel.send({
        content: `<@${user.id}>`,
        embeds: [toEmbed(refusal)],
        reply: { messageReference: message.id, failIfNotExists: false },
        allowedMentions: { users: [user.id] },
      });
    }
  }

  client.on(Events.MessageCreate, (m) => track(onMessage(m)));
  client.on(Events.MessageReactionAdd, (r, u) => track(onReaction(r, u)));
  client.on(Events.Error, (err) => log.error("discord client error", { err: err.message }));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(opts.token);
  await ready;
  log.info("discord bot connected", { user: client.user?.id });
  const feed: Feed | undefined = opts.notifications
    ? startFeed({
        api: opts.api,
        platform: "discord",
        log,
        ...(opts.notifications.retryMs === undefined ? {} : { retryMs: opts.notifications.retryMs }),
        async deliver(n) {
          const channel = await client.channels.fetch(n.channel);
          if (!channel?.isSendable()) throw new Error(`channel ${n.channel} is not one the bot can post in`);
          await send(channel, notificationCard(n));
        },
        messages: {
          async post(channelId, c) {
            const channel = await client.channels.fetch(channelId);
            if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not one the bot can post in`);
            return (await channel.send({ embeds: [toEmbed(c)] })).id;
          },
          async edit(channelId, messageId, c) {
            const channel = await client.channels.fetch(channelId);
            if (!channel?.isTextBased()) throw new Error(`channel ${channelId} is not a text channel`);
            await channel.messages.edit(messageId, { embeds: [toEmbed(c)] });
          },
        },
        ...(opts.notifications.minEditMs === undefined ? {} : { minEditMs: opts.notifications.minEditMs }),
      })
    : undefined;

  return {
    client,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async follow(channelId, f, actor) {
      const channel = await client.channels.fetch(channelId);
      if (!channel?.isSendable()) throw new Error(`channel ${channelId} is not one the bot can post in`);
      const done = follow(channel, undefined, f, actor);
      track(done);
      await done;
    },
    delivered: () => feed?.delivered() ?? 0,
    async stop() {
      await feed?.stop();
      aborts.abort();
      await client.destroy();
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
