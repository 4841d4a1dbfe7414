// The backup area of a connection, for the control plane's BackupService: list the backups apply
// took (with their size) and purge them, through the engines' rollback store (the same code as
// local mode's mx backup list|purge --url). Purge drops backup tables only, never user tables.
import { create } from "@bufbuild/protobuf";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { type BackupEntry, generatesRollback, listBackups, purgeBackups } from "../engines/index.ts";
import {
  type BackupInfo,
  BackupInfoSchema,
  type BackupListReply,
  BackupListReplySchema,
  type BackupListRequest,
  type BackupPurgeRequest,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { lookupConnection, withTarget } from "./targets.ts";
import type { Vault } from "./vault.ts";

export interface BackupRequestOptions {
  vault: Vault;
  agentId: string;
  connectTimeoutMs: number;
  log: Logger;
}

function info(b: BackupEntry): BackupInfo {
  return create(BackupInfoSchema, {
    table: b.table,
    migrationId: b.migrationId,
    upIndex: b.upIndex,
    source: b.source,
    reason: b.reason,
    rows: BigInt(Math.max(0, Math.trunc(b.rows))),
    bytes: BigInt(Math.max(0, Math.trunc(b.bytes))),
    createdAt: b.createdAt,
  });
}

export async function backupRequest(
  req: { case: "backupList"; value: BackupListRequest } | { case: "backupPurge"; value: BackupPurgeRequest },
  o: BackupRequestOptions,
): Promise<BackupListReply> {
  const conn = lookupConnection(o.vault, o.agentId, req.value.connection);
  const entries = await withTarget(conn, o.connectTimeoutMs, async (t) => {
    if (!generatesRollback(t.engine)) {
      throw new MigratrixError(
        "failed_precondition",
        `connection ${req.value.connection} is ${t.engine.id}: applies there keep no backups`,
      );
    }
    const migrationId = req.value.migrationId === "" ? {} : { migrationId: req.value.migrationId };
    if (req.case === "backupList") return listBackups(t.engine, t.session, migrationId);
    const now = new Date();
    const { olderThanMs, createdBeforeMs } = req.value;
    // Both given: the stricter (older) bound wins.
    const ages = [
      ...(olderThanMs > 0n ? [Number(olderThanMs)] : []),
      ...(createdBeforeMs > 0n ? [now.getTime() - Number(createdBeforeMs)] : []),
    ];
    const age = ages.length > 0 ? { olderThanMs: Math.max(...ages) } : {};
    const purged = await purgeBackups(t.engine, t.session, { ...migrationId, ...age, now });
    o.log.info("backups purged", {
      connection: req.value.connection,
      tables: purged.length,
      bytes: purged.reduce((n, b) => n + b.bytes, 0),
    });
    return purged;
  });
  return create(BackupListReplySchema, { backups: entries.map(info) });
}
