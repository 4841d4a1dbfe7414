// Real Ed25519 keys for tests of Discord's interaction signatures (WebCrypto in Bun).
export async function keyPair(): Promise<CryptoKeyPair> {
  const k: CryptoKey | CryptoKeyPair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  if (k instanceof CryptoKey) throw new Error("Ed25519 generateKey returned a single key");
  return k;
}

export const hex = (b: ArrayBuffer) => Buffer.from(b).toString("hex");

export async function publicKeyHex(pair: CryptoKeyPair): Promise<string> {
  return hex(await crypto.subtle.exportKey("raw", pair.publicKey));
}

/** Discord's signature: Ed25519 over timestamp + body, hex. */
export async function signInteraction(key: CryptoKey, timestamp: string, body: string): Promise<string> {
  return hex(await crypto.subtle.sign({ name: "Ed25519" }, key, new TextEncoder().encode(timestamp + body)));
}
