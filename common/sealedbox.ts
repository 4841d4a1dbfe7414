// Sealed box: encrypts a secret to an agent's X25519 public key so the control plane can relay
// it without being able to read it (DESIGN.md "Credentials never pass through the control plane").
// Scheme: ephemeral X25519 ECDH -> HKDF-SHA256 -> AES-256-GCM; the AAD binds both public keys so a
// box cannot be re-targeted or have its ephemeral key swapped.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { MigratrixError } from "./errors.ts";

export const SEALED_BOX_INFO = "migratrix-sealed-box-v1";
export const X25519_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

// DER prefixes for raw X25519 keys (RFC 8410): lets us keep keys as plain 32-byte arrays on the
// wire and in the vault while node:crypto wants KeyObjects.
const SPKI_PREFIX = Buffer.from("302a300506032b656e032100", "hex");
const PKCS8_PREFIX = Buffer.from("302e020100300506032b656e04220420", "hex");

export interface KeyPair {
  /** Raw 32-byte X25519 public key. */
  publicKey: Uint8Array;
  /** Raw 32-byte X25519 private key (scalar). Never leaves the agent's vault. */
  privateKey: Uint8Array;
}

export interface SealedBox {
  ephemeralPublicKey: Uint8Array;
  nonce: Uint8Array;
  /** AES-256-GCM ciphertext with the 16-byte tag appended. */
  ciphertext: Uint8Array;
}

function checkKeyLength(what: string, key: Uint8Array): void {
  if (key.length !== X25519_KEY_BYTES) {
    throw new MigratrixError("invalid_argument", `${what} must be ${X25519_KEY_BYTES} bytes, got ${key.length}`);
  }
}

function publicKeyObject(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: "der", type: "spki" });
}

function privateKeyObject(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: "der", type: "pkcs8" });
}

function rawPublic(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX.length));
}

function rawPrivate(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: "der", type: "pkcs8" }).subarray(PKCS8_PREFIX.length));
}

export function generateKeyPair(): KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync("x25519");
  return { publicKey: rawPublic(publicKey), privateKey: rawPrivate(privateKey) };
}

/** The public key belonging to a raw private key. */
export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  checkKeyLength("X25519 private key", privateKey);
  return rawPublic(createPublicKey(privateKeyObject(privateKey)));
}

/**
 * X25519(privateKey, peerPublicKey): the secret two key-pair holders share (used by
 * arrow-transfer's JetStream path so two agents agree a key the control plane never sees).
 */
export function sharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  checkKeyLength("X25519 private key", privateKey);
  checkKeyLength("peer public key", peerPublicKey);
  try {
    return new Uint8Array(
      diffieHellman({ privateKey: privateKeyObject(privateKey), publicKey: publicKeyObject(peerPublicKey) }),
    );
  } catch (err) {
    throw new MigratrixError("invalid_argument", "peer public key is not a usable X25519 key", {}, { cause: err });
  }
}

function deriveKey(shared: Uint8Array, ephemeralPublicKey: Uint8Array, recipientPublicKey: Uint8Array): Buffer {
  const salt = Buffer.concat([ephemeralPublicKey, recipientPublicKey]);
  return Buffer.from(hkdfSync("sha256", shared, salt, SEALED_BOX_INFO, 32));
}

export function seal(plaintext: Uint8Array, recipientPublicKey: Uint8Array): SealedBox {
  checkKeyLength("recipient public key", recipientPublicKey);
  let recipient: KeyObject;
  let shared: Buffer;
  const ephemeral = generateKeyPairSync("x25519");
  try {
    recipient = publicKeyObject(recipientPublicKey);
    shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: recipient });
  } catch (err) {
    // A low-order point makes the ECDH fail; it is the caller's key that is wrong.
    throw new MigratrixError("invalid_argument", "recipient public key is not a usable X25519 key", {}, { cause: err });
  }
  const ephemeralPublicKey = rawPublic(ephemeral.publicKey);
  const key = deriveKey(shared, ephemeralPublicKey, recipientPublicKey);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  cipher.setAAD(Buffer.concat([ephemeralPublicKey, recipientPublicKey]));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return { ephemeralPublicKey, nonce: new Uint8Array(nonce), ciphertext: new Uint8Array(body) };
}

/**
 * Opens a box sealed to privateKey's public key. Any failure (tampering, wrong key, malformed
 * box) gets the same message so a caller probing boxes learns nothing about which part was wrong.
 */
export function open(box: SealedBox, privateKey: Uint8Array): Uint8Array {
  checkKeyLength("X25519 private key", privateKey);
  try {
    if (box.ephemeralPublicKey.length !== X25519_KEY_BYTES || box.nonce.length !== NONCE_BYTES) {
      throw new Error("malformed box");
    }
    if (box.ciphertext.length < TAG_BYTES) throw new Error("ciphertext shorter than its tag");
    const own = privateKeyObject(privateKey);
    const recipientPublicKey = rawPublic(createPublicKey(own));
    const shared = diffieHellman({ privateKey: own, publicKey: publicKeyObject(box.ephemeralPublicKey) });
    const key = deriveKey(shared, box.ephemeralPublicKey, recipientPublicKey);
    const decipher = createDecipheriv("aes-256-gcm", key, box.nonce);
    decipher.setAAD(Buffer.concat([box.ephemeralPublicKey, recipientPublicKey]));
    const tagAt = box.ciphertext.length - TAG_BYTES;
    decipher.setAuthTag(box.ciphertext.subarray(tagAt));
    return new Uint8Array(Buffer.concat([decipher.update(box.ciphertext.subarray(0, tagAt)), decipher.final()]));
  } catch {
    // Deliberately no cause: which check failed is exactly what a prober must not learn.
    throw new MigratrixError("invalid_argument", "sealed secret could not be opened");
  }
}
