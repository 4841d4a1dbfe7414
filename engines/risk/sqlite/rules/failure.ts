// Statements that fail, or store something other than meant, on SQLite.

import { duplicateColumns } from "../../tokens/checks.ts";
import { key, type TokenRule } from "../../tokens/context.ts";
import type { ColumnDef } from "../../tokens/model.ts";
import { schemaChecks } from "../../tokens/schema.ts";

const STRICT_TYPES = new Set(["int", "integer", "real", "text", "blob", "any"]);

/** SQLite's affinity rules (section 3.1 of its datatype page), in order. */
function affinity(type: string): "INTEGER" | "TEXT" | "BLOB" | "REAL" | "NUMERIC" {
  const t = type.toUpperCase();
  if (t.includes("INT")) return "INTEGER";
  if (t.includes("CHAR") || t.includes("CLOB") || t.includes("TEXT")) return "TEXT";
  if (t === "" || t.includes("BLOB")) return "BLOB";
  if (t.includes("REAL") || t.includes("FLOA") || t.includes("DOUB")) return "REAL";
  return "NUMERIC";
}

function typeProblem(c: ColumnDef, strict: boolean): { message: string; hint: string } | undefined {
  const t = c.type;
  if (t === "") return undefined;
  if (strict && !STRICT_TYPES.has(t)) {
    return {
      message: `column ${c.name}: a STRICT table takes only INT, INTEGER, REAL, TEXT, BLOB or ANY, not ${t.toUpperCase()}`,
      hint: "use one of the STRICT types (TEXT for dates as ISO-8601)",
    };
  }
  if (strict) return undefined;
  const a = affinity(t);
  if (/^(string|varchar2|nvarchar2)$/.test(t) || (a === "NUMERIC" && /str|json|uuid|enum|inet|xml/.test(t))) {
    return {
      message: `column ${c.name}: SQLite gives ${t.toUpperCase()} NUMERIC affinity, so text that looks like a number is stored as one ('007' becomes 7)`,
      hint: "use TEXT",
    };
  }
  if (a === "INTEGER" && !/^(tiny|small|medium|big|unsigned big )?int(eger)?\d?$|^int\d$/.test(t)) {
    return {
      message: `column ${c.name}: ${t.toUpperCase()} contains "INT", so SQLite gives it INTEGER affinity (1.0 is stored as 1)`,
      hint: "use REAL for floating point, TEXT for anything else",
    };
  }
  return undefined;
}

/** What SQLite's ALTER TABLE ADD COLUMN refuses (its documented restrictions), or undefined. */
function addColumnRefusal(c: ColumnDef): string | undefined {
  if (c.primary) return "a PRIMARY KEY column";
  if (c.unique) return "a UNIQUE column";
  if (c.generated === "stored") return "a STORED generated column";
  if (c.default !== undefined && (c.default.kind === "expression" || c.default.kind === "function"))
    return "a column with a non-constant DEFAULT";
  if (c.references !== undefined && c.default !== undefined && c.default.kind !== "null")
    return "a REFERENCES column with a non-NULL DEFAULT (when foreign keys are on)";
  return undefined;
}

/** With -- migratrix:no-transaction, a BEGIN the script never ends leaves its changes uncommitted. */
const openTransaction: TokenRule = {
  finish({ script, reportAt }) {
    // Inside the runner's transaction the BEGIN itself is the finding.
    if (!script.noTransaction || !script.explicitTxn || script.txnStart === undefined) return;
    reportAt(script.txnStart.statement, script.txnStart.offset, "transaction-control", {
      message:
        "BEGIN without COMMIT: the migration ends with the transaction open, and its changes are rolled back when the connection closes",
      hint: "end the transaction with COMMIT",
    });
  },
};

