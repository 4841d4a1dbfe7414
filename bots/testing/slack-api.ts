// Test stand-in for https://slack.com/api/: records every Web API call the bot makes (method, token,
// arguments with blocks decoded) and answers like Slack; waitFor resolves when a matching call lands.
// It also serves Socket Mode: apps.connections.open hands out its own WebSocket, which says hello
// and carries envelopes the test sends, resolving each with the client's acknowledgement.
import type { ServerWebSocket } from "bun";

export interface SlackCall {
  method: string;
  token: string;
  args: Record<string, unknown>;
  /** What the stand-in answered (e.g. the ts of a posted message). */
  result: Record<string, unknown>;
}

export interface SlackApiStandIn {
  /** Pass as the WebClient's slackApiUrl. */
  url: string;
  calls: SlackCall[];
  waitFor(match: (c: SlackCall) => boolean, what: string, timeoutMs?: number): Promise<SlackCall>;
  /**
   * A test hook at a fixed point: the next call matching `match` is held before it is recorded or
   * answered; `reached` resolves when it arrives, `release()` lets it through.
   */
  hold(match: (method: string, args: Record<string, unknown>) => boolean): { reached: Promise<void>; release(): void };
  /** Socket Mode: the WebSocket apps.connections.open hands out. */
  socket: {
    /** Resolves when a client has connected (hello sent). */
    connected(): Promise<void>;
    /** Connections open now. */
    open(): number;
    /** Sends an envelope (slash_commands, interactive, events_api); resolves with the client's ack payload. */
    send(type: string, payload: unknown): Promise<unknown>;
  };
  stop(): Promise<void>;
}

function decode(form: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(form)) {
    out[k] = (k === "blocks" || k === "attachments") && v.startsWith("[") ? JSON.parse(v) : v;
  }
  return out;
}

