// Test support for the explorer's end-to-end tests: people with one role each (invited and
// redeemed like real users), an ExplorerService client per token, and a query helper that drains
// the stream into one whole result.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
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
