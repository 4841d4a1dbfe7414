// Interactive requests to this agent (subjects.agentRpc): introspect, store_secret, test_connection
// and import_history. Answered with one AgentReply frame; failures travel as AgentReply.error so
// the caller keeps the engine's native code. Nothing here is persisted on the bus.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { BusRequest, ReplyStream } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { engineIdFromProto, engineIdFromUrl } from "../engines/index.ts";
import type { EngineId } from "../engines/types.ts";
import {
  AgentErrorSchema,
  type AgentReply,
  AgentReplySchema,
  type AgentRequest,
  AgentRequestSchema,
  IntrospectReplySchema,
  StoreSecretReplySchema,
  type StoreSecretRequest,
  TestConnectionReplySchema,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { backupRequest } from "./backups.ts";
import { hideSecret, toDbError } from "./events.ts";
import { createExplorer, type ExplorerHooks } from "./explorer.ts";
import { checkReadOnlyCredential } from "./explorer-credential.ts";
import { importHistory } from "./import-history.ts";
import type { AgentMetrics } from "./metrics.ts";
import { lookupConnection, withTarget } from "./targets.ts";
import type { Vault, VaultConnection } from "./vault.ts";

export interface RpcHandlerOptions {
  vault: Vault;
  agentId: string;
  connectTimeoutMs: number;
  metrics: AgentMetrics;
  log: Logger;
  /** The bus's max_payload: explorer result frames stay well under it (default 1 MiB, NATS's). */
  maxPayload?: number;
  /** Test hook: the explorer's session guard, read at every query. */
  explorerHooks?: ExplorerHooks;
}

type ReplyKind = AgentReply["kind"];

// mysql:// URLs serve both MySQL and MariaDB connections.
const family = (id: EngineId): string => (id === "mariadb" ? "mysql" : id);

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function createRpcHandler(opts: RpcHandlerOptions) {
  const { vault, agentId, connectTimeoutMs } = opts;
  const explorer = createExplorer({
    vault,
    agentId,
    connectTimeoutMs,
    log: opts.log,
    maxPayload: opts.maxPayload ?? 1024 * 1024,
    ...(opts.explorerHooks ? { hooks: opts.explorerHooks } : {}),
  });

  async function storeSecret(req: StoreSecretRequest, log: Logger): Promise<ReplyKind> {
    const info = req.connection;
    if (!info || !req.sealedUrl) {
      throw new MigratrixError("invalid_argument", "store_secret needs a connection and a sealed URL");
    }
    for (const [what, value] of [
      ["connection name", info.name],
      ["environment", info.environment],
    ] as const) {
      if (!NAME.test(value)) {
        throw new MigratrixError("invalid_argument", `${what} "${value}" must be 1-64 of A-Z a-z 0-9 _ . -`);
      }
    }
    const engine = engineIdFromProto(info.engine);
    const url = new TextDecoder().decode(vault.openSealed(req.sealedUrl));
    try {
      const urlEngine = engineIdFromUrl(url);
      if (family(urlEngine) !== family(engine)) {
        throw new MigratrixError(
          "invalid_argument",
          `connection ${info.environment}/${info.name} is declared ${engine} but its URL is for ${urlEngine}`,
        );
      }
      const ref = `${info.environment}/${info.name}`;
      if (req.readOnly) {
        // A read credential joins the connection it reads for: same engine, checked to be unable to write.
        const owner = lookupConnection(vault, agentId, ref);
        if (owner.engine !== engine) {
          throw new MigratrixError(
            "invalid_argument",
            `the read-only credential of ${ref} is for ${engine} but the connection is ${owner.engine}`,
          );
        }
        const serverVersion = await withTarget({ ...owner, url }, connectTimeoutMs, (t) => t.session.serverVersion());
        await checkReadOnlyCredential(engine, url, ref, connectTimeoutMs);
        await vault.putConnection({ ...owner, readUrl: url });
        log.info("read-only credential stored", { connection: ref, engine, serverVersion });
        return {
          case: "storeSecret",
          value: create(StoreSecretReplySchema, { connection: info, serverVersion }),
        };
      }
      const conn = { name: info.name, environment: info.environment, engine, url };
      const serverVersion = await serverVersionOf(conn, connectTimeoutMs);
      await vault.putConnection(conn);
      log.info("connection stored", { connection: ref, engine, serverVersion });
      return {
        case: "storeSecret",
        value: create(StoreSecretReplySchema, { connection: info, serverVersion }),
      };
    } catch (err) {
      throw hideSecret(err, url);
    }
  }

  async function answer(req: AgentRequest, log: Logger): Promise<ReplyKind> {
    switch (req.kind.case) {
      case "introspect": {
        const { connection, schemas, objects } = req.kind.value;
        const conn = lookupConnection(vault, agentId, connection);
        const snapshot = await withTarget(conn, connectTimeoutMs, (t) =>
          t.engine.inspector.inspect(t.session, { ...(schemas.length > 0 ? { schemas } : {}), objects }),
        );
        return {
          case: "introspect",
          value: create(IntrospectReplySchema, { snapshotJson: JSON.stringify(snapshot) }),
        };
      }
      case "storeSecret":
        return storeSecret(req.kind.value, log);
      case "editRow":
        return { case: "editRow", value: await explorer.editRow(req.kind.value, log) };
      case "testConnection": {
        const conn = lookupConnection(vault, agentId, req.kind.value.connection);
        const started = performance.now();
        const serverVersion = await withTarget(conn, connectTimeoutMs, (t) => t.session.serverVersion());
        return {
          case: "testConnection",
          value: create(TestConnectionReplySchema, { serverVersion, latencyMs: performance.now() - started }),
        };
      }
      case "importHistory":
        return {
          case: "importHistory",
          value: await importHistory(req.kind.value, { vault, agentId, connectTimeoutMs, log }),
        };
      case "backupList":
      case "backupPurge":
        return { case: "backups", value: await backupRequest(req.kind, { vault, agentId, connectTimeoutMs, log }) };
      default:
        throw new MigratrixError("unimplemented", `agent ${agentId} does not handle this request kind`);
    }
  }

  async function handle(req: BusRequest, reply: ReplyStream): Promise<void> {
    let decoded: AgentRequest;
    try {
      decoded = fromBinary(AgentRequestSchema, req.data);
    } catch {
      await reply.fail("invalid_argument", `agent ${agentId} received a request that is not an AgentRequest`);
      return;
    }
    const kind = decoded.kind.case ?? "unknown";
    const log = opts.log.child({ correlationId: decoded.correlationId, rpc: kind });
    if (decoded.kind.case === "query" || decoded.kind.case === "browse") {
      // Explorer queries and browse pages stream several frames; a refusal or failure is one error frame.
      try {
        if (decoded.kind.case === "query") await explorer.query(decoded.kind.value, reply, log);
        else await explorer.browse(decoded.kind.value, reply, log);
        opts.metrics.rpc.inc({ kind, outcome: "ok" });
      } catch (err) {
        const e = MigratrixError.from(err);
        opts.metrics.rpc.inc({ kind, outcome: e.code });
        log.warn("query refused or failed", { code: e.code, error: e.message });
        const frame = create(AgentReplySchema, {
          kind: { case: "error", value: create(AgentErrorSchema, { error: toDbError(e) }) },
        });
        await reply.send(toBinary(AgentReplySchema, frame)).catch(() => undefined);
      }
      await reply.end();
      return;
    }
    let kindReply: ReplyKind;
    try {
      kindReply = await answer(decoded, log);
      opts.metrics.rpc.inc({ kind, outcome: "ok" });
    } catch (err) {
      const e = MigratrixError.from(err);
      opts.metrics.rpc.inc({ kind, outcome: e.code });
      log.warn("request failed", { code: e.code, error: e.message });
      kindReply = { case: "error", value: create(AgentErrorSchema, { error: toDbError(e) }) };
    }
    try {
      await reply.send(toBinary(AgentReplySchema, create(AgentReplySchema, { kind: kindReply })));
    } catch (err) {
      // Typically a reply over the bus's max_payload (a very large snapshot): say so instead.
      const e = MigratrixError.from(err);
      log.warn("reply could not be sent", { code: e.code, error: e.message });
      await reply.fail(e.code, `agent ${agentId} could not send its ${kind} reply: ${e.message}`);
      return;
    }
    await reply.end();
  }

  return { handle };
}

/**
 * The server's version, proving the URL connects. ClickHouse has no engine adapter in this version
 * (no migrations or Explorer on it): its connections serve as transfer targets, checked through the
 * transfer's own ClickHouse client.
 */
async function serverVersionOf(conn: VaultConnection, connectTimeoutMs: number): Promise<string> {
  if (conn.engine !== "clickhouse") return withTarget(conn, connectTimeoutMs, (t) => t.session.serverVersion());
  const { openClickhouse } = await import("../arrow-transfer/clickhouse.ts");
  const ch = await openClickhouse(conn.url);
  try {
    const [row] = await ch.rows<{ version: string }>("SELECT version() AS version");
    return row?.version ?? "";
  } finally {
    await ch.close();
  }
}
