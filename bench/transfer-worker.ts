// One side of bench/transfer.ts in its own process, so each agent's peak memory is its own:
//   bun bench/transfer-worker.ts '{"role":"transfer", ...TransferOptions}'  one local transfer
//   bun bench/transfer-worker.ts '{"role":"send"|"receive", ...}'           one side of the JetStream
//     path: prints {"publicKey"} first, then reads {"peerPublicKey"} from stdin (the key exchange the
//     control plane relays between two agents), then serves / receives.
// Prints one JSON line per step; the last is {"done": {seconds, maxRssMb, ...}}.

import {
  receiveTransfer,
  serveTransferSource,
  type TransferOptions,
  type TransferReport,
  transfer,
} from "../arrow-transfer/index.ts";
import { createNatsBus } from "../bus/index.ts";
import { generateKeyPair } from "../common/sealedbox.ts";

type Job =
  | ({ role: "transfer" } & TransferOptions)
  | { role: "send"; jobId: string; from: string; natsUrl: string; tables: string[] }
  | ({ role: "receive"; jobId: string; to: string; natsUrl: string } & Omit<TransferOptions, "from" | "to">);

const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const maxRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

function summary(r: TransferReport) {
  return {
    ok: r.ok,
    tables: r.tables.map((t) => ({ table: t.table, path: t.path, rows: t.targetRows, chunks: t.chunksCopied })),
  };
}

async function peerKey(): Promise<Uint8Array> {
  for await (const line of console) {
    const m = JSON.parse(line) as { peerPublicKey?: string };
    if (m.peerPublicKey) return new Uint8Array(Buffer.from(m.peerPublicKey, "base64"));
  }
  throw new Error("stdin closed before the peer's public key came");
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
if (job.role === "transfer") {
  const { role: _role, ...o } = job;
  const t0 = performance.now();
  const r = await transfer(o);
  say({ done: { seconds: (performance.now() - t0) / 1000, maxRssMb: maxRssMb(), ...summary(r) } });
} else {
  const keys = generateKeyPair();
  say({ publicKey: Buffer.from(keys.publicKey).toString("base64") });
  const pair = { privateKey: keys.privateKey, peerPublicKey: await peerKey() };
  const bus = await createNatsBus({ url: job.natsUrl, name: `mx-bench-${job.role}-${job.jobId}` });
  try {
    if (job.role === "send") {
      const s = await serveTransferSource({
        bus,
        workspace: "bench",
        jobId: job.jobId,
        from: job.from,
        tables: job.tables,
        keys: pair,
      });
      say({ serving: true });
      const d = await s.done;
      say({ done: { maxRssMb: maxRssMb(), finished: d.finished, ok: d.ok } });
    } else {
      const { role: _role, natsUrl: _url, ...o } = job;
      const t0 = performance.now();
      const r = await receiveTransfer({ ...o, bus, workspace: "bench", keys: pair });
      say({ done: { seconds: (performance.now() - t0) / 1000, maxRssMb: maxRssMb(), ...summary(r) } });
    }
  } finally {
    await bus.close();
  }
}
