// Checks about the script as a whole: timeouts, locks held across statements, several ALTERs, mixing.

import { key, type TokenCtx, type TokenRule } from "../../tokens/context.ts";
import { narrows } from "../../tokens/expr.ts";
import type { Stmt } from "../../tokens/model.ts";
import { isDdl, isDml } from "../../tokens/state.ts";

/** Existing tables this statement takes a metadata lock on (DDL), for missing-lock-timeout. */
function lockedTables(ctx: TokenCtx, st: Stmt): string[] {
  const existing = (names: string[]) => names.filter((n) => n !== "" && ctx.existing(n));
  switch (st.kind) {
    case "alter-table":
      return existing([st.table.name]);
    case "create-index":
      return existing([st.table.name]);
    case "drop":
      return st.what === "TABLE" || st.what === "INDEX"
        ? existing(st.on !== undefined ? [st.on.name] : st.names.map((n) => n.name))
        : [];
    case "rename-table":
      return existing(st.pairs.map((p) => p.from.name));
    case "truncate":
      return existing(st.tables.map((t) => t.name));
    case "rebuild":
      return existing(st.tables.map((t) => t.name));
    case "create-table":
      return existing([
        ...st.columns.map((c) => c.references?.table.name ?? ""),
        ...st.keys.map((k) => k.references?.table.name ?? ""),
      ]);
    case "lock-tables":
      return existing(st.write.map((n) => n.name));
    default:
      return [];
  }
}

/** Work that takes long on a big table. */
function slowWork(st: Stmt): string | undefined {
  // A statement whose condition compares with values is taken as a bounded one (a key, a range).
  const wide = (where: Parameters<typeof narrows>[0] | undefined) => where === undefined || !narrows(where);
  if (st.kind === "update" && wide(st.where)) return "a whole-table UPDATE";
  if (st.kind === "delete" && wide(st.where)) return "a whole-table DELETE";
  if (st.kind === "insert" && st.select?.from !== undefined) return "an INSERT ... SELECT";
  if (st.kind === "alter-table" || st.kind === "create-index") return "an ALTER";
  return undefined;
}

export const sessionRules: TokenRule[] = [
  {
    statement(ctx) {
      const s = ctx.script;
      const st = ctx.stmt;
      const locked = lockedTables(ctx, st);
      // MariaDB's SET STATEMENT var = … FOR statement sets it for that statement alone.
      const scoped =
        ctx.toks[0]?.upper === "SET" && ctx.toks[1]?.upper === "STATEMENT"
          ? new Set(
              ctx.toks
                .slice(
                  2,
                  ctx.toks.findIndex((t) => t.upper === "FOR"),
                )
                .map((t) => t.text.toLowerCase()),
            )
          : new Set<string>();
      const lockTimeout = s.lockTimeout || scoped.has("lock_wait_timeout");
      const statementTimeout = s.statementTimeout || scoped.has("max_statement_time");
      if (locked.length > 0 && !lockTimeout && !s.reported.has("missing-lock-timeout")) {
        s.reported.add("missing-lock-timeout");
        ctx.report("missing-lock-timeout", {
          message: `no lock_wait_timeout is set before this statement takes the metadata lock on ${locked.join(", ")}: it waits behind any open transaction on it (the default is a day on MariaDB, a year on MySQL) and every query queues behind it`,
          hint: "SET SESSION lock_wait_timeout = 5; at the top of the migration (and retry on timeout)",
        });
      }
      if ((locked.length > 0 || isDml(st)) && !statementTimeout && !s.reported.has("missing-statement-timeout")) {
        s.reported.add("missing-statement-timeout");
        ctx.report("missing-statement-timeout", {
          message:
            ctx.engine === "mariadb"
              ? "no max_statement_time is set: a statement that runs long keeps its locks for as long as it runs"
              : "no max_execution_time is set (it bounds SELECTs only on MySQL): a long statement keeps its locks for as long as it runs",
          hint:
            ctx.engine === "mariadb"
              ? "SET SESSION max_statement_time = ... at the top of the migration"
              : "SET SESSION max_execution_time = ... for reads; keep writes batched",
        });
      }
      if (s.held.size > 0) {
        const work = slowWork(st);
        const held = [...s.held].filter(
          ([t]) =>
            !(st.kind === "update" || st.kind === "delete") ||
            !st.targets.some((x) => key(x.name.name) === t) ||
            work !== undefined,
        );
        if (work !== undefined && held.length > 0) {
          const [table, by] = held[0] ?? ["", ""];
          ctx.report("long-lock-hold", {
            message: `${work} runs while ${by === "LOCK TABLES" ? "LOCK TABLES holds" : `the open transaction holds the row locks ${by} took on`} ${table}: writes to ${table} wait until ${by === "LOCK TABLES" ? "UNLOCK TABLES" : "COMMIT"}`,
            hint:
              by === "LOCK TABLES"
                ? "keep LOCK TABLES sections short; do slow work outside them"
                : "commit before the slow step, or move it into its own migration",
          });
        }
      }
      if (st.kind === "alter-table") {
        const t = key(st.table.name);
        if ((s.alters.get(t) ?? 0) >= 1 && ctx.existing(st.table.name)) {
          ctx.report("merge-alter-table", {
            message: `another ALTER TABLE on ${st.table.name}: each one may rebuild or copy the table again`,
            hint: "combine the changes into one ALTER TABLE with comma-separated actions",
          });
        }
      }
      if ((isDml(st) && s.sawDdl) || (isDdl(st) && s.sawDml)) {
        if (!s.reported.has("mix-ddl-dml")) {
          s.reported.add("mix-ddl-dml");
          ctx.report("mix-ddl-dml", {
            message:
              "schema changes and data changes in one migration: MySQL commits each DDL at once, so a failure leaves the migration half applied",
            hint: "put data changes (backfills) in their own migration",
          });
        }
      }
    },
  },
];
