import { describe, expect, test } from "bun:test";
import { createCipheriv, createHash, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from "node:crypto";
import { MigratrixError } from "./errors.ts";
import { generateKeyPair, open, publicKeyOf, type SealedBox, seal } from "./sealedbox.ts";

const text = (s: string) => new TextEncoder().encode(s);
const notOpened = new MigratrixError("invalid_argument", "sealed secret could not be opened");

function flip(bytes: Uint8Array, at: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

function openError(box: SealedBox, privateKey: Uint8Array): unknown {
  try {
    open(box, privateKey);
  } catch (err) {
    return err;
  }
  return undefined;
}

describe("sealed box", () => {
  test("generateKeyPair gives raw 32-byte keys and publicKeyOf recovers the public half", () => {
    const kp = generateKeyPair();
    expect({ pub: kp.publicKey.length, priv: kp.privateKey.length }).toEqual({ pub: 32, priv: 32 });
    expect(publicKeyOf(kp.privateKey)).toEqual(kp.publicKey);
  });

  test("seal then open returns the plaintext, and the ciphertext hides it", () => {
    const kp = generateKeyPair();
    const secret = text("postgres://app:s3cret@db.internal:5432/app");
    const box = seal(secret, kp.publicKey);
    expect({ eph: box.ephemeralPublicKey.length, nonce: box.nonce.length, ct: box.ciphertext.length }).toEqual({
      eph: 32,
      nonce: 12,
      ct: secret.length + 16,
    });
    expect(Buffer.from(box.ciphertext).includes(Buffer.from("s3cret"))).toBe(false);
    expect(open(box, kp.privateKey)).toEqual(secret);
  });

  test("two seals of the same plaintext differ (fresh ephemeral key and nonce)", () => {
    const kp = generateKeyPair();
    const a = seal(text("x"), kp.publicKey);
    const b = seal(text("x"), kp.publicKey);
    expect(Buffer.from(a.ephemeralPublicKey).equals(Buffer.from(b.ephemeralPublicKey))).toBe(false);
    expect(Buffer.from(a.ciphertext).equals(Buffer.from(b.ciphertext))).toBe(false);
  });

  test("matches the documented construction (interoperable with other sealers)", () => {
    // Recompute the box independently from its parts: a sealer in another language must agree.
    const kp = generateKeyPair();
    const box = seal(text("hello"), kp.publicKey);
    const spki = Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), box.ephemeralPublicKey]);
    const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), kp.privateKey]);
    const shared = diffieHellman({
      privateKey: createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" }),
      publicKey: createPublicKey({ key: spki, format: "der", type: "spki" }),
    });
    const salt = Buffer.concat([box.ephemeralPublicKey, kp.publicKey]);
    const key = Buffer.from(hkdfSync("sha256", shared, salt, "migratrix-sealed-box-v1", 32));
    const cipher = createCipheriv("aes-256-gcm", key, box.nonce);
    cipher.setAAD(salt);
    const expected = Buffer.concat([cipher.update(text("hello")), cipher.final(), cipher.getAuthTag()]);
    expect(createHash("sha256").update(box.ciphertext).digest("hex")).toEqual(
      createHash("sha256").update(expected).digest("hex"),
    );
  });

  test("every tampering or a wrong key fails with one undetailed error", () => {
    const kp = generateKeyPair();
    const box = seal(text("secret"), kp.publicKey);
    const cases: Array<[string, SealedBox, Uint8Array]> = [
      ["ciphertext byte", { ...box, ciphertext: flip(box.ciphertext, 0) }, kp.privateKey],
      ["tag byte", { ...box, ciphertext: flip(box.ciphertext, box.ciphertext.length - 1) }, kp.privateKey],
      ["nonce", { ...box, nonce: flip(box.nonce, 3) }, kp.privateKey],
      ["ephemeral key", { ...box, ephemeralPublicKey: generateKeyPair().publicKey }, kp.privateKey],
      ["truncated", { ...box, ciphertext: box.ciphertext.subarray(0, 10) }, kp.privateKey],
      ["short nonce", { ...box, nonce: box.nonce.subarray(0, 8) }, kp.privateKey],
      ["wrong key", box, generateKeyPair().privateKey],
    ];
    const results = cases.map(([name, b, key]) => {
      const err = openError(b, key);
      return [name, err instanceof MigratrixError ? { code: err.code, message: err.message, cause: err.cause } : err];
    });
    const expected = { code: notOpened.code, message: notOpened.message, cause: undefined };
    expect(results).toEqual(cases.map(([name]) => [name, expected]));
  });

  test("a wrong-length or unusable recipient key is refused when sealing", () => {
    expect(() => seal(text("x"), new Uint8Array(31))).toThrow(
      new MigratrixError("invalid_argument", "recipient public key must be 32 bytes, got 31"),
    );
    // The all-zero point is of low order: ECDH with it would give a predictable secret.
    expect(() => seal(text("x"), new Uint8Array(32))).toThrow(
      new MigratrixError("invalid_argument", "recipient public key is not a usable X25519 key"),
    );
  });
});
