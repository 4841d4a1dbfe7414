// A neutral card as Slack Block Kit: header, lines, fields, risk summary with coloured level marks,
// SQL (collapsed when long), and Approve / Reject / Rollback buttons whose value carries the stage.
import type { types } from "@slack/bolt";
import { type Card, levelMark, stageRefCodec } from "../core/view.ts";

export const ACTION = { approve: "mx_approve", reject: "mx_reject", rollback: "mx_rollback" } as const;

const MAX_TEXT = 2900;
const MAX_FINDINGS = 6;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function toBlocks(c: Card): { text: string; blocks: types.KnownBlock[] } {
  const blocks: types.KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(c.title, 150), emoji: true } },
  ];
  if (c.lines.length > 0) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: clip(c.lines.join("\n"), MAX_TEXT) } });
  }
  if (c.fields.length > 0) {
    blocks.push({
      type: "section",
      fields: c.fields.slice(0, 10).map(([k, v]) => ({ type: "mrkdwn" as const, text: clip(`*${k}*\n${v}`, 2000) })),
    });
  }
  if (c.risk) {
    const findings = c.risk.findings
      .slice(0, MAX_FINDINGS)
      .map((f) => `${levelMark(f.level)} \`${f.check}\` line ${f.line}: ${f.message}`);
    const more = c.risk.findings.length - findings.length;
    if (more > 0) findings.push(`…and ${more} more`);
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: clip([`*Risk* ${levelMark(c.risk.level)}`, ...findings].join("\n"), MAX_TEXT) },
    });
  }
  if (c.sql) {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: `\`\`\`${clip(c.sql.text, MAX_TEXT - 8)}\`\`\`` } });
    if (c.sql.collapsed) {
      blocks.push({
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `SQL collapsed: ${c.sql.totalLines} lines in all; \`mx migration show\` has the whole file`,
          },
        ],
      });
    }
  }
  const buttons = [];
  if (c.vote) {
    const value = stageRefCodec.encode(c.vote);
    buttons.push(
      {
        type: "button" as const,
        action_id: ACTION.approve,
        style: "primary" as const,
        value,
        text: { type: "plain_text" as const, text: c.vote.rollback ? "Approve rollback" : "Approve" },
      },
      {
        type: "button" as const,
        action_id: ACTION.reject,
        style: "danger" as const,
        value,
        text: { type: "plain_text" as const, text: c.vote.rollback ? "Reject rollback" : "Reject" },
      },
    );
  }
  if (c.rollback) {
    buttons.push({
      type: "button" as const,
      action_id: ACTION.rollback,
      style: "danger" as const,
      value: stageRefCodec.encode(c.rollback),
      text: { type: "plain_text" as const, text: "Rollback" },
      confirm: {
        title: { type: "plain_text" as const, text: "Roll back?" },
        text: {
          type: "mrkdwn" as const,
          text: `Runs the down script of ${c.rollback.migration} on every database of ${c.rollback.env}.`,
        },
        confirm: { type: "plain_text" as const, text: "Roll back" },
        deny: { type: "plain_text" as const, text: "Cancel" },
      },
    });
  }
  if (buttons.length > 0) blocks.push({ type: "actions", elements: buttons });
  // The notification / fallback text: readable on a phone lock screen.
  const text = clip([c.title, ...c.lines.slice(0, 2)].join(" — "), 300);
  return { text, blocks };
}
