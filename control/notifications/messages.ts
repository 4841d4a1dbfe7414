// The chat messages bots keep editing (a transfer's progress): which message shows a subject in a
// channel. Stored here, not in the bot, so that a restarted bot edits the message it posted before.
import { and, eq } from "drizzle-orm";
import { MigratrixError } from "../../common/errors.ts";
import type { ChatPlatform, Db } from "../store/index.ts";
import { tables } from "../store/index.ts";

export interface ChatMessageRow {
  subject: string;
  channel: string;
  messageId: string;
  done: boolean;
  updatedAt: Date;
}

const SUBJECT = /^transfer:[0-9a-f-]{36}$/;
const TEXT = /^[A-Za-z0-9_.:-]{1,80}$/;

function check(what: string, value: string, pattern: RegExp, expected: string): void {
  if (!pattern.test(value)) {
    throw new MigratrixError("invalid_argument", `${what} must be ${expected}, got ${JSON.stringify(value)}`);
  }
}

/** Remembers (or moves, or marks done) the message of a subject in a channel. */
export async function setChatMessage(
  db: Db,
  input: {
    workspaceId: string;
    platform: ChatPlatform;
    subject: string;
    channel: string;
    messageId: string;
    done: boolean;
  },
): Promise<void> {
  check("subject", input.subject, SUBJECT, '"transfer:<job id>"');
  check("channel", input.channel, TEXT, "a channel id (1-80 of A-Z a-z 0-9 _ . : -)");
  check("message_id", input.messageId, TEXT, "a message id or ts (1-80 of A-Z a-z 0-9 _ . : -)");
  const m = tables.chatMessages;
  const values = { messageId: input.messageId, done: input.done, updatedAt: new Date() };
  await db
    .insert(m)
    .values({
      workspaceId: input.workspaceId,
      platform: input.platform,
      subject: input.subject,
      channel: input.channel,
      ...values,
    })
    .onConflictDoUpdate({ target: [m.workspaceId, m.platform, m.subject, m.channel], set: values });
}

/** The platform's remembered messages: of one subject ("" = all), or only those still followed. */
export async function listChatMessages(
  db: Db,
  input: { workspaceId: string; platform: ChatPlatform; subject: string; openOnly: boolean },
): Promise<ChatMessageRow[]> {
  const m = tables.chatMessages;
  return db
    .select({
      subject: m.subject,
      channel: m.channel,
      messageId: m.messageId,
      done: m.done,
      updatedAt: m.updatedAt,
    })
    .from(m)
    .where(
      and(
        eq(m.workspaceId, input.workspaceId),
        eq(m.platform, input.platform),
        ...(input.subject === "" ? [] : [eq(m.subject, input.subject)]),
        ...(input.openOnly ? [eq(m.done, false)] : []),
      ),
    )
    .orderBy(m.subject, m.channel);
}
