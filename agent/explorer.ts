// The agent's side of ExplorerService.Query: one statement, guarded here whatever the control plane
// decided (defence in depth: a read-only request runs in a read-only transaction and is refused
// when it holds more than one statement), masked here before any row leaves, streamed in frames
// under the bus's credit flow control.
import { create, toBinary } from "@bufbuild/protobuf";
import type { ReplyStream } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { getEngine } from "../engines/index.ts";
import {
  AgentReplySchema,
  QueryReplySchema,
  type QueryRequest,
  type ResultCell,
  ResultCellSchema,
  type ResultRow,
  ResultRowSchema,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { type ExplorerSession, openExplorerSession } from "./explorer-engines.ts";
import {
  checkLeaks,
  compileRules,
  identifierTokens,
  isMaskKind,
  type MaskRule,
  maskValue,
  ruleFor,
} from "./explorer-mask.ts";
import { lookupConnection } from "./targets.ts";
import type { Vault } from "./vault.ts";

export interface ExplorerOptions {
  vault: Vault;
  agentId: string;
  connectTimeoutMs: number;
  log: Logger;
  /** Largest frame the bus carries (its max_payload); frames stay well under it. */
  maxPayload: number;
}

const DEFAULT_BATCH = 500;
const HARD_MAX_ROWS = 100_000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;

/** A driver value as text, the way a console shows it. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? String(v) : v.toISOString();
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString("hex")}`;
  return JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
}

function rulesOf(req: QueryRequest): MaskRule[] {
  return req.masks.map((m) => {
    if (!isMaskKind(m.kind)) throw new MigratrixError("invalid_argument", `mask kind "${m.kind}" is not known`);
    return { pattern: m.pattern, kind: m.kind, keepLast: m.keepLast };
  });
}

/** View definitions reachable from the statement's names (views of views, a few levels deep). */
async function viewTexts(session: ExplorerSession, sql: string): Promise<{ texts: string[]; names: Set<string> }> {
  const texts = [sql];
  const names = new Set(identifierTokens(sql));
  let frontier = [...names];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const defs = await session.viewDefinitions(frontier);
    frontier = [];
    for (const def of defs.values()) {
      texts.push(def);
      for (const token of identifierTokens(def)) {
        if (!names.has(token)) {
          names.add(token);
          frontier.push(token);
        }
      }
    }
  }
  return { texts, names };
}

export function createExplorer(opts: ExplorerOptions) {
  const { vault, agentId } = opts;

  async function send(reply: ReplyStream, value: Parameters<typeof create<typeof QueryReplySchema>>[1]) {
    const frame = create(AgentReplySchema, { kind: { case: "query", value: create(QueryReplySchema, value) } });
    await reply.send(toBinary(AgentReplySchema, frame));
  }

  /** Runs the request and streams its reply frames; throws a MigratrixError before the first row on refusal. */
  async function query(req: QueryRequest, reply: ReplyStream, log: Logger): Promise<void> {
    const conn = lookupConnection(vault, agentId, req.connection);
    const statements = getEngine(conn.engine).dialect.split(req.sql);
    if (statements.problems.length > 0) {
      const p = statements.problems[0];
      throw new MigratrixError("invalid_argument", `SQL does not parse at ${p?.line}:${p?.column}: ${p?.message}`);
    }
    if (statements.statements.length !== 1) {
      throw new MigratrixError(
        "invalid_argument",
        `agent ${agentId} runs exactly one statement per query; this text holds ${statements.statements.length}`,
      );
    }
    const sql = statements.statements[0]?.text ?? "";
    const maxRows = Math.min(Math.max(1, req.maxRows || 1000), HARD_MAX_ROWS);
    const maxBytes = Number(req.maxBytes) || DEFAULT_MAX_BYTES;
    const batchRows = Math.max(1, req.batchRows || DEFAULT_BATCH);
    // A frame holds at most a quarter of max_payload of cell text, so headers and framing fit.
    const frameBytes = Math.max(1024, Math.floor(opts.maxPayload / 4));
    const rules = compileRules(rulesOf(req));
    const started = performance.now();
    const session = await openExplorerSession(conn.engine, conn.url, opts.connectTimeoutMs);
    let committed = false;
    try {
      await session.begin({ readOnly: req.readOnly, timeoutMs: req.statementTimeoutMs || 30_000 });
      const exec = await session.run({ sql, params: req.params, maxRows, batchRows });
      const masks = exec.columns.map((c) => ruleFor(rules, c.source ?? { column: c.name }));
      if (rules.length > 0) {
        const { texts, names } = await viewTexts(session, sql);
        const catalog = session.traces ? await session.columnsOf([...names]) : [];
        const userFunctions = session.traces ? await session.userFunctions([...names]) : [];
        const tablesWithMaskedColumns = [
          ...new Set(catalog.filter((c) => ruleFor(rules, c)).map((c) => `${c.schema}.${c.table}`)),
        ];
        checkLeaks(rules, {
          texts,
          columns: exec.columns,
          masks,
          tablesWithMaskedColumns,
          userFunctions,
          traces: session.traces,
        });
      }
      const key = req.maskKey;
      let rowCount = 0;
      let bytes = 0;
      let truncated = false;
      let pending: ResultRow[] = [];
      let pendingBytes = 0;
      let first = true;
      const columns = exec.columns.map((c, i) => ({
        name: c.name,
        type: c.type,
        source: c.source ? [c.source.schema, c.source.table, c.source.column].filter(Boolean).join(".") : "",
        masked: masks[i]?.kind ?? "",
      }));
      const flush = async () => {
        await send(reply, first ? { columns, rows: pending } : { rows: pending });
        first = false;
        pending = [];
        pendingBytes = 0;
      };
      outer: for await (const batch of exec.batches) {
        for (const raw of batch) {
          if (rowCount >= maxRows || reply.cancelled) {
            truncated = rowCount >= maxRows;
            break outer;
          }
          const cells: ResultCell[] = raw.map((v, i) => {
            const rule = masks[i];
            const text = rule ? maskValue(rule, cellText(v), key) : cellText(v);
            if (text !== null) pendingBytes += text.length;
            return create(
              ResultCellSchema,
              text === null ? { value: { case: "null", value: true } } : { value: { case: "text", value: text } },
            );
          });
          pending.push(create(ResultRowSchema, { cells }));
          rowCount++;
          if (bytes + pendingBytes > maxBytes) {
            truncated = true;
            pending.pop();
            rowCount--;
            break outer;
          }
          if (pending.length >= batchRows || pendingBytes >= frameBytes) {
            bytes += pendingBytes;
            await flush();
          }
        }
      }
      bytes += pendingBytes;
      if (pending.length > 0 || first) await flush();
      const commit = !req.readOnly;
      await session.finish(commit);
      committed = true;
      const durationMs = performance.now() - started;
      log.info("explorer query", {
        connection: req.connection,
        rows: rowCount,
        truncated,
        durationMs,
        readOnly: req.readOnly,
      });
      await send(reply, {
        done: true,
        rowCount: BigInt(rowCount),
        truncated,
        durationMs,
        rowsAffected: BigInt(exec.rowsAffected()),
      });
    } finally {
      if (!committed) await session.finish(false).catch(() => undefined);
      await session.close().catch(() => undefined);
    }
  }

  return { query };
}