export const failureRules: TokenRule[] = [
  openTransaction,
  {
    statement(ctx) {
      const st = ctx.stmt;
      if (st.kind === "create-table") {
        const strict = st.options.some((o) => o.name === "STRICT");
        for (const c of st.columns) {
          const p = typeProblem(c, strict);
          if (p !== undefined) ctx.report("unsupported-type", { ...p, at: c.typePos });
        }
        duplicateColumns(ctx, st.columns, {
          what: `CREATE TABLE ${st.table.name}`,
          level: "High",
          hint: "keep one; SQLite rejects the statement",
        });
      } else if (st.kind === "insert") {
        duplicateColumns(ctx, st.columns, {
          what: "the INSERT column list (SQLite keeps the first value and ignores the second)",
          level: "Medium",
          hint: "list each column once",
        });
      } else if (st.kind === "update") {
        duplicateColumns(
          ctx,
          st.sets.map((s) => ({ name: s.column.join("."), pos: s.pos })),
          { what: "the SET list (SQLite applies the last one)", level: "Medium", hint: "assign each column once" },
        );
      } else if (st.kind === "alter-table") {
        const table = st.table.name;
        const known = ctx.script.columns.get(key(table));
        for (const a of st.actions) {
          if (a.op !== "add-column") continue;
          const c = a.col;
          const p = typeProblem(c, false);
          if (p !== undefined) ctx.report("unsupported-type", { ...p, at: c.typePos });
          if (known?.has(key(c.name))) {
            ctx.report("duplicate-column", {
              message: `column ${table}.${c.name} exists already`,
              hint: "add it once",
              at: c.pos,
            });
          }
          const refused = addColumnRefusal(c);
          if (refused !== undefined) {
            ctx.report("syntax-error", {
              message: `SQLite's ALTER TABLE cannot add ${refused}: the statement fails`,
              hint: "add a plain column (then an index or trigger), or rebuild the table: CREATE new, copy, DROP old, RENAME",
              at: c.pos,
            });
          } else if (
            c.notNull &&
            (c.default === undefined || c.default.kind === "null") &&
            c.generated === undefined &&
            ctx.existing(table)
          ) {
            ctx.report("not-null-without-default", {
              message: `ADD COLUMN ${c.name} NOT NULL without DEFAULT fails on ${table} as soon as it has a row ("Cannot add a NOT NULL column with default value NULL")`,
              hint: "give it a constant DEFAULT, or add it nullable and backfill",
              at: c.pos,
            });
          }
        }
      }
      schemaChecks(ctx, st);
    },
  },
  {
    statement(ctx) {
      const st = ctx.stmt;
      const s = ctx.script;
      if (ctx.noTransaction) {
        // Outside the runner's transaction the script may run its own; only a nested BEGIN fails.
        if (st.kind === "txn" && st.verb === "begin" && s.explicitTxn) {
          ctx.report("transaction-control", {
            message: "BEGIN inside an open transaction fails: cannot start a transaction within a transaction",
            hint: "COMMIT the open transaction first",
            at: st.pos,
          });
        }
      } else if (st.kind === "txn" && st.verb === "begin") {
        ctx.report("transaction-control", {
          message: s.explicitTxn
            ? "BEGIN inside an open transaction fails: cannot start a transaction within a transaction"
            : "BEGIN in a migration: Migratrix already runs it in a transaction, where BEGIN fails (cannot start a transaction within a transaction)",
          hint: "leave transaction control to Migratrix; use -- migratrix:no-transaction for a migration that must run outside one",
          at: st.pos,
        });
      } else if (st.kind === "txn" && (st.verb === "commit" || st.verb === "rollback")) {
        ctx.report("transaction-control", {
          message: `${st.verb === "commit" ? "COMMIT" : "ROLLBACK"} in a migration ends Migratrix's transaction early: what follows is no longer undone with what came before`,
          hint: "remove it; split the migration in two if part of it must commit first",
          at: st.pos,
        });
      }
      const unique = (table: string, at: number) => {
        if (!ctx.existing(table)) return;
        ctx.report("unique-on-existing-data", {
          message: `unique index on ${table} fails if existing rows hold duplicates`,
          hint: "check for duplicates first (GROUP BY ... HAVING COUNT(*) > 1) and clean them up in an earlier migration",
          at,
        });
      };
      if (st.kind === "create-index" && st.key.kind === "unique") unique(st.table.name, st.table.start);
    },
  },
];
