// mx table browse|edit|grant-write|grants: safe CRUD through the explorer. Browsing pages a table in
// primary key order (keyset, never OFFSET), masked; an edit changes ONE row by primary key with its
// old values checked by the agent; protected environments take writes only from explicit grants.
import type { EditValue } from "../../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { ListWriteGrantsResponseSchema } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import type { Clients } from "../client.ts";
import { UsageError } from "../errors.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

/** "ENV/CONNECTION", or --env ENV with --connection NAME (default: the environment's only connection). */
export async function connectionOf(clients: Clients, env: string, name: string | undefined): Promise<string> {
  if (name) return `${env}/${name}`;
  const { connections } = await clients.connections.listConnections({ environment: env });
  const [only] = connections;
  if (only && connections.length === 1) return `${env}/${only.name}`;
  throw new UsageError(
    connections.length === 0
      ? `environment ${env} has no connection`
      : `environment ${env} has ${connections.length} connections (${connections.map((c) => c.name).join(", ")}): choose one with --connection NAME`,
  );
}

/** --after: a JSON array of key values, or comma-separated values. */
export function parseAfter(text: string | undefined): string[] {
  if (text === undefined || text === "") return [];
  if (text.startsWith("[")) {
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed)) throw new UsageError("--after must be a JSON array or comma-separated values");
    return parsed.map((v) => String(v));
  }
  return text.split(",");
}

/** A JSON object of column → value (null for SQL NULL) as edit values. */
export function parseValues(option: string, text: string | undefined): EditValue[] {
  if (text === undefined || text === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--${option} must be a JSON object of column to value, e.g. '{"id": 1}'`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`--${option} must be a JSON object of column to value`);
  }
  return Object.entries(parsed).map(
    ([column, v]) =>
      ({
        column,
        value: { value: v === null ? { case: "null", value: true } : { case: "text", value: String(v) } },
      }) as EditValue,
  );
}

export const tableBrowse = defineCommand({
  path: ["table", "browse"],
  summary: "one page of a table in primary key order (masked; next page with --after)",
  args: ["TABLE"],
  options: {
    env: { type: "string", value: "ENV", description: "the environment (required)" },
    connection: { type: "string", value: "NAME", description: "the connection (default: the environment's only one)" },
    after: { type: "string", value: "KEY", description: "start after this primary key (a,b or a JSON array)" },
    limit: { type: "string", value: "N", description: "rows per page (default 100, at most 1000)" },
  },
  details: ["Pages by primary key, never OFFSET: the footer prints the --after of the next page."],
  async run({ out, input, clients }) {
    const table = input.positionals[0] ?? "";
    if (table === "") throw new UsageError("wants the TABLE ([schema.]table)");
    const api = clients();
    const connection = await connectionOf(api, input.required("env"), input.string("connection"));
    const res = await api.explorer.browseTable({
      connection,
      table,
      after: parseAfter(input.string("after")),
      limit: input.uint("limit") ?? 0,
    });
    const rows = res.rows.map((r) => r.cells.map((c) => (c.value.case === "text" ? c.value.value : null)));
    if (out.json) {
      out.document({
        columns: res.columns.map((c) => ({ name: c.name, masked: c.masked })),
        rows,
        keyColumns: res.keyColumns,
        nextAfter: res.nextAfter,
      });
      return 0;
    }
    out.table(
      res.columns.map((c) => (c.masked ? `${c.name} (${c.masked})` : c.name)),
      rows.map((r) => r.map((v) => (v === null ? out.paint("dim", "NULL") : v))),
      { empty: "(no rows)" },
    );
    out.note(
      res.nextAfter.length > 0
        ? `${rows.length} rows; next page: --after '${JSON.stringify(res.nextAfter)}'`
        : `${rows.length} rows; last page`,
    );
    return 0;
  },
});

export const tableEdit = defineCommand({
  path: ["table", "edit"],
  summary: "insert, update or delete ONE row by primary key, old values checked (audited)",
  args: ["TABLE"],
  options: {
    env: { type: "string", value: "ENV", description: "the environment (required)" },
    connection: { type: "string", value: "NAME", description: "the connection (default: the environment's only one)" },
    op: { type: "string", value: "OP", description: "insert, update or delete (required)" },
    key: { type: "string", value: "JSON", description: "the row's primary key, e.g. '{\"id\": 7}' (update, delete)" },
    old: {
      type: "string",
      value: "JSON",
      description: "values the row must still hold (update: every changed column)",
    },
    set: { type: "string", value: "JSON", description: "the new values (insert: the row; update: changed columns)" },
  },
  details: [
    "Values are JSON objects of column to value (null for NULL). When the row no longer holds the",
    "--old values the edit is refused and nothing changes. Protected environments take writes only",
    "from members with an explicit write grant (mx table grant-write).",
  ],
  async run({ out, input, clients }) {
    const table = input.positionals[0] ?? "";
    if (table === "") throw new UsageError("wants the TABLE ([schema.]table)");
    const op = input.required("op");
    if (!["insert", "update", "delete"].includes(op)) throw new UsageError("--op must be insert, update or delete");
    const api = clients();
    const connection = await connectionOf(api, input.required("env"), input.string("connection"));
    const res = await api.explorer.editRow({
      connection,
      table,
      op,
      key: parseValues("key", input.string("key")),
      expected: parseValues("old", input.string("old")),
      values: parseValues("set", input.string("set")),
    });
    if (out.json) {
      out.document({
        rowsAffected: Number(res.rowsAffected),
        beforeSha256: res.beforeSha256,
        afterSha256: res.afterSha256,
      });
      return 0;
    }
    out.line(`${op}: ${res.rowsAffected} row of ${table} on ${connection}`);
    return 0;
  },
});

export const tableGrantWrite = defineCommand({
  path: ["table", "grant-write"],
  summary: "let a member write through the explorer on a protected environment (--revoke to undo)",
  args: ["EMAIL"],
  options: {
    env: { type: "string", value: "ENV", description: "the environment (required)" },
    revoke: { type: "boolean", description: "take the grant away" },
  },
  async run({ out, input, clients }) {
    const email = input.positionals[0] ?? "";
    if (email === "") throw new UsageError("wants the member's EMAIL");
    const environment = input.required("env");
    const granted = !input.flag("revoke");
    await clients().explorer.setWriteGrant({ environment, email, granted });
    if (out.json) out.document({ environment, email, granted });
    else
      out.line(`${email} ${granted ? "may now write" : "may no longer write"} through the explorer on ${environment}`);
    return 0;
  },
});

export const tableGrants = defineCommand({
  path: ["table", "grants"],
  summary: "who holds an explorer write grant on an environment",
  args: [],
  options: { env: { type: "string", value: "ENV", description: "the environment (required)" } },
  async run({ out, input, clients }) {
    const res = await clients().explorer.listWriteGrants({ environment: input.required("env") });
    if (out.json) {
      out.document(protoJson(ListWriteGrantsResponseSchema, res));
      return 0;
    }
    out.table(
      ["EMAIL", "GRANTED BY", "AT"],
      res.grants.map((g) => [g.email, g.grantedBy, formatTime(g.grantedAt)]),
      { empty: "no write grants" },
    );
    return 0;
  },
});
