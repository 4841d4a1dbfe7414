// mx backup list|purge --env E [--connection C]: the backup areas of an environment's databases
// through their agents (issue 5), and mx backup retention --env E --keep-days N. With --url the
// same list|purge commands work on one database directly (local mode, local.ts).
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  type Backup,
  ListBackupsResponseSchema,
  PurgeBackupsResponseSchema,
  SetBackupRetentionResponseSchema,
} from "../../proto/gen/migratrix/control/v1/backup_pb.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { formatBytes } from "./local.ts";
import { type CommandContext, defineCommand } from "./types.ts";

/** A backup as both modes list it: local mode's engine entries and the API's messages. */
export interface BackupLine {
  connection?: string;
  table: string;
  migrationId: string;
  upIndex: number;
  reason: string;
  source: string;
  rows: number | bigint;
  bytes: number | bigint;
  createdAt: string;
}

/** The backups table (with a CONNECTION column through the platform), then who could not answer. */
export function printBackups(out: Output, backups: BackupLine[], errors: string[] = []): void {
  const platform = backups.some((b) => b.connection !== undefined);
  out.table(
    [...(platform ? ["CONNECTION"] : []), "TABLE", "MIGRATION", "STMT", "KIND", "SOURCE", "ROWS", "SIZE", "CREATED"],
    backups.map((b) => [
      ...(platform ? [b.connection ?? ""] : []),
      b.table,
      b.migrationId,
      String(b.upIndex),
      b.reason,
      b.source,
      String(b.rows),
      formatBytes(Number(b.bytes)),
      b.createdAt,
    ]),
    { empty: "no backups" },
  );
  for (const e of errors) out.note(`could not reach ${e}`);
}

const line = (b: Backup): BackupLine => ({
  ...b,
  createdAt: b.createdAt ? timestampDate(b.createdAt).toISOString() : "",
});

/** mx backup list --env E [--connection C] [--migration ID]. */
export async function listOnPlatform(ctx: CommandContext, environment: string): Promise<number> {
  const { out, input } = ctx;
  const connection = input.string("connection");
  const migrationId = input.string("migration");
  const res = await ctx.clients().backups.listBackups({
    environment,
    ...(connection ? { connection } : {}),
    ...(migrationId ? { migrationId } : {}),
  });
  if (out.json) out.document(protoJson(ListBackupsResponseSchema, res));
  else printBackups(out, res.backups.map(line), res.errors);
  return res.errors.length > 0 ? 1 : 0;
}

/** mx backup purge --env E [--connection C] --migration ID | --older-than AGE (admins; audited). */
export async function purgeOnPlatform(
  ctx: CommandContext,
  environment: string,
  filter: { migrationId?: string; olderThanMs?: number },
): Promise<number> {
  const { out, input } = ctx;
  if (filter.migrationId === undefined && filter.olderThanMs === undefined) {
    throw new UsageError("say what to purge: --migration ID or --older-than AGE", "backup purge");
  }
  const connection = input.string("connection");
  const res = await ctx.clients().backups.purgeBackups({
    environment,
    ...(connection ? { connection } : {}),
    ...(filter.migrationId !== undefined ? { migrationId: filter.migrationId } : {}),
    ...(filter.olderThanMs !== undefined ? { olderThanMs: BigInt(filter.olderThanMs) } : {}),
  });
  if (out.json) out.document(protoJson(PurgeBackupsResponseSchema, res));
  else {
    const bytes = res.purged.reduce((n, b) => n + Number(b.bytes), 0);
    out.line(`purged ${res.purged.length} backup(s), ${formatBytes(bytes)}`);
    if (res.purged.length > 0) printBackups(out, res.purged.map(line));
    for (const e of res.errors) out.note(`could not reach ${e}`);
  }
  return res.errors.length > 0 ? 1 : 0;
}

export const backupRetention = defineCommand({
  path: ["backup", "retention"],
  summary: "keep an environment's backups N days; the scheduler purges older ones (admins)",
  args: [],
  options: {
    env: { type: "string", value: "NAME", description: "the environment (required)" },
    "keep-days": { type: "string", value: "N", description: "days to keep backups; 0 removes the policy" },
    cron: { type: "string", value: "CRON", description: "when the purge runs, UTC (default daily at 03:00)" },
  },
  details: ["Every purge, scheduled or not, is in the audit trail with what was dropped and its size."],
  async run({ out, input, clients }) {
    const environment = input.required("env");
    const keepDays = input.uint("keep-days");
    if (keepDays === undefined) throw new UsageError("--keep-days N is required", "backup retention");
    const res = await clients().backups.setBackupRetention({ environment, keepDays, cron: input.string("cron") ?? "" });
    if (out.json) out.document(protoJson(SetBackupRetentionResponseSchema, res));
    else
      out.line(
        res.keepDays === 0
          ? `backup retention of ${environment} removed`
          : `backups on ${environment} are kept ${res.keepDays} day(s); purge runs ${res.cron} UTC (next ${formatTime(res.nextRun)})`,
      );
    return 0;
  },
});
