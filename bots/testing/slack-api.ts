// Test stand-in for https://slack.com/api/: records every Web API call the bot makes (method, token,
// arguments with blocks decoded) and answers like Slack; waitFor resolves when a matching call lands.
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
      case "chat.postEphemeral":
        return { ok: true, message_ts: `${++ts}.000200` };
      default:
        return { ok: false, error: "unknown_method" };
    }
  };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const method = new URL(req.url).pathname.replace(/^\/api\//, "");
      const raw = await req.text();
      const type = req.headers.get("content-type") ?? "";
      const args = type.includes("json")
        ? (JSON.parse(raw) as Record<string, unknown>)
        : decode(Object.fromEntries(new URLSearchParams(raw)));
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
    async stop() {
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
