// ExplorerService.Query's domain logic: classify every statement, decide read-only or write by
// role, grant and environment, pick the read-only credential on protected environments, attach the
// caller's mask policies and the workspace key, stream the agent's frames through untouched
// (results are never stored), and audit every query by its SQL's SHA-256.
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
import type { Caller } from "../identity/index.ts";
import type { Db, Role } from "../store/index.ts";
import { checkExplorerWrite, readCredentialFor } from "./access.ts";
import { type Classification, classifyAll } from "./classify.ts";
import { listMaskPolicies, maskKey, policiesFor } from "./policies.ts";

/** Test hooks, read at every query so a test can switch the classifier off between two queries. */
export interface ExplorerControlHooks {
  /** Layer 1 off: every statement counts as a read (the agent's layers must stop writes). */
  classifierOff?: boolean;
}

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 100_000;
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Who asks, on which connection (and its environment): what every explorer call starts from. */
export interface ExplorerCall {
  db: Db;
  bus: Bus;
  caller: Caller;
  role: Role | undefined;
  connection: ConnectionView;
  environment: EnvironmentRow;
  correlationId: string;
}

export interface QueryInput extends ExplorerCall {
  sql: string;
  params: readonly string[];
  limit: number;
  timeoutMs: number;
  /** The finer write check (authorize "explorer.write"; audits its own refusals). */
  authorizeWrite(): Promise<void>;
  hooks?: ExplorerControlHooks;
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
    const statements: Classification[] = q.hooks?.classifierOff
      ? classifyAll(q.sql, conn.engine).map((c) => ({ kind: "read", sql: c.sql }))
      : classifyAll(q.sql, conn.engine);
    const write = statements.find((c) => c.kind === "write");
    const kind = write ? "write" : "read";
    outcome.kind = kind;
    outcome.statements = statements.length;
    if (write) {
      outcome.reason = write.reason;
      await checkExplorerWrite({
        db: q.db,
        caller,
        environment: env,
        reason: write.reason ?? "",
        authorizeWrite: q.authorizeWrite,
      });
    }
    // Reads on a protected environment run on the connection's read-only role (layer 3).
    const readCredential = kind === "read" && (await readCredentialFor(q.db, conn, env));
    outcome.readCredential = readCredential;
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
          sql: q.sql,
          params: [...q.params],
          maxRows: limit,
          readOnly: kind === "read",
          readCredential,
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
        { timeoutMs: timeoutMs * statements.length + 10_000, headers: { "mx-correlation-id": q.correlationId } },
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
          outcome.statementsRun = r.statement + 1;
          Object.assign(outcome, {
            // Rows sent over all statements (a single statement: its row count).
            rows,
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
          kind: statements[r.statement]?.kind ?? kind,
          statement: r.statement,
          statementDone: r.statementDone,
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
