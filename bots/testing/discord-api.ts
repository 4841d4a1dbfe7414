// Test stand-in for Discord: the REST API (gateway info, channel messages, edits, reactions) and the
// gateway WebSocket (HELLO, IDENTIFY → READY, GUILD_CREATE, heartbeats), driven by the test to send
// MESSAGE_CREATE, MESSAGE_REACTION_ADD and MESSAGE_REACTION_REMOVE to the connected bot.
import type { ServerWebSocket } from "bun";

export const GUILD = "100000000000000001";
export const CHANNEL = "100000000000000002";
export const BOT_USER = "100000000000000003";
export const APP_ID = "100000000000000004";

export interface DiscordMessage {
  id: string;
  channel_id: string;
  guild_id: string;
  author: { id: string; username: string; bot: boolean };
  content: string;
  embeds: {
    title?: string;
    description?: string;
    color?: number;
    fields?: { name: string; value: string }[];
    footer?: { text: string };
  }[];
  message_reference?: { message_id: string };
  /** Edits applied, oldest first (the stand-in keeps the history for assertions). */
  edits: number;
  /** Reactions the bot added. */
  reactions: string[];
}

export interface RestCall {
  method: string;
  path: string;
  body: unknown;
}

export interface DiscordStandIn {
  restApi: string;
  messages: Map<string, DiscordMessage>;
  calls: RestCall[];
  /** Resolves when a REST call matches (now or later). */
  waitFor(match: (c: RestCall) => boolean, what: string, timeoutMs?: number): Promise<RestCall>;
  /** Resolves once a bot has identified (READY sent). */
  identified(): Promise<void>;
  messageCreate(author: { id: string; username: string }, content: string): string;
  reactionAdd(user: { id: string; username: string }, messageId: string, emoji: string): void;
  reactionRemove(user: { id: string }, messageId: string, emoji: string): void;
  stop(): Promise<void>;
}

type Socket = ServerWebSocket<{ id: number }>;

