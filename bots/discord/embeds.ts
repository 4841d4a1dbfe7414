// A neutral card as a Discord embed: title, description (lines, risk summary with level marks, SQL
// collapsed when long), colour by tone or risk level, fields, and a footer that carries the stage
// reference a reaction acts on (so a restarted bot needs nothing but the message).
import type { APIEmbed } from "discord.js";
import { type Card, colourOf, levelMark, stageRefCodec } from "../core/view.ts";

export const APPROVE = "✅";
export const REJECT = "❌";

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const MAX_FINDINGS = 6;

export function toEmbed(c: Card): APIEmbed {
  const parts: string[] = [];
  if (c.lines.length > 0) parts.push(c.lines.join("\n"));
  if (c.risk) {
    const findings = c.risk.findings
      .slice(0, MAX_FINDINGS)
      .map((f) => `${levelMark(f.level)} \`${f.check}\` line ${f.line}: ${f.message}`);
    const more = c.risk.findings.length - findings.length;
    if (more > 0) findings.push(`…and ${more} more`);
    parts.push([`**Risk** ${levelMark(c.risk.level)}`, ...findings].join("\n"));
  }
  if (c.sql) {
    parts.push(`\`\`\`sql\n${clip(c.sql.text, 1500)}\n\`\`\``);
    if (c.sql.collapsed) parts.push(`-# SQL collapsed: ${c.sql.totalLines} lines in all`);
  }
  const footer = c.vote
    ? `React ${APPROVE} to approve, ${REJECT} to reject${c.vote.rollback ? " the rollback" : ""} · ${stageRefCodec.encode(c.vote)}`
    : c.rollback
      ? `Roll back with !migratrix rollback ${c.rollback.migration} ${c.rollback.env} · ${stageRefCodec.encode(c.rollback)}`
      : undefined;
  return {
    title: clip(c.title, 256),
    color: colourOf(c),
    ...(parts.length > 0 ? { description: clip(parts.join("\n\n"), 4000) } : {}),
    ...(c.fields.length > 0
      ? {
          fields: c.fields
            .slice(0, 25)
            .map(([name, value]) => ({ name: clip(name, 256), value: clip(value || "—", 1024), inline: true })),
        }
      : {}),
    ...(footer ? { footer: { text: footer } } : {}),
  };
}
