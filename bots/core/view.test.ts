// Card helpers and both renderings of one approval request: SQL collapsing, the stage reference
// codec (what a button or footer carries), Slack blocks and the Discord embed.
import { describe, expect, test } from "bun:test";
import { toEmbed } from "../discord/embeds.ts";
import { toBlocks } from "../slack/blocks.ts";
import { type Card, card, collapseSql, riskSummary, SQL_MAX_LINES, stageRefCodec } from "./view.ts";

describe("collapseSql", () => {
  test.each([
    ["short SQL stays whole", "select 1;", { text: "select 1;", totalLines: 1, collapsed: false }],
    [
      "long SQL shows its first lines",
      Array.from({ length: 20 }, (_, i) => `insert into t values (${i});`).join("\n"),
      {
        text: Array.from({ length: SQL_MAX_LINES }, (_, i) => `insert into t values (${i});`).join("\n"),
        totalLines: 20,
        collapsed: true,
      },
    ],
    ["one huge line is cut", "x".repeat(1000), { text: `${"x".repeat(899)}…`, totalLines: 1, collapsed: true }],
  ] as const)("%s", (_what, sql, expected) => {
    expect(collapseSql(sql)).toEqual(expected);
  });
});

describe("stageRefCodec", () => {
  test("round-trips names with odd characters; foreign text is not a reference", () => {
    const ref = { flow: "main flow", migration: "2026_a/b", env: "prod" };
    expect(stageRefCodec.encode(ref)).toBe("mx:main%20flow/2026_a%2Fb/prod");
    expect(stageRefCodec.decode(`React ✅ · ${stageRefCodec.encode(ref)}`)).toEqual(ref);
    expect([stageRefCodec.decode("hello"), stageRefCodec.decode(undefined)]).toEqual([null, null]);
    const rb = { ...ref, rollback: true };
    expect([stageRefCodec.encode(rb), stageRefCodec.decode(stageRefCodec.encode(rb))]).toEqual([
      "mx:main%20flow/2026_a%2Fb/prod/rollback",
      rb,
    ]);
  });
});

const ref = { flow: "main", migration: "20260101_users", env: "prod" };
const request: Card = card("warning", "Approval needed: users → prod", {
  lines: ["✅ bob@example.com"],
  fields: [
    ["Approvals", "1 of 2"],
    ["Author", "ana@example.com"],
  ],
  risk: riskSummary("High", [
    { level: "Low", check: "missing-statement-timeout", line: 1, message: "no statement_timeout" },
    { level: "High", check: "drop-column", line: 2, message: "DROP COLUMN users.email deletes data" },
  ]),
  sql: collapseSql("alter table users drop column email;"),
  vote: ref,
});

describe("rendering an approval request", () => {
  test("Slack Block Kit: header, lines, fields, risk (most severe first), SQL, Approve / Reject", () => {
    expect(toBlocks(request)).toEqual({
      text: "Approval needed: users → prod — ✅ bob@example.com",
      blocks: [
        { type: "header", text: { type: "plain_text", text: "Approval needed: users → prod", emoji: true } },
        { type: "section", text: { type: "mrkdwn", text: "✅ bob@example.com" } },
        {
          type: "section",
          fields: [
            { type: "mrkdwn", text: "*Approvals*\n1 of 2" },
            { type: "mrkdwn", text: "*Author*\nana@example.com" },
          ],
        },
        {
          type: "section",
          text: {
            type: "mrkdwn",
            text: "*Risk* 🟠 High\n🟠 High `drop-column` line 2: DROP COLUMN users.email deletes data\n🔵 Low `missing-statement-timeout` line 1: no statement_timeout",
          },
        },
        { type: "section", text: { type: "mrkdwn", text: "```alter table users drop column email;```" } },
        {
          type: "actions",
          elements: [
            {
              type: "button",
              action_id: "mx_approve",
              style: "primary",
              value: "mx:main/20260101_users/prod",
              text: { type: "plain_text", text: "Approve" },
            },
            {
              type: "button",
              action_id: "mx_reject",
              style: "danger",
              value: "mx:main/20260101_users/prod",
              text: { type: "plain_text", text: "Reject" },
            },
          ],
        },
      ],
    });
  });

  test("Discord embed: colour of the risk level, footer carrying the stage for reactions", () => {
    expect(toEmbed(request)).toEqual({
      title: "Approval needed: users → prod",
      color: 0xf5a623,
      description: [
        "✅ bob@example.com",
        "",
        "**Risk** 🟠 High",
        "🟠 High `drop-column` line 2: DROP COLUMN users.email deletes data",
        "🔵 Low `missing-statement-timeout` line 1: no statement_timeout",
        "",
        "```sql\nalter table users drop column email;\n```",
      ].join("\n"),
      fields: [
        { name: "Approvals", value: "1 of 2", inline: true },
        { name: "Author", value: "ana@example.com", inline: true },
      ],
      footer: { text: "React ✅ to approve, ❌ to reject · mx:main/20260101_users/prod" },
    });
  });
});
