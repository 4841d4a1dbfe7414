// The process entry: a bad environment exits 2 with every problem named; a good one starts, logs
// JSON lines that never contain the secrets, and stops on SIGTERM with exit 0.
import { describe, expect, test } from "bun:test";
import { startSlackApi } from "./testing/slack-api.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;
const SECRETS = {
  MIGRATRIX_BOT_TOKEN: "mxb-very-secret",
  SLACK_BOT_TOKEN: "xoxb-very-secret",
  SLACK_SIGNING_SECRET: "signing-very-secret",
};

function spawn(env: Record<string, string>) {
  return Bun.spawn(["bun", MAIN], { env: { PATH: process.env.PATH ?? "", ...env }, stdout: "pipe", stderr: "pipe" });
}

/** Reads stderr lines until one matches (or the stream ends); the reader stays usable after. */
async function untilLine(
  reader: { read(): Promise<{ value?: Uint8Array; done: boolean }> },
  match: (line: string) => boolean,
): Promise<string[]> {
  const lines: string[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done || value === undefined) return buffer === "" ? lines : [...lines, buffer];
    buffer += decoder.decode(value, { stream: true });
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (match(line)) return lines;
    }
  }
}

describe("bots/main.ts", () => {
  test("missing settings: exit 2, one JSON error naming them", async () => {
    const p = spawn({ SLACK_BOT_TOKEN: "xoxb-very-secret" });
    const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
    const line = JSON.parse(err.trim()) as { level: string; msg: string; code: string };
    expect([code, line.level, line.code, line.msg.split("\n")]).toEqual([
      2,
      "error",
      "invalid_argument",
      [
        "bots: 3 setting problem(s):",
        "- MIGRATRIX_URL is not set (the control plane, e.g. http://127.0.0.1:4000)",
        "- SLACK_SIGNING_SECRET is not set (Basic Information → App Credentials) but SLACK_BOT_TOKEN is; or set SLACK_APP_TOKEN for Socket Mode",
        "- MIGRATRIX_BOT_TOKEN (or MIGRATRIX_SLACK_BOT_TOKEN) is not set: `mx token create slack-bot --kind bot`",
      ],
    ]);
    expect(err).not.toContain("xoxb-very-secret");
  });

  test("Slack configured: listens, logs no secret, stops on SIGTERM", async () => {
    // Bolt checks the bot token with auth.test at start: against the stand-in, which records it.
    const slackApi = startSlackApi();
    const p = spawn({ MIGRATRIX_URL: "http://127.0.0.1:9", SLACK_PORT: "0", SLACK_API_URL: slackApi.url, ...SECRETS });
    const reader = p.stderr.getReader();
    const lines = await untilLine(reader, (l) => l.includes("slack bot listening"));
    const url = (JSON.parse(lines.at(-1) ?? "{}") as { url?: string }).url ?? "";
    expect(url).toMatch(/^http:\/\/0\.0\.0\.0:\d+\/slack\/events$/);
    // An unsigned request is refused: the receiver is up and verifying.
    const port = new URL(url).port;
    expect((await fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST", body: "x" })).status).toBe(401);
    p.kill("SIGTERM");
    const rest = await untilLine(reader, () => false);
    expect(await p.exited).toBe(0);
    const all = [...lines, ...rest].join("\n");
    // The notification feed and the resumption of open transfer messages cannot reach the (absent)
    // control plane: they warn (the feed retries), whenever that happens relative to the rest.
    const unreachable = ["notification feed interrupted; reconnecting", "open transfer messages not resumed"];
    expect(rest.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => !unreachable.includes(m))).toEqual([
      "slack request refused",
      "stopping",
    ]);
    for (const secret of Object.values(SECRETS)) expect(all).not.toContain(secret);
    expect(slackApi.calls.map((c) => [c.method, c.token])).toEqual([["auth.test", "xoxb-very-secret"]]);
    await slackApi.stop();
  });
});
