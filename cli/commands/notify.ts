// mx notify set|list|remove: which Slack or Discord channel hears which flow's / environment's
// notifications (approval needed, run completed / failed, rollback done, drift detected, transfers).
import {
  ListNotificationRoutesResponseSchema,
  NotificationKind,
  type NotificationRoute,
  NotificationRouteSchema,
} from "../../proto/gen/migratrix/control/v1/notification_pb.ts";
import { UsageError } from "../errors.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

const KINDS: Record<string, NotificationKind> = {
  approval: NotificationKind.APPROVAL_NEEDED,
  completed: NotificationKind.RUN_COMPLETED,
  failed: NotificationKind.RUN_FAILED,
  rollback: NotificationKind.ROLLBACK_COMPLETED,
  drift: NotificationKind.DRIFT_DETECTED,
  transfer: NotificationKind.TRANSFER,
};

const kindLabel = (k: NotificationKind) => Object.entries(KINDS).find(([, v]) => v === k)?.[0] ?? String(k);

function parseKinds(text: string | undefined): NotificationKind[] {
  if (text === undefined || text.trim() === "" || text === "all") return [];
  return text.split(",").map((word) => {
    const k = KINDS[word.trim()];
    if (k === undefined) {
      throw new UsageError(
        `--kinds: unknown kind '${word.trim()}' (known: ${Object.keys(KINDS).join(", ")}, all)`,
        "notify set",
      );
    }
    return k;
  });
}

const row = (r: NotificationRoute) => [
  r.name,
  r.platform,
  r.channel,
  r.flow || "*",
  r.environment || "*",
  r.kinds.length === 0 ? "all" : r.kinds.map(kindLabel).join(","),
  formatTime(r.updatedAt),
];

const HEADER = ["NAME", "PLATFORM", "CHANNEL", "FLOW", "ENV", "KINDS", "UPDATED"];

export const notifyRouteSet = defineCommand({
  path: ["notify", "set"],
  summary: "route notifications to a Slack or Discord channel (creates or replaces NAME)",
  args: ["NAME"],
  options: {
    platform: { type: "string", value: "P", description: "slack or discord (required)" },
    channel: { type: "string", value: "ID", description: "the channel id: Slack C…, Discord snowflake (required)" },
    flow: { type: "string", value: "F", description: "only this flow's notifications (default every flow)" },
    env: { type: "string", value: "E", description: "only this environment's (default every environment)" },
    kinds: {
      type: "string",
      value: "K,…",
      description: "approval, completed, failed, rollback, drift, transfer (default all)",
    },
  },
  details: [
    "The bots (bun run bots) post what is routed to their platform; the control plane keeps each",
    "platform's delivery position, so a restarted bot resumes where it stopped. A route for",
    "--kinds approval on the protected stage is the eligible approvers' channel: the request names",
    "them (linked accounts) and carries Approve / Reject buttons (Slack) or ✅ / ❌ (Discord).",
  ],
  async run({ out, input, clients }) {
    const name = input.positionals[0];
    if (!name) throw new UsageError("NAME is required", "notify set");
    const platform = input.string("platform");
    const channel = input.string("channel");
    if (!platform || !channel) throw new UsageError("--platform and --channel are required", "notify set");
    const res = await clients().notifications.setNotificationRoute({
      name,
      platform,
      channel,
      flow: input.string("flow") ?? "",
      environment: input.string("env") ?? "",
      kinds: parseKinds(input.string("kinds")),
    });
    if (out.json) out.document(res.route ? protoJson(NotificationRouteSchema, res.route) : null);
    else if (res.route) out.table(HEADER, [row(res.route)]);
    return 0;
  },
});

export const notifyRouteList = defineCommand({
  path: ["notify", "list"],
  summary: "list notification routes",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().notifications.listNotificationRoutes({});
    if (out.json) out.document(protoJson(ListNotificationRoutesResponseSchema, res));
    else out.table(HEADER, res.routes.map(row), { empty: "no notification routes: mx notify set NAME …" });
    return 0;
  },
});

export const notifyRouteRemove = defineCommand({
  path: ["notify", "remove"],
  summary: "remove a notification route",
  args: ["NAME"],
  options: {},
  async run({ out, input, clients }) {
    const name = input.positionals[0];
    if (!name) throw new UsageError("NAME is required", "notify remove");
    await clients().notifications.removeNotificationRoute({ name });
    if (out.json) out.document({ removed: name });
    else out.line(`removed notification route ${name}`);
    return 0;
  },
});
