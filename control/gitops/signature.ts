// Webhook authenticity: GitHub's X-Hub-Signature-256 (HMAC-SHA256 of the raw body, hex, "sha256="
// prefix) and GitLab's X-Gitlab-Token (the shared secret itself), both compared in constant time.
import { createHmac, timingSafeEqual } from "node:crypto";

export type SignatureCheck = { ok: true } | { ok: false; reason: "missing" | "malformed" | "mismatch" };

function equalBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function githubSignature(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export function verifyGitHubSignature(secret: string, body: Uint8Array, header: string | null): SignatureCheck {
  if (header === null || header === "") return { ok: false, reason: "missing" };
  const m = /^sha256=([0-9a-f]{64})$/i.exec(header.trim());
  if (!m?.[1]) return { ok: false, reason: "malformed" };
  const expected = createHmac("sha256", secret).update(body).digest();
  return equalBytes(expected, Buffer.from(m[1], "hex")) ? { ok: true } : { ok: false, reason: "mismatch" };
}

export function verifyGitLabToken(secret: string, header: string | null): SignatureCheck {
  if (header === null || header === "") return { ok: false, reason: "missing" };
  // Hash both sides first so the compare is constant-time whatever the lengths.
  const h = (s: string) => createHmac("sha256", "gitlab-token").update(s).digest();
  return equalBytes(h(secret), h(header)) ? { ok: true } : { ok: false, reason: "mismatch" };
}
