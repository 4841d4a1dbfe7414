// mx mask add|list|remove: column masking policies per environment, applied by the agents.
import { ListMaskPoliciesResponseSchema } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { UsageError } from "../errors.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

export const maskAdd = defineCommand({
  path: ["mask", "add"],
  summary: "mask a column pattern on an environment: full, partial (--keep N), hash or null",
  args: ["PATTERN", "KIND"],
  options: {
    env: { type: "string", value: "ENV", description: "the environment (required)" },
    keep: { type: "string", value: "N", description: "partial: characters kept at the end" },
    exempt: { type: "string", value: "ROLES", description: "roles that see it unmasked, e.g. admin,approver" },
  },
  details: ['PATTERN is [schema.]table.column with * globs: "*.email", "users.ssn".'],
  async run({ out, input, clients }) {
    const [pattern = "", kind = ""] = input.positionals;
    if (pattern === "" || kind === "") throw new UsageError("wants PATTERN and KIND");
    const exempt = input.string("exempt");
    const res = await clients().explorer.addMaskPolicy({
      environment: input.required("env"),
      pattern,
      kind,
      keepLast: input.uint("keep") ?? 0,
      exemptRoles: exempt ? exempt.split(",").map((r) => r.trim()) : [],
    });
    const p = res.policy;
    if (out.json) out.document({ id: p?.id, environment: p?.environment, pattern: p?.pattern, kind: p?.kind });
    else out.line(`${p?.environment}: ${p?.pattern} masked (${p?.kind}), policy ${p?.id}`);
    return 0;
  },
});

export const maskList = defineCommand({
  path: ["mask", "list"],
  summary: "the masking policies of an environment",
  args: [],
  options: { env: { type: "string", value: "ENV", description: "the environment (required)" } },
  async run({ out, input, clients }) {
    const res = await clients().explorer.listMaskPolicies({ environment: input.required("env") });
    if (out.json) {
      out.document(protoJson(ListMaskPoliciesResponseSchema, res));
      return 0;
    }
    out.table(
      ["ID", "PATTERN", "KIND", "EXEMPT", "BY", "CREATED"],
      res.policies.map((p) => [
        p.id,
        p.pattern,
        p.kind === "partial" ? `partial (last ${p.keepLast})` : p.kind,
        p.exemptRoles.join(",") || "-",
        p.createdBy,
        formatTime(p.createdAt),
      ]),
      { empty: "no masking policies" },
    );
    return 0;
  },
});

export const maskRemove = defineCommand({
  path: ["mask", "remove"],
  summary: "remove a masking policy by id",
  args: ["ID"],
  options: { env: { type: "string", value: "ENV", description: "the environment (required)" } },
  async run({ out, input, clients }) {
    const id = input.positionals[0] ?? "";
    const environment = input.required("env");
    await clients().explorer.removeMaskPolicy({ environment, id });
    if (out.json) out.document({ removed: id, environment });
    else out.line(`policy ${id} removed from ${environment}`);
    return 0;
  },
});
