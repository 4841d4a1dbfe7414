// Store rows → API messages.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { EnvironmentSchema } from "../../proto/gen/migratrix/control/v1/common_pb.ts";
import type { AgentSchema, ConnectionSchema } from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import type { ApiTokenSchema } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import type {
  AuditRecordSchema,
  MigrationSchema,
  RunSchema,
} from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { AuditRow } from "../audit/index.ts";
import type { AgentRow } from "../domain/agents.ts";
import type { ConnectionView } from "../domain/connections.ts";
import { engineToProto } from "../domain/engines.ts";
import type { EnvironmentRow } from "../domain/environments.ts";
import type { MigrationRow } from "../domain/migrations.ts";
import type { ApiTokenRow } from "../identity/index.ts";
import type { RunView } from "../runs/queries.ts";
import { errorToDb, runStateToProto } from "../runs/state.ts";

const ts = (d: Date | null | undefined) => (d ? timestampFromDate(d) : undefined);

export function environmentMsg(e: EnvironmentRow): MessageInitShape<typeof EnvironmentSchema> {
  return {
    id: e.id,
    name: e.name,
    position: e.position,
    requiredApprovals: e.requiredApprovals,
    protected: e.protected,
    createdAt: ts(e.createdAt),
  };
}

export function agentMsg(a: AgentRow, onlineWindowMs: number, now = Date.now()): MessageInitShape<typeof AgentSchema> {
  return {
    id: a.id,
    version: a.version,
    publicKey: Buffer.from(a.publicKey, "base64"),
    online: now - a.lastSeen.getTime() <= onlineWindowMs,
  };
}

export function connectionMsg(c: ConnectionView): MessageInitShape<typeof ConnectionSchema> {
  return { id: c.id, name: c.name, environment: c.environment, engine: engineToProto(c.engine), agentId: c.agentId };
}

export function tokenMsg(t: ApiTokenRow): MessageInitShape<typeof ApiTokenSchema> {
  return {
    id: t.id,
    name: t.name,
    userId: t.userId,
    createdAt: ts(t.createdAt),
    expiresAt: ts(t.expiresAt),
    revokedAt: ts(t.revokedAt),
    lastUsedAt: ts(t.lastUsedAt),
  };
}

export function migrationMsg(m: MigrationRow): MessageInitShape<typeof MigrationSchema> {
  return {
    id: m.id,
    name: m.name,
    upSql: m.upSql,
    downSql: m.downSql,
    checksum: m.checksum,
    statements: m.statements,
    createdBy: m.createdBy,
    createdAt: ts(m.createdAt),
    riskLevel: m.riskLevel,
    riskReportJson: m.riskReport ? JSON.stringify(m.riskReport) : "",
  };
}

export function runMsg(r: RunView): MessageInitShape<typeof RunSchema> {
  return {
    id: r.id,
    migrationId: r.migrationId,
    environment: r.environment,
    connection: r.connection,
    state: runStateToProto(r.state),
    attempt: r.attempt,
    statementsTotal: r.statementsTotal,
    statementsDone: r.statementsDone,
    failedStatement: r.failedStatement,
    error: errorToDb(r.error),
    correlationId: r.correlationId,
    agentId: r.leaseOwner ?? r.servingAgent,
    createdAt: ts(r.createdAt),
    startedAt: ts(r.startedAt),
    finishedAt: ts(r.finishedAt),
    direction: r.direction,
  };
}

export function auditMsg(a: AuditRow): MessageInitShape<typeof AuditRecordSchema> {
  return {
    seq: BigInt(a.seq),
    actor: a.actor,
    action: a.action,
    environment: a.environment ?? "",
    target: a.target ?? "",
    correlationId: a.correlationId,
    detailJson: JSON.stringify(a.detail),
    sqlSha256: a.sqlSha256 ?? "",
    prevHash: a.prevHash,
    hash: a.hash,
    at: ts(a.at),
  };
}