export function startSlackApi(team = "T1"): SlackApiStandIn {
  const calls: SlackCall[] = [];
  const waiters: { match: (c: SlackCall) => boolean; resolve: (c: SlackCall) => void }[] = [];
  const holds: {
    match: (method: string, args: Record<string, unknown>) => boolean;
    arrived: () => void;
    gate: Promise<void>;
  }[] = [];
  let ts = 1_700_000_000;
  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://example.slack.com/",
          team: "test",
          user: "migratrix",
          team_id: team,
          user_id: "UBOT",
          bot_id: "BBOT",
        };
      case "chat.postMessage":
        return { ok: true, channel: args.channel, ts: `${++ts}.000100`, message: { text: args.text } };
      case "chat.update":
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case "apps.connections.open":
        // Socket Mode: the WebSocket this stand-in serves at /socket.
        return { ok: true, url: `ws://127.0.0.1:${server.port}/socket` };
      case "chat.postEphemeral":
        return { ok: true, message_ts: `${++ts}.000200` };
      default:
        return { ok: false, error: "unknown_method" };
    }
  };
  const sockets = new Set<ServerWebSocket<unknown>>();
  const connected = Promise.withResolvers<void>();
  const acks = new Map<string, (payload: unknown) => void>();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    websocket: {
      open(ws) {
        sockets.add(ws);
        ws.send(
          JSON.stringify({
            type: "hello",
            num_connections: sockets.size,
            debug_info: { host: "stand-in", approximate_connection_time: 3600 },
            connection_info: { app_id: "A1" },
          }),
        );
        connected.resolve();
      },
      message(_ws, data) {
        const frame = JSON.parse(String(data)) as { envelope_id?: string; payload?: unknown };
        const done = frame.envelope_id ? acks.get(frame.envelope_id) : undefined;
        if (frame.envelope_id && done) {
          acks.delete(frame.envelope_id);
          done(frame.payload ?? null);
        }
      },
      close(ws) {
        sockets.delete(ws);
      },
    },
    async fetch(req, srv) {
      if (new URL(req.url).pathname === "/socket") {
        return srv.upgrade(req) ? undefined : new Response("upgrade failed", { status: 400 });
      }
      const method = new URL(req.url).pathname.replace(/^\/api\//, "");
      const raw = await req.text();
      const type = req.headers.get("content-type") ?? "";
      const args = type.includes("json")
        ? (JSON.parse(raw) as Record<string, unknown>)
        : decode(Object.fromEntries(new URLSearchParams(raw)));
      const held = holds.find((h) => h.match(method, args));
      if (held) {
        holds.splice(holds.indexOf(held), 1);
        held.arrived();
        await held.gate;
      }
      const token = (req.headers.get("authorization") ?? "").replace(/^Bearer /, "");
      const result = answer(method, args);
      const call = { method, token, args, result };
      calls.push(call);
      for (const w of [...waiters]) {
        if (w.match(call)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(call);
        }
      }
      return Response.json(result);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/api/`,
    calls,
    waitFor(match, what, timeoutMs = 10_000) {
      const done = calls.find(match);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no Slack call ${what} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          match,
          resolve: (c) => {
            clearTimeout(timer);
            resolve(c);
          },
        });
      });
    },
    socket: {
      connected: () => connected.promise,
      open: () => sockets.size,
      send(type, payload) {
        const envelopeId = crypto.randomUUID();
        const { promise, resolve } = Promise.withResolvers<unknown>();
        acks.set(envelopeId, resolve);
        const frame = JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true });
        for (const ws of sockets) ws.send(frame);
        return promise;
      },
    },
    hold(match) {
      const reached = Promise.withResolvers<void>();
      const gate = Promise.withResolvers<void>();
      holds.push({ match, arrived: reached.resolve, gate: gate.promise });
      return { reached: reached.promise, release: gate.resolve };
    },
    async stop() {
      for (const ws of sockets) ws.close(1000, "stand-in stopping");
      await server.stop(true);
    },
  };
}

/** A request signed like Slack signs it: v0 HMAC-SHA256 over "v0:timestamp:body". */
export function signSlack(secret: string, body: string, timestampSec: number): Record<string, string> {
  const hmac = new Bun.CryptoHasher("sha256", secret).update(`v0:${timestampSec}:${body}`).digest("hex");
  return { "x-slack-request-timestamp": String(timestampSec), "x-slack-signature": `v0=${hmac}` };
}

/** Posts a form body to the bot signed with the secret (or with the given headers). */
export function postSigned(
  url: string,
  secret: string,
  form: Record<string, string>,
  opts: { timestampSec?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  const body = new URLSearchParams(form).toString();
  const headers = opts.headers ?? signSlack(secret, body, opts.timestampSec ?? Math.floor(Date.now() / 1000));
  return fetch(url, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
  });
}

/** The form Slack posts for `/migratrix TEXT`. */
export function slashForm(text: string, user: { team: string; user: string; name?: string; channel?: string }) {
  return {
    command: "/migratrix",
    text,
    team_id: user.team,
    user_id: user.user,
    user_name: user.name ?? user.user.toLowerCase(),
    channel_id: user.channel ?? "C1",
    channel_name: "deploys",
    response_url: "http://127.0.0.1:9/unused",
    trigger_id: `trig.${crypto.randomUUID()}`,
    api_app_id: "A1",
    token: "deprecated-verification-token",
  };
}

/** The form Slack posts when a button of a message is clicked. */
export function buttonForm(
  actionId: string,
  value: string,
  who: { team: string; user: string },
  message: { channel: string; ts: string },
) {
  const payload = {
    type: "block_actions",
    api_app_id: "A1",
    token: "deprecated-verification-token",
    trigger_id: `trig.${crypto.randomUUID()}`,
    team: { id: who.team, domain: "test" },
    user: { id: who.user, username: who.user.toLowerCase(), team_id: who.team },
    channel: { id: message.channel, name: "deploys" },
    container: { type: "message", message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    message: { type: "message", ts: message.ts, text: "", blocks: [] },
    response_url: "http://127.0.0.1:9/unused",
    actions: [
      {
        type: "button",
        action_id: actionId,
        block_id: "b1",
        value,
        action_ts: String(Date.now() / 1000),
        text: { type: "plain_text", text: actionId },
      },
    ],
  };
  return { payload: JSON.stringify(payload) };
}
