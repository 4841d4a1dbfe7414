// The agent's side of ExplorerService: queries (one or more statements, split with the engine's
// splitter and run in one transaction), table pages in primary key order, and single-row edits.
// Guarded here whatever the control plane decided (defence in depth): a read-only request runs in
// a read-only transaction (layer 2) and refuses statements that would leave it; a request for the
// read credential runs on the connection's SELECT-only role (layer 3) or is refused; masks are
// applied here before any row leaves; frames stream under the bus's credit flow control.
import { create, toBinary } from "@bufbuild/protobuf";
import type { ReplyStream } from "../bus/types.ts";
import { MigratrixError } from "../common/errors.ts";
import type { Logger } from "../common/log.ts";
import { getEngine } from "../engines/index.ts";
import {
  AgentReplySchema,
  type BrowseRequest,
  type EditRowReply,
  EditRowReplySchema,
  type EditRowRequest,
  type MaskRule as MaskRuleMsg,
  QueryReplySchema,
  type QueryRequest,
  type ResultCell,
  ResultCellSchema,
  type ResultRow,
  ResultRowSchema,
} from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { cellText, type ExplorerSession, openExplorerSession } from "./explorer-engines.ts";
import {
  checkLeaks,
  compileRules,
  identifierTokens,
  isMaskKind,
  type MaskRule,
  maskValue,
  ruleFor,
} from "./explorer-mask.ts";
import { editRow, parseTableName } from "./explorer-rows.ts";
import { lookupConnection } from "./targets.ts";
import type { Vault, VaultConnection } from "./vault.ts";

export { cellText } from "./explorer-engines.ts";

/** Test hooks, read at every request so a test can switch a layer off between two queries. */
export interface ExplorerHooks {
  /** Layer 2 off: no read-only transaction or query_only, no transaction-control refusal. */
  sessionGuardOff?: boolean;
}

export interface ExplorerOptions {
  vault: Vault;
  agentId: string;
  connectTimeoutMs: number;
  log: Logger;
  /** Largest frame the bus carries (its max_payload); frames stay well under it. */
  maxPayload: number;
  hooks?: ExplorerHooks;
}

const DEFAULT_BATCH = 500;
const HARD_MAX_ROWS = 100_000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const MAX_BROWSE_ROWS = 1000;

/** Statements that end, start or reconfigure the transaction a read-only session runs in. */
const LEAVES_READ_ONLY = new Set([
  "COMMIT",
  "END",
  "ROLLBACK",
  "ABORT",
  "BEGIN",
  "START",
  "SAVEPOINT",
  "RELEASE",
  "SET",
  "RESET",
  "DISCARD",
  "PREPARE",
  "ATTACH",
  "DETACH",
]);

/** The first keyword of a statement, after comments. */
export function firstKeyword(sql: string): string {
  const m = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|#[^\n]*(?:\n|$))*([A-Za-z]+)/.exec(sql);
  return (m?.[1] ?? "").toUpperCase();
}

export function rulesOf(masks: readonly MaskRuleMsg[]): MaskRule[] {
  return masks.map((m) => {
    if (!isMaskKind(m.kind)) throw new MigratrixError("invalid_argument", `mask kind "${m.kind}" is not known`);
    return { pattern: m.pattern, kind: m.kind, keepLast: m.keepLast };
  });
}

/** The URL a request runs on: the read credential when asked for, never the owner instead. */
export function credentialUrl(conn: VaultConnection, readCredential: boolean): string {
  if (!readCredential) return conn.url;
  if (conn.readUrl) return conn.readUrl;
  // SQLite has no roles: its read credential is the same file opened read-only (the session does).
  if (conn.engine === "sqlite") return conn.url;
  throw new MigratrixError(
    "failed_precondition",
    `connection ${conn.environment}/${conn.name} has no read-only credential; reads on a protected environment need one: mx connection add ${conn.name} --env ${conn.environment} --read-only --url URL-OF-A-SELECT-ONLY-ROLE`,
  );
}

