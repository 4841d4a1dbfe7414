// Discord's HTTP interactions endpoint: slash commands (/migratrix command:<text>) posted by Discord
// and verified with Ed25519 over timestamp + body against the application's public key; a bad or
// missing signature gets 401 (Discord itself probes the endpoint with bad signatures). Served on its
// own port (`bun run bots`) or as a handler mounted on the control plane (`bun start`).

import { MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import type { ApiConfig, ChatUser } from "../core/api.ts";
import { handleText } from "../core/handle.ts";
import type { Card } from "../core/view.ts";
import { toEmbed } from "./embeds.ts";

const PING = 1;
const APPLICATION_COMMAND = 2;
const PONG = 1;
const CHANNEL_MESSAGE_WITH_SOURCE = 4;
const EPHEMERAL = 1 << 6;
/** A signed timestamp older (or newer) than this is refused, like Slack's window. */
const WINDOW_SECONDS = 5 * 60;

export interface InteractionsHandlerOptions {
  api: ApiConfig;
  /** The application's public key, hex (Developer Portal → General Information). */
  publicKey: string;
  log: Logger;
  /** Follows a card's runs with progress messages in the channel; without it progress is not followed. */
  follow?: (channelId: string, f: NonNullable<Card["follow"]>, actor: ChatUser) => Promise<void>;
  now?: () => number;
}

export interface InteractionsOptions extends InteractionsHandlerOptions {
  port?: number;
  hostname?: string;
  path?: string;
}

/** Answers one POSTed interaction (verified first; 401 otherwise), wherever it is mounted. */
export interface InteractionsHandler {
  fetch(req: Request): Promise<Response>;
  /** Resolves once the runs followed so far are followed to their end. */
  settled(): Promise<void>;
}

export interface InteractionsEndpoint {
  url: string;
  port: number;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

function hexBytes(hex: string, what: string): Uint8Array<ArrayBuffer> {
  if (!/^(?:[0-9a-f]{2})+$/i.test(hex)) throw new MigratrixError("invalid_argument", `${what} must be hex`);
  return Uint8Array.from(hex.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
}

export async function importPublicKey(hex: string): Promise<CryptoKey> {
  const raw = hexBytes(hex, "DISCORD_PUBLIC_KEY");
  if (raw.length !== 32) {
    throw new MigratrixError(
      "invalid_argument",
      `DISCORD_PUBLIC_KEY must be 32 bytes (64 hex digits), got ${raw.length} bytes`,
    );
  }
  return crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
}

interface Interaction {
  type: number;
  guild_id?: string;
  channel_id?: string;
  member?: { user?: { id: string; username?: string } };
  user?: { id: string; username?: string };
  data?: { name?: string; options?: { name: string; value?: unknown }[] };
}

export async function createInteractionsHandler(opts: InteractionsHandlerOptions): Promise<InteractionsHandler> {
  const log = opts.log.child({ bot: "discord-interactions" });
  const key = await importPublicKey(opts.publicKey);
  const pending = new Set<Promise<unknown>>();

  async function verified(req: Request, raw: string): Promise<boolean> {
    const sig = req.headers.get("x-signature-ed25519") ?? "";
    const ts = req.headers.get("x-signature-timestamp") ?? "";
    if (!/^[0-9a-f]{128}$/i.test(sig) || !/^\d+$/.test(ts)) return false;
    const now = Math.floor((opts.now?.() ?? Date.now()) / 1000);
    if (Math.abs(now - Number(ts)) > WINDOW_SECONDS) return false;
    return crypto.subtle.verify(
      { name: "Ed25519" },
      key,
      hexBytes(sig, "signature"),
      new TextEncoder().encode(ts + raw),
    );
  }

  async function answer(i: Interaction): Promise<Response> {
    if (i.type === PING) return Response.json({ type: PONG });
    if (i.type !== APPLICATION_COMMAND || i.data?.name !== "migratrix") {
      return Response.json({
        type: CHANNEL_MESSAGE_WITH_SOURCE,
        data: { content: "Unsupported interaction.", flags: EPHEMERAL },
      });
    }
    const who = i.member?.user ?? i.user;
    if (!i.guild_id || !who) {
      return Response.json({
        type: CHANNEL_MESSAGE_WITH_SOURCE,
        data: { content: "Use /migratrix in a server channel: your link is per server.", flags: EPHEMERAL },
      });
    }
    const actor: ChatUser = {
      platform: "discord",
      tenant: i.guild_id,
      user: who.id,
      ...(who.username ? { displayName: who.username } : {}),
    };
    const text = String(i.data.options?.find((o) => o.name === "command")?.value ?? "help");
    const result = await handleText({ api: opts.api, actor }, text);
    if (result.follow && i.channel_id && opts.follow) {
      // Progress goes to the channel as its own messages, edited as the run advances.
      const p = opts
        .follow(i.channel_id, result.follow, actor)
        .catch((err: unknown) => log.error("discord follow-up failed", { err }));
      pending.add(p);
      p.finally(() => pending.delete(p));
    }
    return Response.json({
      type: CHANNEL_MESSAGE_WITH_SOURCE,
      data: { embeds: [toEmbed(result)], ...(result.ephemeral ? { flags: EPHEMERAL } : {}) },
    });
  }

  return {
    async fetch(req) {
      const raw = await req.text();
      if (!(await verified(req, raw))) {
        log.warn("discord interaction refused: bad signature");
        return new Response("invalid request signature", { status: 401 });
      }
      let interaction: Interaction;
      try {
        interaction = JSON.parse(raw) as Interaction;
      } catch {
        return new Response("body is not JSON", { status: 400 });
      }
      return answer(interaction);
    },
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

export async function startInteractions(opts: InteractionsOptions): Promise<InteractionsEndpoint> {
  const handler = await createInteractionsHandler(opts);
  const path = opts.path ?? "/discord/interactions";
  const server = Bun.serve({
    port: opts.port ?? 0,
    hostname: opts.hostname ?? "127.0.0.1",
    fetch(req) {
      if (req.method !== "POST" || new URL(req.url).pathname !== path)
        return new Response("not found", { status: 404 });
      return handler.fetch(req);
    },
  });
  const port = server.port ?? 0;
  opts.log.child({ bot: "discord-interactions" }).info("discord interactions endpoint listening", { port });
  return {
    url: `http://${server.hostname}:${port}${path}`,
    port,
    settled: () => handler.settled(),
    async stop() {
      await server.stop(true);
      await handler.settled();
    },
  };
}