export function startDiscord(): DiscordStandIn {
  const messages = new Map<string, DiscordMessage>();
  const calls: RestCall[] = [];
  const waiters: { match: (c: RestCall) => boolean; resolve: (c: RestCall) => void }[] = [];
  const sockets = new Set<Socket>();
  const ready = Promise.withResolvers<void>();
  let seq = 0;
  let nextId = 200000000000000000n;
  const snowflake = () => String(++nextId);
  const botUser = {
    id: BOT_USER,
    username: "migratrix",
    discriminator: "0",
    global_name: null,
    avatar: null,
    bot: true,
  };

  const dispatch = (t: string, d: unknown) => {
    const frame = JSON.stringify({ op: 0, t, s: ++seq, d });
    for (const ws of sockets) ws.send(frame);
  };

  const record = (c: RestCall) => {
    calls.push(c);
    for (const w of [...waiters]) {
      if (w.match(c)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(c);
      }
    }
  };

  const apiMessage = (m: DiscordMessage) => ({
    id: m.id,
    channel_id: m.channel_id,
    guild_id: m.guild_id,
    author: { ...m.author, discriminator: "0", global_name: null, avatar: null },
    content: m.content,
    embeds: m.embeds,
    timestamp: new Date().toISOString(),
    edited_timestamp: m.edits > 0 ? new Date().toISOString() : null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    pinned: false,
    type: m.message_reference ? 19 : 0,
    flags: 0,
    ...(m.message_reference
      ? { message_reference: { ...m.message_reference, channel_id: m.channel_id, guild_id: m.guild_id } }
      : {}),
  });

  const server = Bun.serve<{ id: number }>({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req, srv) {
      const url = new URL(req.url);
      if (url.pathname === "/gateway") {
        return srv.upgrade(req, { data: { id: sockets.size } })
          ? undefined
          : new Response("upgrade failed", { status: 400 });
      }
      const path = url.pathname.replace(/^\/api\/v\d+/, "");
      const raw = await req.text();
      const body = raw === "" ? undefined : (JSON.parse(raw) as Record<string, unknown>);
      record({ method: req.method, path, body });
      if (req.method === "GET" && path === "/gateway/bot") {
        return Response.json({
          url: `ws://127.0.0.1:${srv.port}/gateway`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        });
      }
      const msg = /^\/channels\/(\d+)\/messages(?:\/(\d+))?(?:\/reactions\/([^/]+)\/@me)?$/.exec(path);
      if (msg) {
        const [, channel, id, emoji] = msg;
        if (req.method === "POST" && !id) {
          const b = body as {
            content?: string;
            embeds?: DiscordMessage["embeds"];
            message_reference?: { message_id: string };
          };
          const m: DiscordMessage = {
            id: snowflake(),
            channel_id: channel ?? CHANNEL,
            guild_id: GUILD,
            author: { id: BOT_USER, username: "migratrix", bot: true },
            content: b.content ?? "",
            embeds: b.embeds ?? [],
            edits: 0,
            reactions: [],
            ...(b.message_reference ? { message_reference: { message_id: b.message_reference.message_id } } : {}),
          };
          messages.set(m.id, m);
          return Response.json(apiMessage(m));
        }
        const m = id ? messages.get(id) : undefined;
        if (!m) return Response.json({ message: "Unknown Message", code: 10008 }, { status: 404 });
        if (req.method === "GET") return Response.json(apiMessage(m));
        if (req.method === "PATCH") {
          const b = body as { content?: string; embeds?: DiscordMessage["embeds"] };
          if (b.content !== undefined) m.content = b.content;
          if (b.embeds !== undefined) m.embeds = b.embeds;
          m.edits++;
          return Response.json(apiMessage(m));
        }
        if (req.method === "PUT" && emoji) {
          m.reactions.push(decodeURIComponent(emoji));
          return new Response(null, { status: 204 });
        }
      }
      return Response.json({ message: "404: Not Found", code: 0 }, { status: 404 });
    },
    websocket: {
      open(ws) {
        sockets.add(ws);
        ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 }, s: null, t: null }));
      },
      message(ws, data) {
        const frame = JSON.parse(String(data)) as { op: number; d: unknown };
        if (frame.op === 1) ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
        if (frame.op === 2) {
          ws.send(
            JSON.stringify({
              op: 0,
              t: "READY",
              s: ++seq,
              d: {
                v: 10,
                user: botUser,
                guilds: [{ id: GUILD, unavailable: true }],
                session_id: `session-${ws.data.id}`,
                resume_gateway_url: `ws://127.0.0.1:${server.port}/gateway`,
                shard: [0, 1],
                application: { id: APP_ID, flags: 0 },
                private_channels: [],
                relationships: [],
              },
            }),
          );
          ws.send(
            JSON.stringify({
              op: 0,
              t: "GUILD_CREATE",
              s: ++seq,
              d: {
                id: GUILD,
                name: "migratrix-test",
                icon: null,
                owner_id: "1",
                afk_timeout: 300,
                verification_level: 0,
                default_message_notifications: 0,
                explicit_content_filter: 0,
                roles: [
                  {
                    id: GUILD,
                    name: "@everyone",
                    permissions: "0",
                    position: 0,
                    color: 0,
                    hoist: false,
                    managed: false,
                    mentionable: false,
                    flags: 0,
                  },
                ],
                emojis: [],
                features: [],
                mfa_level: 0,
                system_channel_flags: 0,
                premium_tier: 0,
                preferred_locale: "en-US",
                nsfw_level: 0,
                stickers: [],
                premium_progress_bar_enabled: false,
                joined_at: new Date().toISOString(),
                large: false,
                unavailable: false,
                member_count: 1,
                voice_states: [],
                members: [],
                channels: [
                  {
                    id: CHANNEL,
                    type: 0,
                    guild_id: GUILD,
                    name: "deploys",
                    position: 0,
                    permission_overwrites: [],
                    topic: null,
                    nsfw: false,
                    last_message_id: null,
                    rate_limit_per_user: 0,
                    parent_id: null,
                  },
                ],
                threads: [],
                presences: [],
                stage_instances: [],
                guild_scheduled_events: [],
              },
            }),
          );
          ready.resolve();
        }
      },
      close(ws) {
        sockets.delete(ws);
      },
    },
  });

  const member = (u: { id: string; username: string }) => ({
    user: { id: u.id, username: u.username, discriminator: "0", global_name: null, avatar: null, bot: false },
    roles: [],
    joined_at: new Date().toISOString(),
    deaf: false,
    mute: false,
    flags: 0,
  });

  return {
    restApi: `http://127.0.0.1:${server.port}/api`,
    messages,
    calls,
    waitFor(match, what, timeoutMs = 10_000) {
      const done = calls.find(match);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no Discord REST call ${what} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          match,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
    identified: () => ready.promise,
    messageCreate(author, content) {
      const id = snowflake();
      const { user, ...rest } = member(author);
      dispatch("MESSAGE_CREATE", {
        id,
        channel_id: CHANNEL,
        guild_id: GUILD,
        author: user,
        member: rest,
        content,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        pinned: false,
        type: 0,
        flags: 0,
      });
      return id;
    },
    reactionAdd(user, messageId, emoji) {
      dispatch("MESSAGE_REACTION_ADD", {
        user_id: user.id,
        channel_id: CHANNEL,
        message_id: messageId,
        guild_id: GUILD,
        member: member(user),
        emoji: { id: null, name: emoji },
        burst: false,
        type: 0,
      });
    },
    reactionRemove(user, messageId, emoji) {
      dispatch("MESSAGE_REACTION_REMOVE", {
        user_id: user.id,
        channel_id: CHANNEL,
        message_id: messageId,
        guild_id: GUILD,
        emoji: { id: null, name: emoji },
        burst: false,
        type: 0,
      });
    },
    async stop() {
      for (const ws of sockets) ws.close(1000, "stand-in stopping");
      await server.stop(true);
    },
  };
}
