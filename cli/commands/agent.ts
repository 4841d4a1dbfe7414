// mx agent: the agents that serve this workspace's connections.
import { ListAgentsResponseSchema } from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

export const agentList = defineCommand({
  path: ["agent", "list"],
  summary: "list agents, whether they are online, and the public keys secrets are sealed to",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().connections.listAgents({});
    if (out.json) {
      out.document(protoJson(ListAgentsResponseSchema, res));
      return 0;
    }
    out.table(
      ["ID", "VERSION", "STATUS", "PUBLIC KEY"],
      res.agents.map((a) => [
        a.id,
        a.version,
        a.online ? out.paint("green", "online") : out.paint("red", "offline"),
        Buffer.from(a.publicKey).toString("base64"),
      ]),
      { empty: "no agents registered: start one with 'bun run agent' (bun start runs a local one)" },
    );
    return 0;
  },
});
