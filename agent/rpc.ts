// Interactive requests to this agent (subjects.agentRpc): introspect, store_secret and
// test_connection. Answered with one AgentReply frame; failures travel as AgentReply.error so the
// caller keeps the engine's native code. Nothing here is persisted on the bus.
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
import { hideSecret, toDbError } from "./events.ts";
import { createExplorer } from "./explorer.ts";
import type { AgentMetrics } from "./metrics.ts";
import { lookupConnection, withTarget } from "./targets.ts";
import type { Vault } from "./vault.ts";

export interface RpcHandlerOptions {
  vault: Vault;
  agentId: string;
  connectTimeoutMs: number;
  metrics: AgentMetrics;
  log: Logger;
  /** The bus's max_payload: explorer result frames stay well under it (default 1 MiB, NATS's). */
  maxPayload?: number;
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
      const conn = { name: info.name, environment: info.environment, engine, url };
      const serverVersion = await withTarget(conn, connectTimeoutMs, (t) => t.session.serverVersion());
      await vault.putConnection(conn);
      log.info("connection stored", { connection: `${info.environment}/${info.name}`, engine, serverVersion });
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
      case "testConnection": {
        const conn = lookupConnection(vault, agentId, req.kind.value.connection);
        const started = performance.now();
        const serverVersion = await withTarget(conn, connectTimeoutMs, (t) => t.session.serverVersion());
        return {
          case: "testConnection",
          value: create(TestConnectionReplySchema, { serverVersion, latencyMs: performance.now() - started }),
        };
      }
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
    if (decoded.kind.case === "query") {
      // Explorer queries stream several frames; a refusal or failure is one error frame.
      try {
        await explorer.query(decoded.kind.value, reply, log);
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
