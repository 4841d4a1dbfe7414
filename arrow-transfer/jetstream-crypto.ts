// The per-job key of the JetStream path and the AES-256-GCM box around every frame and request body.
// The key comes from X25519 between the two agents' key pairs (HKDF-SHA256, salt: workspace and
// job), so each side derives it alone and the control plane, which relays only public keys, cannot.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { MigratrixError } from "../common/errors.ts";
import { sharedSecret } from "../common/sealedbox.ts";
import type { PeerKeys } from "./jetstream.ts";

const INFO = "migratrix-transfer-v1";
const NONCE = 12;
const TAG = 16;
/** Bytes a box adds to its plaintext. */
export const BOX_OVERHEAD = NONCE + TAG;

export interface JobKey {
  seal(plaintext: Uint8Array, ad: string): Uint8Array;
  /** Throws data_loss when the box was tampered with, replayed under other associated data, or keyed otherwise. */
  open(box: Uint8Array, ad: string): Uint8Array;
}

export function jobKey(keys: PeerKeys, workspace: string, jobId: string): JobKey {
  const shared = sharedSecret(keys.privateKey, keys.peerPublicKey);
  const key = Buffer.from(hkdfSync("sha256", shared, `${workspace}/${jobId}`, INFO, 32));
  return {
    seal(plaintext, ad) {
      const nonce = randomBytes(NONCE);
      const c = createCipheriv("aes-256-gcm", key, nonce);
      c.setAAD(Buffer.from(ad));
      return new Uint8Array(Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]));
    },
    open(box, ad) {
      try {
        if (box.byteLength < BOX_OVERHEAD) throw new Error("short box");
        const d = createDecipheriv("aes-256-gcm", key, box.subarray(0, NONCE));
        d.setAAD(Buffer.from(ad));
        d.setAuthTag(box.subarray(box.byteLength - TAG));
        return new Uint8Array(Buffer.concat([d.update(box.subarray(NONCE, box.byteLength - TAG)), d.final()]));
      } catch {
        throw new MigratrixError(
          "data_loss",
          `transfer job ${jobId}: a frame or message failed authentication (${ad.split("|")[0]}): tampered, replayed, or the agents' keys do not match`,
        );
      }
    },
  };
}

/** A JSON body sealed under the job key. */
export function sealJson(k: JobKey, value: unknown, ad: string): Uint8Array {
  return k.seal(new TextEncoder().encode(JSON.stringify(value)), ad);
}

export function openJson<T>(k: JobKey, box: Uint8Array, ad: string): T {
  return JSON.parse(new TextDecoder().decode(k.open(box, ad))) as T;
}
