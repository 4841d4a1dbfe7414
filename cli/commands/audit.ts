// mx audit: the workspace's hash-chained audit log.
import { ListAuditResponseSchema } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { formatTime, protoJson } from "../output.ts";
import { defineCommand } from "./types.ts";

export const auditList = defineCommand({
  path: ["audit", "list"],
  summary: "list audit records, oldest first",
  args: [],
  options: {
    limit: { type: "string", value: "N", description: "at most N records (default: the server's page size)" },
    after: { type: "string", value: "SEQ", description: "records after this sequence number" },
    tail: { type: "string", value: "N", description: "the newest N records (still listed oldest first)" },
  },
  async run({ out, input, clients }) {
    const after = input.uint("after");
    const tail = input.uint("tail");
    const res = await clients().audit.listAudit({
      limit: tail ?? input.uint("limit") ?? 0,
      afterSeq: after === undefined ? 0n : BigInt(after),
      newest: tail !== undefined,
    });
    if (out.json) {
      out.document(protoJson(ListAuditResponseSchema, res));
      return 0;
    }
    out.table(
      ["SEQ", "AT", "ACTOR", "ACTION", "ENV", "TARGET", "HASH"],
      res.records.map((r) => [
        String(r.seq),
        formatTime(r.at),
        r.actor,
        r.action,
        r.environment || "-",
        r.target || "-",
        r.hash.slice(0, 12),
      ]),
      { empty: "no audit records" },
    );
    return 0;
  },
});
