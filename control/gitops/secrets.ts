// Secrets GitOps must use again (webhook secrets, provider tokens): AES-256-GCM under the control
// plane's key (MIGRATRIX_SECRET_KEY), bound to their workspace and purpose so a ciphertext copied
// to another row does not open. Never logged, never returned by the API.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { MigratrixError } from "../../common/errors.ts";

export const SECRET_KEY_ENV = "MIGRATRIX_SECRET_KEY";
const VERSION = "v1";

export interface SecretBox {
  seal(plain: string, context: string): string;
  open(sealed: string, context: string): string;
}

/** 32 bytes as 64 hex digits or base64; anything else is refused (GitOps does not start). */
export function parseSecretKey(text: string | undefined): Buffer {
  const raw = (text ?? "").trim();
  if (raw === "") {
    throw new MigratrixError(
      "failed_precondition",
      `GitOps needs ${SECRET_KEY_ENV} (32 random bytes, hex or base64, e.g. \`openssl rand -hex 32\`) to encrypt webhook secrets and provider tokens`,
    );
  }
  const key = /^[0-9a-f]{64}$/i.test(raw) ? Buffer.from(raw, "hex") : Buffer.from(raw, "base64");
  if (
    key.length !== 32 ||
    (!/^[0-9a-f]{64}$/i.test(raw) && key.toString("base64").replace(/=+$/, "") !== raw.replace(/=+$/, ""))
  ) {
    throw new MigratrixError(
      "invalid_argument",
      `${SECRET_KEY_ENV} must be 32 bytes as 64 hex digits or base64 (got ${key.length} bytes)`,
    );
  }
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new MigratrixError("invalid_argument", "the GitOps secret key must be 32 bytes");
  return {
    seal(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
    },
    open(sealed, context) {
      const [version, b64] = sealed.split(":");
      const bytes = Buffer.from(b64 ?? "", "base64");
      if (version !== VERSION || bytes.length < 28) {
        throw new MigratrixError("data_loss", `a stored GitOps secret (${context}) is not in the ${VERSION} format`);
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, 12));
        decipher.setAAD(Buffer.from(context));
        decipher.setAuthTag(bytes.subarray(12, 28));
        return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
      } catch {
        // The message of a failed GCM check says nothing useful and must not echo the secret.
        throw new MigratrixError(
          "failed_precondition",
          `a stored GitOps secret (${context}) does not open with ${SECRET_KEY_ENV}: the key changed or the row was tampered with`,
        );
      }
    },
  };
}
