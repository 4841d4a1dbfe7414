// ExplorerService.Query's domain logic: classify, decide read-only or write by role and
// environment, attach the caller's mask policies and the workspace key, stream the agent's frames
// through untouched (results are never stored), and audit every query by its SQL's SHA-256.
import { create, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { subjects } from "../../bus/subjects.ts";
import type { Bus } from "../../bus/types.ts";
import { isErrorCode, MigratrixError } from "../../common/errors.ts";
import { isEngineId } from "../../engines/index.ts";
import { AgentReplySchema, AgentRequestSchema } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import type { QueryResponseSchema } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { appendAudit } from "../audit/index.ts";
import type { ConnectionView } from "../domain/connections.ts";
import type { EnvironmentRow } from "../domain/environments.ts";
import { type Caller, environmentKind } from "../identity/index.ts";
import type { Db, Role } from "../store/index.ts";
import { classify } from "./classify.ts";
import { listMaskPolicies, maskKey, policiesFor, writesAllowed } from "./policies.ts";

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 100_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface QueryInput {
  db: Db;
  bus: Bus;
  caller: Caller;
  role: Role | undefined;
  connection: ConnectionView;
  environment: EnvironmentRow;
  sql: string;
  params: readonly string[];
  limit: number;
  timeoutMs: number;
  correlationId: string;
  /** The finer write check (authorize "explorer.write"; audits its own refusals). */
  authorizeWrite(): Promise<void>;
}

type Response = MessageInitShape<typeof QueryResponseSchema>;

export async function* runQuery(q: QueryInput): AsyncGenerator<Response> {
  const { caller, connection: conn, environment: env } = q;
  const path = `${conn.environment}/${conn.name}`;
  const started = performance.now();
  const outcome: Record<string, unknown> = { connection: path, refused: false };
  const audit = () =>
    q.db.transaction((tx) =>
      appendAudit(tx, {
        workspaceId: caller.workspaceId,
        actor: caller.actor,
        action: "explorer.query",
        environment: env.name,
        target: path,
        correlationId: q.correlationId,
        detail: { ...outcome, durationMs: Math.round(performance.now() - started) },
        sql: q.sql,
      }),
    );
  let audited = false;
  try {
    if (!isEngineId(conn.engine))
      throw new MigratrixError("failed_precondition", `connection ${path} has an unknown engine`);
    const c = classify(q.sql, conn.engine);
    outcome.kind = c.kind;
    const isProtected = environmentKind(env) === "protected";
    if (c.kind === "write") {
      outcome.reason = c.reason;
      if (isProtected && !(await writesAllowed(q.db, caller.workspaceId, env.id))) {
        throw new MigratrixError(
          "permission_denied",
          `environment ${env.name} is read-only for the explorer: the statement writes (${c.reason}); an admin may allow explorer writes there`,
        );
      }
      await q.authorizeWrite();
    }
    const policies = policiesFor(await listMaskPolicies(q.db, caller.workspaceId, env.id), q.role);
    outcome.masks = policies.length;
    const limit = Math.min(q.limit || DEFAULT_LIMIT, MAX_LIMIT);
    const timeoutMs = q.timeoutMs || DEFAULT_TIMEOUT_MS;
    const request = create(AgentRequestSchema, {
      correlationId: q.correlationId,
      workspaceId: caller.workspaceId,
      kind: {
        case: "query",
        value: {
          connection: path,
          sql: c.sql,
          params: [...q.params],
          maxRows: limit,
          readOnly: c.kind === "read",
          statementTimeoutMs: timeoutMs,
          masks: policies.map((p) => ({ pattern: p.pattern, kind: p.kind, keepLast: p.keepLast })),
          maskKey: policies.some((p) => p.kind === "hash") ? await maskKey(q.db, caller.workspaceId) : new Uint8Array(),
        },
      },
    });
    let rows = 0;
    try {
      for await (const frame of q.bus.request(
        subjects.agentRpc(caller.workspaceId, conn.agentId),
        toBinary(AgentRequestSchema, request),
        { timeoutMs: timeoutMs + 10_000, headers: { "mx-correlation-id": q.correlationId } },
      )) {
        const reply = fromBinary(AgentReplySchema, frame);
        if (reply.kind.case === "error") {
          const e = reply.kind.value.error;
          throw new MigratrixError(
            e && isErrorCode(e.code) ? e.code : "unknown",
            e?.message || `agent ${conn.agentId} failed the query without a message`,
            { ...(e?.nativeCode ? { nativeCode: e.nativeCode } : {}), agentId: conn.agentId },
          );
        }
        if (reply.kind.case !== "query") continue;
        const r = reply.kind.value;
        rows += r.rows.length;
        if (r.done) {
          Object.assign(outcome, {
            rows: Number(r.rowCount),
            truncated: r.truncated,
            rowsAffected: Number(r.rowsAffected),
            agentMs: Math.round(r.durationMs),
          });
          audited = true;
          await audit();
        }
        yield {
          columns: r.columns,
          rows: r.rows,
          done: r.done,
          rowCount: r.rowCount,
          truncated: r.truncated,
          durationMs: r.durationMs,
          rowsAffected: r.rowsAffected,
          kind: c.kind,
        };
      }
    } catch (err) {
      outcome.rowsSent = rows;
      throw err;
    }
  } catch (err) {
    const e = MigratrixError.from(err);
    outcome.refused = true;
    outcome.code = e.code;
    if (!audited) {
      audited = true;
      await audit();
    }
    throw e;
  } finally {
    // A client that went away mid-stream still leaves its record.
    if (!audited) {
      outcome.abandoned = true;
      await audit();
    }
  }
}
