// mx query ENV/CONNECTION "SQL": one or more statements through the serving agent under the
// explorer's gates (read-only on protected environments, masking applied by the agent); a table
// per statement, CSV or JSON.
import { ListQueryHistoryResponseSchema } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { UsageError } from "../errors.ts";
import { formatMs } from "../output.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { connectionOf } from "./table.ts";
import { defineCommand } from "./types.ts";

/** RFC 4180 field: quoted when it holds a comma, quote or line break; NULL is an empty field. */
export function csvField(v: string | null): string {
  if (v === null) return "";
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

interface StatementResult {
  columns: { name: string; masked: string; source: string }[];
  rows: (string | null)[][];
  rowCount: number;
  truncated: boolean;
  durationMs: number;
  rowsAffected: number;
  kind: string;
}

export const query = defineCommand({
  path: ["query"],
  summary: "run SQL (one or more statements) on a connection through its agent (masked, audited)",
  args: ["[ENV/CONNECTION]", "SQL"],
  options: {
    env: { type: "string", value: "ENV", description: "the environment (instead of ENV/CONNECTION)" },
    connection: { type: "string", value: "NAME", description: "with --env: the connection (default: the only one)" },
    limit: { type: "string", value: "N", description: "rows at most (default 1000)" },
    timeout: { type: "string", value: "MS", description: "statement timeout in milliseconds (default 30000)" },
    param: { type: "string", value: "V1,V2", description: "positional parameters ($1 / ?), comma-separated" },
    format: { type: "string", value: "FMT", description: "table (default), csv or json" },
  },
  details: [
    "Protected environments are read-only unless an admin allowed explorer writes there.",
    "Masked columns arrive masked; the masking column shows which rule applied.",
  ],
  async run({ out, input, clients }) {
    // mx query ENV/CONNECTION "SQL", or mx query --env ENV [--connection NAME] "SQL".
    const env = input.string("env");
    const [first = "", second = ""] = input.positionals;
    const connection = env ? await connectionOf(clients(), env, input.string("connection")) : first;
    const sql = env ? first : second;
    if (!/^[^/]+\/[^/]+$/.test(connection)) throw new UsageError("wants ENV/CONNECTION (e.g. prod/app) or --env ENV");
    if (sql.trim() === "") throw new UsageError("wants the SQL to run");
    const format = out.json ? "json" : (input.string("format") ?? "table");
    if (!["table", "csv", "json"].includes(format)) throw new UsageError(`--format must be table, csv or json`);
    const params = input.string("param")?.split(",") ?? [];
    const results: StatementResult[] = [];
    const current = (i: number): StatementResult => {
      let r = results[i];
      if (!r) {
        r = { columns: [], rows: [], rowCount: 0, truncated: false, durationMs: 0, rowsAffected: 0, kind: "" };
        results[i] = r;
      }
      return r;
    };
    for await (const msg of clients().explorer.query({
      connection,
      sql,
      params,
      limit: input.uint("limit") ?? 0,
      timeoutMs: input.uint("timeout") ?? 0,
    })) {
      const r = current(msg.statement);
      if (msg.columns.length > 0)
        r.columns = msg.columns.map((c) => ({ name: c.name, masked: c.masked, source: c.source }));
      for (const row of msg.rows) r.rows.push(row.cells.map((c) => (c.value.case === "text" ? c.value.value : null)));
      if (msg.statementDone || msg.done) {
        Object.assign(r, {
          rowCount: Number(msg.rowCount),
          truncated: msg.truncated,
          durationMs: msg.durationMs,
          rowsAffected: Number(msg.rowsAffected),
          kind: msg.kind,
        });
      }
    }
    if (format === "json") {
      // One statement: its result as the document; several: { statements: [...] }.
      out.document(results.length === 1 ? results[0] : { statements: results });
      return 0;
    }
    for (const [i, r] of results.entries()) {
      if (results.length > 1) out.line(out.paint("bold", `-- statement ${i + 1}`));
      if (format === "csv") {
        if (r.columns.length > 0) out.line(r.columns.map((c) => csvField(c.name)).join(","));
        for (const row of r.rows) out.line(row.map(csvField).join(","));
        continue;
      }
      if (r.columns.length > 0) {
        out.table(
          r.columns.map((c) => (c.masked ? `${c.name} (${c.masked})` : c.name)),
          r.rows.map((row) => row.map((v) => (v === null ? out.paint("dim", "NULL") : v))),
          { empty: "(no rows)" },
        );
      }
      const what =
        r.kind === "write" && r.columns.length === 0
          ? `${r.rowsAffected} row${r.rowsAffected === 1 ? "" : "s"} affected`
          : `${r.rowCount} row${r.rowCount === 1 ? "" : "s"}${r.truncated ? " (truncated: raise --limit)" : ""}`;
      out.note(`${what} in ${formatMs(r.durationMs)}`);
    }
    return 0;
  },
});

export const queryHistory = defineCommand({
  path: ["query", "history"],
  summary: "explorer queries on an environment: yours, or everyone's with --all (admins)",
  args: [],
  options: {
    env: { type: "string", value: "ENV", description: "the environment (required)" },
    all: { type: "boolean", description: "everyone's queries (environment admins)" },
    limit: { type: "string", value: "N", description: "newest N (default 50)" },
  },
  details: ["The SQL text is never stored: the SHA-256 column identifies a statement."],
  async run({ out, input, clients }) {
    const res = await clients().explorer.listQueryHistory({
      environment: input.required("env"),
      allUsers: input.flag("all"),
      limit: input.uint("limit") ?? 0,
    });
    if (out.json) {
      out.document(protoJson(ListQueryHistoryResponseSchema, res));
      return 0;
    }
    out.table(
      ["AT", "WHO", "CONNECTION", "SQL SHA-256", "KIND", "ROWS", "TIME", "OUTCOME"],
      res.entries.map((e) => [
        formatTime(e.at),
        e.actor,
        e.connection,
        e.sqlSha256.slice(0, 12),
        e.kind || "-",
        String(e.rows),
        formatMs(e.durationMs),
        e.refused ? out.paint("red", `refused (${e.code})`) : "ok",
      ]),
      { empty: "no queries" },
    );
    return 0;
  },
});
