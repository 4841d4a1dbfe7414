// Safe CRUD through the explorer: a table page in primary key order (read-only, masked, on the
// read-only credential where the environment is protected) and one-row edits by primary key where
// the caller may write, with old values checked by the agent. Both audited; an edit's record holds
// SHA-256 digests of the key and of the row before and after, never the values.
import { MigratrixError } from "../../common/errors.ts";
import type { EditValue, ResultColumn, ResultRow } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { appendAudit } from "../audit/index.ts";
import { callAgent } from "../bus-side/agent-rpc.ts";
import { checkExplorerWrite, readCredentialFor } from "./access.ts";
import { listMaskPolicies, maskKey, policiesFor } from "./policies.ts";
import { DEFAULT_TIMEOUT_MS, type ExplorerCall } from "./query.ts";

export interface CrudInput extends ExplorerCall {
  table: string;
}

export interface BrowsePage {
  columns: ResultColumn[];
  rows: ResultRow[];
  keyColumns: string[];
  nextAfter: string[];
}

/** Runs fn and appends one audit record whatever the outcome (a refusal records its code). */
async function audited<T>(
  p: CrudInput & { action: string; detail: Record<string, unknown> },
  fn: () => Promise<T>,
): Promise<T> {
  const path = `${p.connection.environment}/${p.connection.name}`;
  const record = (detail: Record<string, unknown>) =>
    p.db.transaction((tx) =>
      appendAudit(tx, {
        workspaceId: p.caller.workspaceId,
        actor: p.caller.actor,
        action: p.action,
        environment: p.environment.name,
        target: path,
        correlationId: p.correlationId,
        detail: { table: p.table, ...p.detail, ...detail },
      }),
    );
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    const e = MigratrixError.from(err);
    await record({ refused: true, code: e.code });
    throw e;
  }
  await record({ refused: false });
  return result;
}

async function maskPart(p: CrudInput) {
  const policies = policiesFor(await listMaskPolicies(p.db, p.caller.workspaceId, p.environment.id), p.role);
  return {
    masks: policies.map((x) => ({ pattern: x.pattern, kind: x.kind, keepLast: x.keepLast })),
    maskKey: policies.some((x) => x.kind === "hash") ? await maskKey(p.db, p.caller.workspaceId) : new Uint8Array(),
  };
}

export async function browseTable(
  p: CrudInput & { after: readonly string[]; limit: number; timeoutMs: number },
): Promise<BrowsePage> {
  const detail: Record<string, unknown> = { page: p.after.length > 0 ? "next" : "first" };
  return audited({ ...p, action: "explorer.browse", detail }, async () => {
    const readCredential = await readCredentialFor(p.db, p.connection, p.environment);
    const replies = await callAgent(p.bus, {
      workspaceId: p.caller.workspaceId,
      agentId: p.connection.agentId,
      timeoutMs: (p.timeoutMs || DEFAULT_TIMEOUT_MS) + 10_000,
      request: {
        correlationId: p.correlationId,
        workspaceId: p.caller.workspaceId,
        kind: {
          case: "browse",
          value: {
            connection: `${p.connection.environment}/${p.connection.name}`,
            table: p.table,
            after: [...p.after],
            limit: p.limit,
            statementTimeoutMs: p.timeoutMs || DEFAULT_TIMEOUT_MS,
            readCredential,
            ...(await maskPart(p)),
          },
        },
      },
    });
    const page: BrowsePage = { columns: [], rows: [], keyColumns: [], nextAfter: [] };
    for (const r of replies) {
      if (r.kind.case !== "query") continue;
      const f = r.kind.value;
      if (f.columns.length > 0) page.columns = f.columns;
      page.rows.push(...f.rows);
      if (f.done) {
        page.keyColumns = f.browseKeyColumns;
        page.nextAfter = f.browseNext;
        detail.rows = Number(f.rowCount);
      }
    }
    return page;
  });
}

export async function editRow(
  p: CrudInput & {
    op: string;
    key: readonly EditValue[];
    expected: readonly EditValue[];
    values: readonly EditValue[];
    authorizeWrite(): Promise<void>;
  },
): Promise<{ rowsAffected: number; beforeSha256: string; afterSha256: string }> {
  const detail: Record<string, unknown> = { op: p.op };
  return audited({ ...p, action: "explorer.edit", detail }, async () => {
    await checkExplorerWrite({
      db: p.db,
      caller: p.caller,
      environment: p.environment,
      reason: `${p.op} of one row`,
      authorizeWrite: p.authorizeWrite,
    });
    const { masks } = await maskPart(p);
    const replies = await callAgent(p.bus, {
      workspaceId: p.caller.workspaceId,
      agentId: p.connection.agentId,
      timeoutMs: DEFAULT_TIMEOUT_MS + 10_000,
      request: {
        correlationId: p.correlationId,
        workspaceId: p.caller.workspaceId,
        kind: {
          case: "editRow",
          value: {
            connection: `${p.connection.environment}/${p.connection.name}`,
            table: p.table,
            op: p.op,
            key: [...p.key],
            expected: [...p.expected],
            values: [...p.values],
            statementTimeoutMs: DEFAULT_TIMEOUT_MS,
            masks,
          },
        },
      },
    });
    const reply = replies.find((r) => r.kind.case === "editRow")?.kind;
    if (reply?.case !== "editRow") {
      throw new MigratrixError("internal", `agent ${p.connection.agentId} answered edit_row without a result`);
    }
    const r = reply.value;
    Object.assign(detail, {
      rowsAffected: Number(r.rowsAffected),
      keySha256: r.keySha256,
      beforeSha256: r.beforeSha256,
      afterSha256: r.afterSha256,
    });
    return { rowsAffected: Number(r.rowsAffected), beforeSha256: r.beforeSha256, afterSha256: r.afterSha256 };
  });
}
