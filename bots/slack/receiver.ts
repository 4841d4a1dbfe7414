// A bolt Receiver on Bun.serve: every request is checked with bolt's own verifySlackRequest (v0
// HMAC-SHA256 over "v0:timestamp:body", constant-time compare, stale after 5 minutes) before bolt
// sees it. Bolt accepts a valid request again within those 5 minutes, so a replay cache keyed by
// signature refuses the same signed request twice; bolt also does not refuse timestamps from the
// future, which this receiver does (same 5-minute window).
import { type App, type Receiver, type ReceiverEvent, verifySlackRequest } from "@slack/bolt";
import type { Logger } from "../../common/log.ts";

export const WINDOW_SECONDS = 5 * 60;

export interface BunReceiverOptions {
  signingSecret: string;
  /** Path Slack posts to (slash commands, interactivity); default /slack/events. */
  path?: string;
  hostname?: string;
  log: Logger;
  /** Milliseconds since the epoch (tests move the clock). */
  now?: () => number;
}

type Body = Record<string, unknown>;

function parseBody(raw: string, contentType: string): Body {
  if (contentType.includes("application/json")) return JSON.parse(raw) as Body;
  const form = Object.fromEntries(new URLSearchParams(raw));
  // Interactivity posts its JSON in a "payload" form field.
  return typeof form.payload === "string" ? (JSON.parse(form.payload) as Body) : form;
}

export class BunReceiver implements Receiver {
  private app: App | undefined;
  private server: ReturnType<typeof Bun.serve> | undefined;
  /** Signatures seen inside the window, with when they fall out of it. */
  private readonly seen = new Map<string, number>();
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly opts: BunReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  /** Starts listening; port 0 picks a free port. */
  async start(port: number): Promise<{ url: string; port: number }> {
    this.server = Bun.serve({ port, hostname: this.opts.hostname ?? "127.0.0.1", fetch: (req) => this.fetch(req) });
    const bound = this.server.port ?? port;
    return { url: `http://${this.server.hostname}:${bound}${this.opts.path ?? "/slack/events"}`, port: bound };
  }

  async stop(): Promise<void> {
    await this.server?.stop(true);
    this.server = undefined;
  }

  /** Work still running after the HTTP answer (listeners after ack()). */
  track(p: Promise<unknown>): void {
    this.pending.add(p);
    p.finally(() => this.pending.delete(p)).catch(() => {});
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private refuse(why: string, status = 401): Response {
    this.opts.log.warn("slack request refused", { why });
    return new Response(why, { status });
  }

  /** Null when the request is authentic and new; the refusal otherwise. */
  private verify(raw: string, headers: Headers): Response | null {
    const signature = headers.get("x-slack-signature") ?? "";
    const ts = Number(headers.get("x-slack-request-timestamp") ?? "");
    const nowMs = this.opts.now?.() ?? Date.now();
    if (!Number.isInteger(ts) || signature === "") return this.refuse("missing or malformed Slack signature headers");
    if (Math.abs(Math.floor(nowMs / 1000) - ts) > WINDOW_SECONDS) return this.refuse("stale or future timestamp");
    try {
      verifySlackRequest({
        signingSecret: this.opts.signingSecret,
        body: raw,
        headers: { "x-slack-signature": signature, "x-slack-request-timestamp": ts },
        nowMilliseconds: nowMs,
      });
    } catch (err) {
      return this.refuse(err instanceof Error ? err.message : "signature verification failed");
    }
    for (const [sig, until] of this.seen) if (until < nowMs) this.seen.delete(sig);
    if (this.seen.has(signature)) return this.refuse("replayed request");
    this.seen.set(signature, (ts + WINDOW_SECONDS) * 1000);
    return null;
  }

  /** One HTTP request: verified, then handed to bolt; usable without start() (mounted elsewhere). */
  async fetch(req: Request): Promise<Response> {
    const path = new URL(req.url).pathname;
    if (req.method !== "POST" || path !== (this.opts.path ?? "/slack/events"))
      return new Response("not found", { status: 404 });
    const raw = await req.text();
    const refused = this.verify(raw, req.headers);
    if (refused) return refused;
    let body: Body;
    try {
      body = parseBody(raw, req.headers.get("content-type") ?? "");
    } catch {
      return new Response("body is not valid form data or JSON", { status: 400 });
    }
    if (body.ssl_check) return new Response("", { status: 200 });
    if (body.type === "url_verification") return Response.json({ challenge: body.challenge });
    const app = this.app;
    if (!app) return new Response("receiver not initialised", { status: 503 });

    const { promise: acked, resolve } = Promise.withResolvers<{ body: unknown } | null>();
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => resolve({ body: response }),
    };
    const processing = app.processEvent(event).then(
      () => resolve(null),
      (err: unknown) => {
        this.opts.log.error("slack event failed", { err });
        resolve(null);
      },
    );
    this.track(processing);
    const answer = await acked;
    if (answer === null) return new Response("", { status: 200 });
    if (answer.body === undefined || answer.body === "") return new Response("", { status: 200 });
    return typeof answer.body === "string" ? new Response(answer.body) : Response.json(answer.body);
  }
}
