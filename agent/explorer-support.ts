// Test support for the explorer's end-to-end tests: people with one role each (invited and
// redeemed like real users), an ExplorerService client per token, and a query helper that drains
// the stream into one whole result.

import { expect } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import type { ExplorerControlHooks } from "../control/explorer/index.ts";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { AccessService } from "../proto/gen/migratrix/control/v1/access_pb.ts";
import { ExplorerService } from "../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { IdentityService } from "../proto/gen/migratrix/control/v1/identity_pb.ts";
import type { Agent } from "./agent.ts";
import type { ExplorerHooks } from "./explorer.ts";
import { bearerTransport, type E2E, type E2ETarget, startE2EWithAgent } from "./int-support.ts";

/**
 * The explorer tests' set-up: the control plane with DEV and a protected PROD (one approval), a
 * local agent with its vault in a fresh temp dir, and the target added as <environment>/app on each
 * of `targets`, in that order.
 */
export async function startExplorerE2E(input: {
  tag: string;
  kind: E2ETarget;
  targets: string[];
  controlHooks?: ExplorerControlHooks;
  agentHooks?: ExplorerHooks;
}): Promise<{ dir: string; e2e: E2E; agent: Agent }> {
  return startE2EWithAgent({
    tag: input.tag,
    kind: input.kind,
    environments: [
      { name: "dev", position: 1 },
      { name: "prod", position: 2, requiredApprovals: 1, protected: true },
    ],
    ...(input.controlHooks ? { controlOptions: { explorerHooks: input.controlHooks } } : {}),
    ...(input.agentHooks ? { agentHooks: input.agentHooks } : {}),
    targets: input.targets,
  });
}

/** A SELECT-only PostgreSQL role on the target's tables so far, registered as prod/app's read credential. */
export async function addPostgresReader(e2e: E2E, agentId: string, role: string): Promise<void> {
  await e2e.withTarget(async (s) => {
    await s.exec(`create role ${role} login password 'pw'`);
    await s.exec(`grant select on all tables in schema public to ${role}`);
  });
  await e2e.addConnection(agentId, {
    name: "app",
    environment: "prod",
    engine: Engine.POSTGRESQL,
    url: `postgres://${role}:pw@127.0.0.1:5432/${new URL(e2e.targetUrl).pathname.slice(1)}`,
    readOnly: true,
  });
}

export type ExplorerClient = ReturnType<typeof createClient<typeof ExplorerService>>;

export function explorerClient(url: string, token: string): ExplorerClient {
  return createClient(ExplorerService, bearerTransport(url, token));
}

/** A member holding `role` on `environment` (or no grant at all), as a bearer token. */
export async function personWith(
  e2e: E2E,
  email: string,
  grant?: { environment: string; role: string },
): Promise<string> {
  const identity = createClient(IdentityService, createConnectTransport({ baseUrl: e2e.url }));
  const { code } = await e2e.client(AccessService).invite({ email, grants: grant ? [grant] : [] });
  return (await identity.acceptInvite({ code, password: "correct horse battery" })).secret;
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

/**
 * The read credential as registered for prod/app: the target's owner and a user that may write are
 * refused, a SELECT-only user is kept, and the viewer's reads then run as that user (`whoSql`).
 */
export async function expectReadCredentialChecked(
  e2e: E2E,
  agentId: string,
  c: { engine: Engine; viewer: ExplorerClient; writerUrl: string; readerUrl: string; reader: string; whoSql: string },
): Promise<void> {
  const add = (url: string) =>
    e2e.addConnection(agentId, { name: "app", environment: "prod", engine: c.engine, url, readOnly: true });
  expect(await codeOf(add(e2e.targetUrl))).toBe("failed_precondition");
  expect(await codeOf(add(c.writerUrl))).toBe("failed_precondition");
  expect(await codeOf(add(c.readerUrl))).toBe("ok");
  expect((await runQuery(c.viewer, "prod/app", c.whoSql)).rows).toEqual([[c.reader]]);
}