/** View definitions reachable from the statement's names (views of views, a few levels deep). */
async function viewTexts(session: ExplorerSession, sql: string): Promise<{ texts: string[]; names: Set<string> }> {
  const texts = [sql];
  const names = new Set(identifierTokens(sql));
  let frontier = [...names];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const defs = await session.viewDefinitions(frontier);
    frontier = [];
    for (const [view, def] of defs) {
      if (def.trim() === "") {
        // MariaDB hides a view's definition from a user without SHOW VIEW: what the view reads is unknown.
        throw new MigratrixError(
          "permission_denied",
          `the agent cannot read the definition of view ${view} with this credential, so it cannot tell whether the view exposes masked columns; the read credential needs SHOW VIEW`,
        );
      }
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

type ReplyInit = Parameters<typeof create<typeof QueryReplySchema>>[1];

interface StatementTotals {
  rowCount: number;
  truncated: boolean;
  rowsAffected: number;
  durationMs: number;
  /** The last row sent, unmasked text (browse takes the next page's key from it). */
  lastRow?: (string | null)[];
  columnNames: string[];
}

export function createExplorer(opts: ExplorerOptions) {
  const { vault, agentId } = opts;
  const guardOn = () => !opts.hooks?.sessionGuardOff;

  async function send(reply: ReplyStream, value: ReplyInit) {
    const frame = create(AgentReplySchema, { kind: { case: "query", value: create(QueryReplySchema, value) } });
    await reply.send(toBinary(AgentReplySchema, frame));
  }

  /** Runs one statement and streams its columns and rows; the totals frame is the caller's. */
  async function streamStatement(p: {
    session: ExplorerSession;
    reply: ReplyStream;
    statement: number;
    sql: string;
    params: readonly string[];
    maxRows: number;
    batchRows: number;
    rules: ReturnType<typeof compileRules>;
    key: Uint8Array;
    budget: { bytes: number; maxBytes: number };
  }): Promise<StatementTotals> {
    const { session, reply, rules } = p;
    const started = performance.now();
    // A frame holds at most a quarter of max_payload of cell text, so headers and framing fit.
    const frameBytes = Math.max(1024, Math.floor(opts.maxPayload / 4));
    const exec = await session.run({ sql: p.sql, params: p.params, maxRows: p.maxRows, batchRows: p.batchRows });
    const masks = exec.columns.map((c) => ruleFor(rules, c.source ?? { column: c.name }));
    if (rules.length > 0) {
      const { texts, names } = await viewTexts(session, p.sql);
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
    let rowCount = 0;
    let truncated = false;
    let pending: ResultRow[] = [];
    let pendingBytes = 0;
    let first = true;
    let lastRow: (string | null)[] | undefined;
    const columns = exec.columns.map((c, i) => ({
      name: c.name,
      type: c.type,
      source: c.source ? [c.source.schema, c.source.table, c.source.column].filter(Boolean).join(".") : "",
      masked: masks[i]?.kind ?? "",
    }));
    const flush = async () => {
      await send(
        reply,
        first ? { statement: p.statement, columns, rows: pending } : { statement: p.statement, rows: pending },
      );
      first = false;
      pending = [];
      pendingBytes = 0;
    };
    outer: for await (const batch of exec.batches) {
      for (const raw of batch) {
        if (rowCount >= p.maxRows || reply.cancelled) {
          truncated = rowCount >= p.maxRows;
          break outer;
        }
        const texts = raw.map(cellText);
        const cells: ResultCell[] = texts.map((v, i) => {
          const rule = masks[i];
          const text = rule ? maskValue(rule, v, p.key) : v;
          if (text !== null) pendingBytes += text.length;
          return create(
            ResultCellSchema,
            text === null ? { value: { case: "null", value: true } } : { value: { case: "text", value: text } },
          );
        });
        if (p.budget.bytes + pendingBytes > p.budget.maxBytes) {
          truncated = true;
          break outer;
        }
        pending.push(create(ResultRowSchema, { cells }));
        lastRow = texts;
        rowCount++;
        if (pending.length >= p.batchRows || pendingBytes >= frameBytes) {
          p.budget.bytes += pendingBytes;
          await flush();
        }
      }
    }
    p.budget.bytes += pendingBytes;
    if (pending.length > 0 || first) await flush();
    return {
      rowCount,
      truncated,
      rowsAffected: exec.rowsAffected(),
      durationMs: performance.now() - started,
      ...(lastRow ? { lastRow } : {}),
      columnNames: exec.columns.map((c) => c.name),
    };
  }

  function totalsFrame(statement: number, t: StatementTotals, done: boolean): ReplyInit {
    return {
      statement,
      statementDone: true,
      done,
      rowCount: BigInt(t.rowCount),
      truncated: t.truncated,
      durationMs: t.durationMs,
      rowsAffected: BigInt(t.rowsAffected),
    };
  }

  /** Runs the request and streams its reply frames; throws a MigratrixError before the first row on refusal. */
  async function query(req: QueryRequest, reply: ReplyStream, log: Logger): Promise<void> {
    const conn = lookupConnection(vault, agentId, req.connection);
    const split = getEngine(conn.engine).dialect.split(req.sql);
    const problem = split.problems[0];
    if (problem) {
      throw new MigratrixError(
        "invalid_argument",
        `SQL does not parse at ${problem.line}:${problem.column}: ${problem.message}`,
      );
    }
    const statements = split.statements.map((s) => s.text);
    if (statements.length === 0) throw new MigratrixError("invalid_argument", "the SQL holds no statement");
    const guard = guardOn();
    if (req.readOnly && guard) {
      const i = statements.findIndex(
        (s) => LEAVES_READ_ONLY.has(firstKeyword(s)) || (firstKeyword(s) === "PRAGMA" && /[=(]/.test(s)),
      );
      if (i >= 0) {
        throw new MigratrixError(
          "permission_denied",
          `agent ${agentId} runs this query read-only; statement ${i + 1} (${firstKeyword(statements[i] ?? "")}) would leave the read-only transaction`,
        );
      }
    }
    if (req.params.length > 0 && statements.length > 1) {
      throw new MigratrixError("invalid_argument", "parameters bind to a single statement; this SQL holds several");
    }
    const url = credentialUrl(conn, req.readCredential);
    const maxRows = Math.min(Math.max(1, req.maxRows || 1000), HARD_MAX_ROWS);
    const budget = { bytes: 0, maxBytes: Number(req.maxBytes) || DEFAULT_MAX_BYTES };
    const batchRows = Math.max(1, req.batchRows || DEFAULT_BATCH);
    const rules = compileRules(rulesOf(req.masks));
    const started = performance.now();
    const session = await openExplorerSession(conn.engine, url, opts.connectTimeoutMs);
    let committed = false;
    try {
      await session.begin({
        readOnly: req.readOnly,
        timeoutMs: req.statementTimeoutMs || 30_000,
        guard,
        readCredential: req.readCredential,
      });
      let last: StatementTotals | undefined;
      for (const [i, sql] of statements.entries()) {
        if (last) await send(reply, totalsFrame(i - 1, last, false));
        last = await streamStatement({
          session,
          reply,
          statement: i,
          sql,
          params: req.params,
          maxRows,
          batchRows,
          rules,
          key: req.maskKey,
          budget,
        });
        if (reply.cancelled) break;
      }
      // A caller gone mid-way never leaves part of a write behind: the finally rolls back.
      if (reply.cancelled) throw new MigratrixError("canceled", "the caller went away; nothing was committed");
      await session.finish(!req.readOnly);
      committed = true;
      log.info("explorer query", {
        connection: req.connection,
        statements: statements.length,
        rows: last?.rowCount ?? 0,
        durationMs: performance.now() - started,
        readOnly: req.readOnly,
        readCredential: req.readCredential,
      });
      if (last) await send(reply, totalsFrame(statements.length - 1, last, true));
    } finally {
      if (!committed) await session.finish(false).catch(() => undefined);
      await session.close().catch(() => undefined);
    }
  }

  /** One page of a table in primary key order: WHERE key > after ORDER BY key LIMIT n + 1. */
  async function browse(req: BrowseRequest, reply: ReplyStream, log: Logger): Promise<void> {
    const conn = lookupConnection(vault, agentId, req.connection);
    const limit = Math.min(Math.max(1, req.limit || 100), MAX_BROWSE_ROWS);
    const rules = compileRules(rulesOf(req.masks));
    const session = await openExplorerSession(
      conn.engine,
      credentialUrl(conn, req.readCredential),
      opts.connectTimeoutMs,
    );
    try {
      await session.begin({
        readOnly: true,
        timeoutMs: req.statementTimeoutMs || 30_000,
        guard: guardOn(),
        readCredential: req.readCredential,
      });
      const info = await session.tableInfo(parseTableName(req.table));
      if (!info) throw new MigratrixError("not_found", `table ${req.table} not found on ${req.connection}`);
      if (info.primaryKey.length === 0) {
        throw new MigratrixError(
          "failed_precondition",
          `table ${req.table} has no primary key: browsing pages by primary key (never OFFSET)`,
        );
      }
      if (req.after.length > 0 && req.after.length !== info.primaryKey.length) {
        throw new MigratrixError(
          "invalid_argument",
          `--after needs ${info.primaryKey.length} value(s), one per primary key column (${info.primaryKey.join(", ")})`,
        );
      }
      const q = getEngine(conn.engine).dialect.quoteIdent;
      const keys = info.primaryKey.map(q);
      const tuple = (xs: string[]) => (xs.length === 1 ? (xs[0] ?? "") : `(${xs.join(", ")})`);
      const where =
        req.after.length > 0
          ? ` WHERE ${tuple(keys)} > ${tuple(req.after.map((_, i) => session.placeholder(i + 1)))}`
          : "";
      const sql = `SELECT * FROM ${info.sqlName}${where} ORDER BY ${keys.join(", ")} LIMIT ${limit + 1}`;
      const t = await streamStatement({
        session,
        reply,
        statement: 0,
        sql,
        params: req.after,
        maxRows: limit,
        batchRows: limit,
        rules,
        key: req.maskKey,
        budget: { bytes: 0, maxBytes: DEFAULT_MAX_BYTES },
      });
      await session.finish(false);
      const next = t.truncated ? info.primaryKey.map((k) => t.lastRow?.[t.columnNames.indexOf(k)] ?? "") : [];
      log.info("explorer browse", { connection: req.connection, rows: t.rowCount, readCredential: req.readCredential });
      await send(reply, { ...totalsFrame(0, t, true), browseKeyColumns: info.primaryKey, browseNext: next });
    } finally {
      await session.finish(false).catch(() => undefined);
      await session.close().catch(() => undefined);
    }
  }

  async function edit(req: EditRowRequest, log: Logger): Promise<EditRowReply> {
    const conn = lookupConnection(vault, agentId, req.connection);
    const session = await openExplorerSession(conn.engine, conn.url, opts.connectTimeoutMs);
    try {
      const result = await editRow(session, conn.engine, req, compileRules(rulesOf(req.masks)));
      log.info("explorer row edit", { connection: req.connection, op: req.op, rowsAffected: result.rowsAffected });
      return create(EditRowReplySchema, { ...result, rowsAffected: BigInt(result.rowsAffected) });
    } finally {
      await session.finish(false).catch(() => undefined);
      await session.close().catch(() => undefined);
    }
  }

  return { query, browse, editRow: edit };
}
