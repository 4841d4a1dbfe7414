// The agent's vault: its identity (agent id, X25519 private key) and its connection secrets, in
// one file encrypted with AES-256-GCM under a PBKDF2-SHA256 key derived from MIGRATRIX_VAULT_KEY.
// The key is derived once per opening (600k iterations take real time) and kept in memory.
import { createCipheriv, createDecipheriv, pbkdf2, randomBytes } from "node:crypto";
import { mkdir, open as openFile, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { MigratrixError } from "../common/errors.ts";
import { generateKeyPair, open as openSealed, publicKeyOf, type SealedBox } from "../common/sealedbox.ts";
import { ENGINE_IDS, type EngineId } from "../engines/types.ts";

export const VAULT_FORMAT = "migratrix-vault";
export const VAULT_VERSION = 1;
export const DEFAULT_VAULT_ITERATIONS = 600_000;
/** No vault is ever written or opened below this, tests included (DESIGN.md "agent/"). */
export const MIN_VAULT_ITERATIONS = 200_000;

const pbkdf2Async = promisify(pbkdf2);

export interface VaultConnection {
  /** The connection's name within its environment. */
  name: string;
  environment: string;
  engine: EngineId;
  /** The secret: a connection URL with credentials. Never logged, never sent to control. */
  url: string;
  /** The read-only credential (a SELECT-only role) explorer reads on protected environments use. */
  readUrl?: string;
}

/** What may leave the agent about a connection. */
export type ConnectionMeta = Omit<VaultConnection, "url" | "readUrl">;

export interface Vault {
  readonly path: string;
  readonly agentId: string;
  readonly publicKey: Uint8Array;
  /** Opens a box sealed to this agent's public key; the private key never leaves the vault. */
  openSealed(box: SealedBox): Uint8Array;
  /**
   * Keys for the per-job key agreement with another agent (transfer frames, X25519): this agent's
   * private key goes only to that in-process derivation, never out of the process.
   */
  peerKeys(peerPublicKey: Uint8Array): { privateKey: Uint8Array; peerPublicKey: Uint8Array };
  connections(): ConnectionMeta[];
  /** Looks a connection up by its reference "<environment>/<name>", as jobs name it. */
  connection(ref: string): VaultConnection | undefined;
  /** Adds or replaces a connection and persists the vault atomically. */
  putConnection(conn: VaultConnection): Promise<void>;
  removeConnection(ref: string): Promise<boolean>;
}

/** The reference jobs and requests use for a connection: "<environment>/<name>". */
export function connectionRef(c: { environment: string; name: string }): string {
  return `${c.environment}/${c.name}`;
}

export interface OpenVaultOptions {
  path: string;
  passphrase: string;
  /** PBKDF2 iterations for a new vault (an existing vault keeps the count in its header). */
  iterations?: number;
  /** Agent id for a new vault; an existing vault keeps its own. Default: "agent-<random>". */
  agentId?: string;
}

/** Where the vault lives under MIGRATRIX_DIR. */
export function defaultVaultPath(migratrixDir: string): string {
  return join(migratrixDir, "agent", "vault.json");
}

interface VaultHeader {
  format: typeof VAULT_FORMAT;
  version: number;
  kdf: "pbkdf2-sha256";
  iterations: number;
  salt: string;
}

interface VaultFile extends VaultHeader {
  nonce: string;
  ciphertext: string;
}

interface VaultBody {
  agentId: string;
  privateKey: string;
  connections: Record<string, VaultConnection>;
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

function checkIterations(iterations: number, where: string): void {
  if (!Number.isSafeInteger(iterations) || iterations < MIN_VAULT_ITERATIONS) {
    throw new MigratrixError(
      "invalid_argument",
      `${where}: PBKDF2 iterations must be a whole number of at least ${MIN_VAULT_ITERATIONS.toLocaleString("en-US")}, got ${iterations}`,
    );
  }
}

// The AAD covers the header so a changed iteration count or version cannot pass as valid.
function headerAad(h: VaultHeader): Buffer {
  return Buffer.from(JSON.stringify([h.format, h.version, h.kdf, h.iterations, h.salt]));
}

function damaged(path: string): MigratrixError {
  return new MigratrixError("permission_denied", `vault passphrase is wrong or the vault is damaged (${path})`);
}

function parseFile(path: string, text: string): VaultFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw damaged(path);
  }
  const f = raw as Partial<VaultFile> | null;
  if (
    !f ||
    f.format !== VAULT_FORMAT ||
    f.kdf !== "pbkdf2-sha256" ||
    typeof f.iterations !== "number" ||
    typeof f.salt !== "string" ||
    typeof f.nonce !== "string" ||
    typeof f.ciphertext !== "string"
  ) {
    throw damaged(path);
  }
  if (f.version !== VAULT_VERSION) {
    throw new MigratrixError(
      "failed_precondition",
      `vault ${path} has format version ${f.version}; this agent reads version ${VAULT_VERSION}`,
    );
  }
  return f as VaultFile;
}

