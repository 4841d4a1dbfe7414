// mx whoami: the identity and workspace the token resolves to.
import { WhoAmIResponseSchema } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

export const whoami = defineCommand({
  path: ["whoami"],
  summary: "show who the token belongs to and its workspace",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().identity.whoAmI({});
    if (out.json) {
      out.document(protoJson(WhoAmIResponseSchema, res));
      return 0;
    }
    out.line(`user       ${res.email || "-"} (${res.userId})`);
    out.line(`workspace  ${res.workspaceName} (${res.workspaceId})`);
    out.line(`token      ${res.tokenId}`);
    return 0;
  },
});
