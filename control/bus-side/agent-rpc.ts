// Interactive calls to an agent (introspect, store a sealed secret): NATS request/reply on the
// agent's rpc subject, never persisted; the agent's error reply becomes a MigratrixError.
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { subjects } from "../../bus/subjects.ts";
import type { Bus } from "../../bus/types.ts";
import { isErrorCode, MigratrixError } from "../../common/errors.ts";
import {
  type AgentReply,
  AgentReplySchema,
  AgentRequestSchema,
  type StoreSecretRequestSchema,
} from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";

export async function callAgent(
  bus: Bus,
  input: {
    workspaceId: string;
    agentId: string;
    request: MessageInitShape<typeof AgentRequestSchema> & { correlationId: string };
    timeoutMs: number;
  },
): Promise<AgentReply[]> {
  const data = toBinary(AgentRequestSchema, create(AgentRequestSchema, input.request));
  const replies: AgentReply[] = [];
  try {
    for await (const frame of bus.request(subjects.agentRpc(input.workspaceId, input.agentId), data, {
      timeoutMs: input.timeoutMs,
      headers: { "mx-correlation-id": input.request.correlationId },
    })) {
      replies.push(fromBinary(AgentReplySchema, frame));
    }
  } catch (err) {
    const e = MigratrixError.from(err, "unavailable");
    if (e.code === "unavailable" || e.code === "deadline_exceeded") {
      throw new MigratrixError(e.code, `agent ${input.agentId} did not answer: ${e.message}`, e.detail, { cause: err });
    }
    throw e;
  }
  // The agent answered with an error of its own (cannot connect, bad secret…): passed on as is.
  for (const reply of replies) {
    if (reply.kind.case !== "error") continue;
    const e = reply.kind.value.error;
    const code = e && isErrorCode(e.code) ? e.code : "unknown";
    throw new MigratrixError(code, e?.message || `agent ${input.agentId} failed without a message`, {
      ...(e?.nativeCode ? { nativeCode: e.nativeCode } : {}),
      agentId: input.agentId,
    });
  }
  return replies;
}

/** The schema snapshot JSON of one connection, read by its serving agent (a large one comes in several frames, in order). */
export async function introspectOn(
  bus: Bus,
  input: {
    workspaceId: string;
    agentId: string;
    timeoutMs: number;
    correlationId: string;
    /** "<environment>/<connection>". */
    connection: string;
    schemas?: string[];
    objects?: boolean;
  },
): Promise<string> {
  const { workspaceId, agentId, timeoutMs, correlationId, ...value } = input;
  const replies = await callAgent(bus, {
    workspaceId,
    agentId,
    timeoutMs,
    request: { correlationId, workspaceId, kind: { case: "introspect", value } },
  });
  return replies.map((r) => (r.kind.case === "introspect" ? r.kind.value.snapshotJson : "")).join("");
}

/**
 * Relays a sealed connection secret (the owner's, or with readOnly the read credential) to the
 * serving agent, which checks it against the database and stores it; the server version it saw.
 */
export async function storeSecretOn(
  bus: Bus,
  input: {
    workspaceId: string;
    agentId: string;
    timeoutMs: number;
    correlationId: string;
    value: MessageInitShape<typeof StoreSecretRequestSchema>;
  },
): Promise<string> {
  const { workspaceId, agentId, timeoutMs, correlationId, value } = input;
  const replies = await callAgent(bus, {
    workspaceId,
    agentId,
    timeoutMs,
    request: { correlationId, workspaceId, kind: { case: "storeSecret", value } },
  });
  const confirmed = replies.find((r) => r.kind.case === "storeSecret")?.kind;
  if (confirmed?.case !== "storeSecret") {
    throw new MigratrixError("internal", `agent ${agentId} answered store_secret without a confirmation`);
  }
  return confirmed.value.serverVersion;
}
