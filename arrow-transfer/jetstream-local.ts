// Local mode of the JetStream path: both sides in this process, each with its own NATS connection
// and key pair, through a real JetStream (`mx transfer --via nats`, tests, bench). Both sides share
// this thread: measured here, a worker thread for the sender was slower (and one more JS heap).
import { randomUUID } from "node:crypto";
import { type BusLogger, createNatsBus } from "../bus/index.ts";
import { generateKeyPair } from "../common/sealedbox.ts";
import type { JetStreamTuning, SendOptions } from "./jetstream.ts";
import { receiveTransfer } from "./jetstream-receive.ts";
import { serveTransferSource } from "./jetstream-send.ts";
import type { TransferOptions, TransferReport } from "./transfer.ts";

export interface LocalJetStreamOptions extends TransferOptions, JetStreamTuning {
  natsUrl: string;
  /** Subject scope (default "local"). */
  workspace?: string;
  /** Bus options of both connections (tests: fast reconnects, a quiet logger). */
  bus?: { reconnectWaitMs?: number; pullExpiresMs?: number; logger?: BusLogger };
  /** Test hooks of the sending side. */
  sendHooks?: SendOptions["hooks"];
}

export async function transferViaJetStream(o: LocalJetStreamOptions): Promise<TransferReport> {
  const workspace = o.workspace ?? "local";
  const jobId = o.resume ?? o.jobId ?? randomUUID();
  const sending = generateKeyPair();
  const receiving = generateKeyPair();
  const connect = (name: string) => createNatsBus({ url: o.natsUrl, name, ...o.bus });
  const senderBus = await connect(`migratrix-transfer-send-${jobId}`);
  try {
    const receiverBus = await connect(`migratrix-transfer-receive-${jobId}`);
    try {
      const sender = await serveTransferSource({
        ...(o.window !== undefined ? { window: o.window } : {}),
        ...(o.frameBytes !== undefined ? { frameBytes: o.frameBytes } : {}),
        ...(o.idleTimeoutMs !== undefined ? { idleTimeoutMs: o.idleTimeoutMs } : {}),
        ...(o.publishTimeoutMs !== undefined ? { publishTimeoutMs: o.publishTimeoutMs } : {}),
        ...(o.tables ? { tables: o.tables } : {}),
        bus: senderBus,
        workspace,
        jobId,
        from: o.from,
        keys: { privateKey: sending.privateKey, peerPublicKey: receiving.publicKey },
        hooks: o.sendHooks ?? {},
      });
      try {
        return await receiveTransfer({
          ...o,
          bus: receiverBus,
          workspace,
          jobId,
          keys: { privateKey: receiving.privateKey, peerPublicKey: sending.publicKey },
        });
      } finally {
        await sender.stop();
      }
    } finally {
      await receiverBus.close();
    }
  } finally {
    await senderBus.close();
  }
}
