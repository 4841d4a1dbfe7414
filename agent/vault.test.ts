import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MigratrixError } from "../common/errors.ts";
import { seal } from "../common/sealedbox.ts";
import { defaultVaultPath, MIN_VAULT_ITERATIONS, openVault } from "./vault.ts";

// Every opening derives a key at the floor (200,000 iterations, ~30 ms here): keep openings few.
const dir = await mkdtemp(join(tmpdir(), "mx-vault-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

const iterations = MIN_VAULT_ITERATIONS;
const secretUrl = "postgres://app:hunter2@127.0.0.1:5432/app";

async function openError(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err instanceof MigratrixError ? { code: err.code, message: err.message } : err;
  }
  return "no error";
}

describe("vault", () => {
  const path = defaultVaultPath(join(dir, "a"));

  test("round trip: identity and connections survive reopening; the file holds no secret", async () => {
    const v1 = await openVault({ path, passphrase: "correct horse", iterations, agentId: "agent-1" });
    await v1.putConnection({ name: "app", environment: "dev", engine: "postgresql", url: secretUrl });
    await v1.putConnection({ name: "cache", environment: "dev", engine: "sqlite", url: "sqlite:///tmp/x.db" });
    expect(await v1.removeConnection("dev/cache")).toBe(true);
    expect(await v1.removeConnection("dev/none")).toBe(false);

    const v2 = await openVault({ path, passphrase: "correct horse", agentId: "ignored-for-existing" });
    expect({
      agentId: v2.agentId,
      samePublicKey: Buffer.from(v2.publicKey).equals(Buffer.from(v1.publicKey)),
      connections: v2.connections(),
      app: v2.connection("dev/app"),
    }).toEqual({
      agentId: "agent-1",
      samePublicKey: true,
      connections: [{ name: "app", environment: "dev", engine: "postgresql" }],
      app: { name: "app", environment: "dev", engine: "postgresql", url: secretUrl },
    });

    const raw = await readFile(path, "utf8");
    const header = JSON.parse(raw) as Record<string, unknown>;
    expect({
      hidesSecret: !raw.includes("hunter2") && !raw.includes("dev/app") && !raw.includes("postgresql"),
      header: { format: header.format, version: header.version, kdf: header.kdf, iterations: header.iterations },
      mode: (await stat(path)).mode & 0o777,
      leftovers: (await readdir(join(dir, "a", "agent"))).filter((f) => f.endsWith(".tmp")),
    }).toEqual({
      hidesSecret: true,
      header: { format: "migratrix-vault", version: 1, kdf: "pbkdf2-sha256", iterations },
      mode: 0o600,
      leftovers: [],
    });

    // The private key stays inside: the vault opens boxes sealed to its public key.
    const box = seal(new TextEncoder().encode("s3cret"), v2.publicKey);
    expect(new TextDecoder().decode(v2.openSealed(box))).toBe("s3cret");
  });

  test("a wrong passphrase gets one clear error", async () => {
    expect(await openError(openVault({ path, passphrase: "wrong horse" }))).toEqual({
      code: "permission_denied",
      message: `vault passphrase is wrong or the vault is damaged (${path})`,
    });
  });

  test("a tampered file (ciphertext or header) gets the same error as a wrong passphrase", async () => {
    const original = JSON.parse(await readFile(path, "utf8")) as Record<string, string | number>;
    const ct = Buffer.from(String(original.ciphertext), "base64");
    ct[5] = (ct[5] ?? 0) ^ 0xff;
    const tamperedCt = join(dir, "tampered-ct.json");
    await writeFile(tamperedCt, JSON.stringify({ ...original, ciphertext: ct.toString("base64") }));
    // Raising the iteration count keeps the floor but changes the key and the AAD.
    const tamperedHeader = join(dir, "tampered-header.json");
    await writeFile(tamperedHeader, JSON.stringify({ ...original, iterations: iterations + 1 }));
    const notJson = join(dir, "not-json.json");
    await writeFile(notJson, "{ half");
    const results = await Promise.all(
      [tamperedCt, tamperedHeader, notJson].map((p) => openError(openVault({ path: p, passphrase: "correct horse" }))),
    );
    expect(results).toEqual(
      [tamperedCt, tamperedHeader, notJson].map((p) => ({
        code: "permission_denied",
        message: `vault passphrase is wrong or the vault is damaged (${p})`,
      })),
    );
  });

  test("iterations below 200,000 are refused, for new vaults and for files claiming fewer", async () => {
    const weakNew = join(dir, "weak", "vault.json");
    const weakFile = join(dir, "weak-file.json");
    const original = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
    await writeFile(weakFile, JSON.stringify({ ...original, iterations: 1000 }));
    expect([
      await openError(openVault({ path: weakNew, passphrase: "p", iterations: 199_999 })),
      await openError(openVault({ path: weakFile, passphrase: "correct horse" })),
      await openError(openVault({ path: weakNew, passphrase: "" })),
    ]).toEqual([
      {
        code: "invalid_argument",
        message: `new vault ${weakNew}: PBKDF2 iterations must be a whole number of at least 200,000, got 199999`,
      },
      {
        code: "invalid_argument",
        message: `vault ${weakFile}: PBKDF2 iterations must be a whole number of at least 200,000, got 1000`,
      },
      { code: "invalid_argument", message: "vault passphrase is empty: set MIGRATRIX_VAULT_KEY" },
    ]);
    // Refused means nothing was written.
    expect(await openError(stat(weakNew))).toMatchObject({ code: "ENOENT" });
  });
});
