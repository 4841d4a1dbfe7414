// In-process core publish/subscribe with NATS semantics: wildcard subjects, queue groups (one
// member gets each message), asynchronous in-order delivery, and a "no responders" notice when
// a request finds no subscriber.

import { MigratrixError } from "../common/errors.ts";
import { busClosed } from "./options.ts";
import { subjectMatches } from "./subject-match.ts";
import type { Headers } from "./types.ts";
import { headerBytes, type Wire, type WireMsg, type WireSubscription } from "./wire.ts";

interface MemSub {
  pattern: string;
  queue: string | undefined;
  onMsg: (msg: WireMsg) => void;
  active: boolean;
}

export interface MemoryWire extends Wire {
  close(): void;
}

export function createMemoryWire(opts: { maxPayload: number }): MemoryWire {
  const subs = new Set<MemSub>();
  let nextInbox = 0;
  let closed = false;
  let turn = 0;

  const deliver = (sub: MemSub, msg: WireMsg) => {
    // A macrotask per message, like a socket read: in order, and a busy stream can never starve
    // timers (deadlines) the way a chain of microtasks would.
    setImmediate(() => {
      if (sub.active) sub.onMsg(msg);
    });
  };

  return {
    maxPayload: opts.maxPayload,
    publish(subject: string, data: Uint8Array, o: { headers?: Headers; reply?: string } = {}) {
      if (closed) throw busClosed(`publish to ${subject}`);
      const size = data.byteLength + headerBytes(o.headers);
      if (size > opts.maxPayload) {
        throw new MigratrixError(
          "invalid_argument",
          `message to ${subject} is ${size} bytes, over the bus max payload of ${opts.maxPayload} bytes`,
        );
      }
      const msg: WireMsg = {
        subject,
        data: data.slice(),
        headers: { ...o.headers },
        ...(o.reply === undefined ? {} : { reply: o.reply }),
      };
      const groups = new Map<string, MemSub[]>();
      let delivered = 0;
      for (const sub of subs) {
        if (!subjectMatches(sub.pattern, subject)) continue;
        if (sub.queue === undefined) {
          deliver(sub, msg);
          delivered++;
        } else {
          const members = groups.get(sub.queue) ?? [];
          members.push(sub);
          groups.set(sub.queue, members);
        }
      }
      for (const members of groups.values()) {
        const pick = members[turn++ % members.length];
        if (pick) {
          deliver(pick, msg);
          delivered++;
        }
      }
      if (delivered === 0 && o.reply !== undefined) {
        for (const sub of subs) {
          if (subjectMatches(sub.pattern, o.reply)) {
            deliver(sub, { subject: o.reply, data: new Uint8Array(0), headers: {}, noResponders: true });
          }
        }
      }
    },
    subscribe(subject, onMsg, o = {}): WireSubscription {
      const sub: MemSub = { pattern: subject, queue: o.queue, onMsg, active: true };
      subs.add(sub);
      return {
        unsubscribe() {
          sub.active = false;
          subs.delete(sub);
        },
      };
    },
    createInbox() {
      nextInbox++;
      return `_INBOX.mem.${nextInbox}`;
    },
    close() {
      closed = true;
      for (const sub of subs) sub.active = false;
      subs.clear();
    },
  };
}
