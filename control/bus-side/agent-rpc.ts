// Interactive calls to an agent (introspect, store a sealed secret): NATS request/reply on the
// agent's rpc subject, never persisted; the agent's error reply becomes a MigratrixError.
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { subjects } from "../../bus/subjects.ts";
import type { Bus } from "../../bus/types.ts";
import { isErrorCode, MigratrixError } from "../../common/errors.ts";
import { type AgentReply, AgentReplySchema, AgentRequestSchema } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";

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
