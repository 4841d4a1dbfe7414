// mx env: the environments of the workspace's pipeline.
import {
  CreateEnvironmentResponseSchema,
  ListEnvironmentsResponseSchema,
} from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

export const envList = defineCommand({
  path: ["env", "list"],
  summary: "list the environments in pipeline order",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().environments.listEnvironments({});
    if (out.json) {
      out.document(protoJson(ListEnvironmentsResponseSchema, res));
      return 0;
    }
    const envs = [...res.environments].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
    out.table(
      ["POSITION", "NAME", "APPROVALS", "PROTECTED", "CREATED"],
      envs.map((e) => [
        String(e.position),
        e.name,
        String(e.requiredApprovals),
        e.protected ? "yes" : "no",
        formatTime(e.createdAt),
      ]),
      { empty: "no environments yet: mx env create NAME" },
    );
    return 0;
  },
});

export const envCreate = defineCommand({
  path: ["env", "create"],
  summary: "create an environment",
  args: ["NAME"],
  options: {
    position: { type: "string", value: "N", description: "place in the pipeline (dev=1, qa=2, prod=3 …)" },
    approvals: { type: "string", value: "N", description: "approvals a migration needs here (default 0)" },
    protected: { type: "boolean", description: "read-only for explorer queries (production)" },
  },
  async run({ out, input, clients }) {
    const name = input.positionals[0] ?? "";
    const res = await clients().environments.createEnvironment({
      name,
      position: input.uint("position") ?? 0,
      requiredApprovals: input.uint("approvals") ?? 0,
      protected: input.flag("protected"),
    });
    if (out.json) {
      out.document(protoJson(CreateEnvironmentResponseSchema, res));
      return 0;
    }
    const env = res.environment;
    out.line(
      `created environment ${out.paint("bold", env?.name ?? name)} at position ${env?.position ?? 0}` +
        ` (approvals ${env?.requiredApprovals ?? 0}${env?.protected ? ", protected" : ""})`,
    );
    return 0;
  },
});
