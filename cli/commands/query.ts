// mx query ENV/CONNECTION "SQL": one statement through the serving agent under the explorer's
// gates (read-only on protected environments, masking applied by the agent); a table, CSV or JSON.
import { ListQueryHistoryResponseSchema } from "../../proto/gen/migratrix/control/v1/explorer_pb.ts";
import { UsageError } from "../errors.ts";
import { formatMs, formatTime, protoJson } from "../output.ts";
import { defineCommand } from "./types.ts";

/** RFC 4180 field: quoted when it holds a comma, quote or line break; NULL is an empty field. */
export function csvField(v: string | null): string {
  if (v === null) return "";
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export const query = defineCommand({
  path: ["query"],
  summary: "run one SQL statement on a connection through its agent (masked, audited)",
  args: ["ENV/CONNECTION", "SQL"],
  options: {
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
    const [connection = "", sql = ""] = input.positionals;
    if (!/^[^/]+\/[^/]+$/.test(connection)) throw new UsageError("wants ENV/CONNECTION, e.g. prod/app");
    if (sql.trim() === "") throw new UsageError("wants the SQL statement as its second argument");
    const format = out.json ? "json" : (input.string("format") ?? "table");
    if (!["table", "csv", "json"].includes(format)) throw new UsageError(`--format must be table, csv or json`);
    const params = input.string("param")?.split(",") ?? [];
    let columns: { name: string; masked: string; source: string }[] = [];
    const rows: (string | null)[][] = [];
    let done = { rowCount: 0, truncated: false, durationMs: 0, rowsAffected: 0, kind: "" };
    for await (const msg of clients().explorer.query({
      connection,
      sql,
      params,
      limit: input.uint("limit") ?? 0,
      timeoutMs: input.uint("timeout") ?? 0,
    })) {
      if (msg.columns.length > 0)
        columns = msg.columns.map((c) => ({ name: c.name, masked: c.masked, source: c.source }));
      for (const r of msg.rows) rows.push(r.cells.map((c) => (c.value.case === "text" ? c.value.value : null)));
      if (msg.done) {
        done = {
          rowCount: Number(msg.rowCount),
          truncated: msg.truncated,
          durationMs: msg.durationMs,
          rowsAffected: Number(msg.rowsAffected),
          kind: msg.kind,
        };
      }
    }
    if (format === "json") {
      out.document({ columns, rows, ...done });
      return 0;
    }
    if (format === "csv") {
      out.line(columns.map((c) => csvField(c.name)).join(","));
      for (const r of rows) out.line(r.map(csvField).join(","));
      return 0;
    }
    if (columns.length > 0) {
      out.table(
        columns.map((c) => (c.masked ? `${c.name} (${c.masked})` : c.name)),
        rows.map((r) => r.map((v) => (v === null ? out.paint("dim", "NULL") : v))),
        { empty: "(no rows)" },
      );
    }
    const what =
      done.kind === "write" && columns.length === 0
        ? `${done.rowsAffected} row${done.rowsAffected === 1 ? "" : "s"} affected`
        : `${done.rowCount} row${done.rowCount === 1 ? "" : "s"}${done.truncated ? " (truncated: raise --limit)" : ""}`;
    out.note(`${what} in ${formatMs(done.durationMs)}`);
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
