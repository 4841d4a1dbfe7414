// Announcing the agent to the control plane: its id, version, public key and the connections it
// serves (names only, never secrets). Sent at start and then on every heartbeat, which also
// covers reconnects the bus does not report.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { subjects } from "../bus/subjects.ts";
import type { Bus } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import { engineToProto } from "../engines/index.ts";
import { AnnounceRequestSchema, AnnounceResponseSchema } from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import type { Vault } from "./vault.ts";
import { AGENT_VERSION } from "./version.ts";

export async function announce(opts: {
  bus: Bus;
  workspaceId: string;
  agentId: string;
  token: string;
  vault: Vault;
  timeoutMs: number;
}): Promise<void> {
  const req = create(AnnounceRequestSchema, {
    agentId: opts.agentId,
    workspaceId: opts.workspaceId,
    version: AGENT_VERSION,
    publicKey: opts.vault.publicKey,
    connections: opts.vault.connections().map((c) => ({
      name: c.name,
      environment: c.environment,
      engine: engineToProto(c.engine),
    })),
  });
  const reply = fromBinary(
    AnnounceResponseSchema,
    await opts.bus.requestOne(subjects.controlAgents(opts.workspaceId), toBinary(AnnounceRequestSchema, req), {
      timeoutMs: opts.timeoutMs,
      headers: { authorization: `Bearer ${opts.token}` },
    }),
  );
  if (!reply.accepted) {
    throw new MigratrixError(
      "permission_denied",
      `control plane refused agent ${opts.agentId} in workspace ${opts.workspaceId}: ${reply.message || "no reason given"}`,
    );
  }
}

/** Errors after which retrying the announce cannot help: the agent should stop. */
export function isFatalAnnounceError(err: unknown): boolean {
  const e = MigratrixError.from(err);
  return e.code === "unauthenticated" || e.code === "permission_denied" || e.code === "invalid_argument";
}