function parseBody(path: string, bytes: Uint8Array): VaultBody {
  let body: Partial<VaultBody>;
  try {
    body = JSON.parse(new TextDecoder().decode(bytes)) as Partial<VaultBody>;
  } catch {
    throw damaged(path);
  }
  if (typeof body.agentId !== "string" || typeof body.privateKey !== "string" || typeof body.connections !== "object") {
    throw damaged(path);
  }
  for (const c of Object.values(body.connections ?? {})) {
    if (!(ENGINE_IDS as readonly string[]).includes(c.engine)) throw damaged(path);
  }
  return body as VaultBody;
}

/** Writes a file so a crash leaves either the old or the new content, never a mix. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fh = await openFile(tmp, "w", 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  // fsync the directory so the rename itself survives a power loss.
  const dir = await openFile(dirname(path), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<Buffer> {
  return pbkdf2Async(passphrase, salt, iterations, 32, "sha256");
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new MigratrixError("unavailable", `cannot read vault ${path}: ${(err as Error).message}`);
  }
}

/** Opens the vault at path, creating it with a fresh identity when the file does not exist. */
export async function openVault(opts: OpenVaultOptions): Promise<Vault> {
  const { path, passphrase } = opts;
  if (!passphrase) {
    throw new MigratrixError("invalid_argument", "vault passphrase is empty: set MIGRATRIX_VAULT_KEY");
  }
  const existing = await readIfExists(path);
  let header: VaultHeader;
  let key: Buffer;
  let body: VaultBody;
  if (existing === undefined) {
    const iterations = opts.iterations ?? DEFAULT_VAULT_ITERATIONS;
    checkIterations(iterations, `new vault ${path}`);
    const salt = randomBytes(16);
    header = { format: VAULT_FORMAT, version: VAULT_VERSION, kdf: "pbkdf2-sha256", iterations, salt: b64(salt) };
    key = await deriveKey(passphrase, salt, iterations);
    const kp = generateKeyPair();
    body = {
      agentId: opts.agentId ?? `agent-${randomBytes(6).toString("hex")}`,
      privateKey: b64(kp.privateKey),
      connections: {},
    };
  } else {
    const file = parseFile(path, existing);
    checkIterations(file.iterations, `vault ${path}`);
    header = {
      format: file.format,
      version: file.version,
      kdf: file.kdf,
      iterations: file.iterations,
      salt: file.salt,
    };
    key = await deriveKey(passphrase, unb64(file.salt), file.iterations);
    let plain: Uint8Array;
    try {
      const ct = unb64(file.ciphertext);
      if (ct.length < 16) throw damaged(path);
      const decipher = createDecipheriv("aes-256-gcm", key, unb64(file.nonce));
      decipher.setAAD(headerAad(header));
      decipher.setAuthTag(ct.subarray(ct.length - 16));
      plain = Buffer.concat([decipher.update(ct.subarray(0, ct.length - 16)), decipher.final()]);
    } catch {
      // GCM cannot tell a wrong passphrase from a damaged file, so neither can we.
      throw damaged(path);
    }
    body = parseBody(path, plain);
  }

  const privateKey = unb64(body.privateKey);
  const publicKey = publicKeyOf(privateKey);

  // Writes are chained so two concurrent changes cannot land on disk in the wrong order.
  let writing: Promise<void> = Promise.resolve();
  function persist(): Promise<void> {
    const snapshot = JSON.stringify(body);
    const next = writing.then(() => write(snapshot));
    writing = next.catch(() => undefined);
    return next;
  }

  async function write(snapshot: string): Promise<void> {
    // A fresh nonce per write under the one derived key: 96-bit random nonces are safe for the
    // handful of writes a vault sees.
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, nonce);
    cipher.setAAD(headerAad(header));
    const ct = Buffer.concat([cipher.update(snapshot), cipher.final(), cipher.getAuthTag()]);
    const file: VaultFile = { ...header, nonce: b64(nonce), ciphertext: b64(ct) };
    await writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  }

  // A failed write must not leave memory ahead of disk: only the one changed entry is restored,
  // so a concurrent change to another entry survives.
  async function persistOrRestore(ref: string, before: VaultConnection | undefined): Promise<void> {
    try {
      await persist();
    } catch (err) {
      const { [ref]: _failed, ...rest } = body.connections;
      body = { ...body, connections: before ? { ...rest, [ref]: before } : rest };
      throw MigratrixError.from(err, "unavailable");
    }
  }

  if (existing === undefined) await persist();

  return {
    path,
    agentId: body.agentId,
    publicKey,
    openSealed: (box) => openSealed(box, privateKey),
    peerKeys: (peerPublicKey) => ({ privateKey, peerPublicKey }),
    connections: () =>
      Object.values(body.connections)
        .map(({ name, environment, engine }) => ({ name, environment, engine }))
        .sort((a, b) => connectionRef(a).localeCompare(connectionRef(b))),
    connection: (ref) => {
      const c = body.connections[ref];
      return c ? { ...c } : undefined;
    },
    async putConnection(conn) {
      const ref = connectionRef(conn);
      const before = body.connections[ref];
      body = { ...body, connections: { ...body.connections, [ref]: { ...conn } } };
      await persistOrRestore(ref, before);
    },
    async removeConnection(ref) {
      const before = body.connections[ref];
      if (!before) return false;
      const { [ref]: _removed, ...rest } = body.connections;
      body = { ...body, connections: rest };
      await persistOrRestore(ref, before);
      return true;
    },
  };
}
