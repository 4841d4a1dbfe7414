// mx audit: the workspace's hash-chained audit log.
import {
  AuditFormat,
  ListAuditResponseSchema,
  VerifyAuditResponseSchema,
} from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { UsageError } from "../errors.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { parseSince } from "./access.ts";
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

export const auditVerify = defineCommand({
  path: ["audit", "verify"],
  summary: "check the hash chain; names the first broken record (exit 1 when broken)",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().audit.verifyAudit({});
    if (out.json) out.document(protoJson(VerifyAuditResponseSchema, res));
    else if (res.ok) out.line(`${out.paint("green", "ok")}: ${res.verified} records verified`);
    else {
      out.line(
        `${out.paint("red", "broken")} at record ${res.firstBrokenSeq}: ${res.reason} (${res.verified} records before it verified)`,
      );
    }
    return res.ok ? 0 : 1;
  },
});

const FORMATS: Record<string, AuditFormat> = { csv: AuditFormat.CSV, json: AuditFormat.JSON };

export const auditExport = defineCommand({
  path: ["audit", "export"],
  summary: "write the audit chain as CSV or JSON Lines (workspace admins)",
  args: [],
  options: {
    format: { type: "string", value: "csv|json", description: "csv (default) or json (one object per line)" },
    since: { type: "string", value: "WHEN", description: "records from this ISO time, or this far back: 24h, 7d" },
    output: { type: "string", value: "FILE", description: "write to FILE instead of stdout" },
  },
  async run({ out, input, clients }) {
    const name = input.string("format") ?? "csv";
    const format = FORMATS[name];
    if (format === undefined) throw new UsageError(`--format must be csv or json, got '${name}'`);
    const since = input.string("since");
    const file = input.string("output");
    const sink = file === undefined ? undefined : Bun.file(file).writer();
    let records = 0;
    try {
      for await (const part of clients().audit.exportAudit({
        format,
        since: since === undefined ? undefined : parseSince(since),
      })) {
        records += part.records;
        if (sink) sink.write(part.chunk);
        else out.raw(part.chunk);
      }
    } finally {
      await sink?.end();
    }
    if (file !== undefined) out.note(`wrote ${records} records to ${file}`);
    return 0;
  },
});
