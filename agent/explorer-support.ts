// Test support for the explorer's end-to-end tests: people with one role each (invited and
// redeemed like real users), an ExplorerService client per token, and a query helper that drains
// the stream into one whole result.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { seal } from "../common/sealedbox.ts";
import type { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { AccessService } from "../proto/gen/migratrix/control/v1/access_pb.ts";
import { ExplorerService } from "../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { IdentityService } from "../proto/gen/migratrix/control/v1/identity_pb.ts";
import type { E2E } from "./int-support.ts";

export type ExplorerClient = ReturnType<typeof createClient<typeof ExplorerService>>;

export function explorerClient(url: string, token: string): ExplorerClient {
  return createClient(
    ExplorerService,
    createConnectTransport({
      baseUrl: url,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${token}`);
          return next(req);
        },
      ],
    }),
  );
}

/** A member holding `role` on `environment` (or no grant at all), as a bearer token. */
export async function personWith(
  e2e: E2E,
  email: string,
  grant?: { environment: string; role: string },
): Promise<string> {
  const admin = createClient(
    AccessService,
    createConnectTransport({
      baseUrl: e2e.url,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${e2e.adminToken}`);
          return next(req);
        },
      ],
    }),
  );
  const identity = createClient(IdentityService, createConnectTransport({ baseUrl: e2e.url }));
  const { code } = await admin.invite({ email, grants: grant ? [grant] : [] });
  return (await identity.acceptInvite({ code, password: "correct horse battery" })).secret;
}

/** Seals a URL to the agent and adds it through the API (readOnly: the connection's read credential). */
export async function addSealedConnection(
  e2e: E2E,
  agentId: string,
  c: { name: string; environment: string; engine: Engine; url: string; readOnly?: boolean },
): Promise<void> {
  const me = (await e2e.connections.listAgents({})).agents.find((a) => a.id === agentId);
  if (!me) throw new Error(`agent ${agentId} did not announce itself`);
  const box = seal(new TextEncoder().encode(c.url), me.publicKey);
  await e2e.connections.addConnection({
    name: c.name,
    environment: c.environment,
    engine: c.engine,
    agentId,
    sealedUrl: box,
    readOnly: c.readOnly ?? false,
  });
}

export interface QueryResult {
  columns: { name: string; source: string; masked: string }[];
  rows: (string | null)[][];
  rowCount: number;
  truncated: boolean;
  rowsAffected: number;
  kind: string;
}

export async function runQuery(
  client: ExplorerClient,
  connection: string,
  sql: string,
  opts: { limit?: number; params?: string[]; timeoutMs?: number } = {},
): Promise<QueryResult> {
  const out: QueryResult = { columns: [], rows: [], rowCount: 0, truncated: false, rowsAffected: 0, kind: "" };
  for await (const msg of client.query({
    connection,
    sql,
    limit: opts.limit ?? 0,
    params: opts.params ?? [],
    timeoutMs: opts.timeoutMs ?? 0,
  })) {
    if (msg.columns.length > 0) {
      out.columns = msg.columns.map((c) => ({ name: c.name, source: c.source, masked: c.masked }));
    }
    for (const r of msg.rows) out.rows.push(r.cells.map((c) => (c.value.case === "text" ? c.value.value : null)));
    if (msg.done) {
      out.rowCount = Number(msg.rowCount);
      out.truncated = msg.truncated;
      out.rowsAffected = Number(msg.rowsAffected);
      out.kind = msg.kind;
    }
  }
  return out;
}

/** Each statement's result of a multi-statement query, in order. */
export async function runStatements(
  client: ExplorerClient,
  connection: string,
  sql: string,
  opts: { limit?: number; timeoutMs?: number } = {},
): Promise<QueryResult[]> {
  const out: QueryResult[] = [];
  for await (const msg of client.query({ connection, sql, limit: opts.limit ?? 0, timeoutMs: opts.timeoutMs ?? 0 })) {
    let r = out[msg.statement];
    if (!r) {
      r = { columns: [], rows: [], rowCount: 0, truncated: false, rowsAffected: 0, kind: "" };
      out[msg.statement] = r;
    }
    if (msg.columns.length > 0)
      r.columns = msg.columns.map((c) => ({ name: c.name, source: c.source, masked: c.masked }));
    for (const row of msg.rows) r.rows.push(row.cells.map((c) => (c.value.case === "text" ? c.value.value : null)));
    if (msg.statementDone) {
      r.rowCount = Number(msg.rowCount);
      r.truncated = msg.truncated;
      r.rowsAffected = Number(msg.rowsAffected);
      r.kind = msg.kind;
    }
  }
  return out;
}

/** The Connect code name of a failed call ("permission_denied"…), or "ok". */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (err) {
    const code = ConnectError.from(err).code;
    return (Code[code] ?? "unknown").replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();
  }
}
