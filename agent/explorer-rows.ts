// Explorer row edits in the agent: insert, update or delete ONE row by primary key in one
// transaction, with the old values checked against the row as locked (optimistic concurrency: a
// mismatch aborts and changes nothing). Identifiers are quoted by the dialect, values bound as
// parameters; only SHA-256 digests of the row before and after leave the agent.
import { createHash } from "node:crypto";
import { MigratrixError } from "../common/errors.ts";
import { type EngineId, getEngine } from "../engines/index.ts";
import type { EditRowRequest, EditValue } from "../proto/gen/migratrix/agent/v1/agent_pb.ts";
import { cellText, type ExplorerSession, type TableInfo, type TableName } from "./explorer-engines.ts";
import { type compileRules, ruleFor } from "./explorer-mask.ts";

// Any name the dialect can quote: no dot (the schema separator), no control characters.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
const NAME = /^[^.\u0000-\u001f]{1,128}$/;

/** "table" or "schema.table" (no quoting: names are quoted by the dialect when used). */
export function parseTableName(text: string): TableName {
  const parts = text.split(".");
  if (parts.length > 2 || !parts.every((p) => NAME.test(p))) {
    throw new MigratrixError("invalid_argument", `table "${text.slice(0, 200)}" must be written table or schema.table`);
  }
  return parts.length === 2 ? { schema: parts[0] ?? "", name: parts[1] ?? "" } : { name: parts[0] ?? "" };
}

const textOf = (v: EditValue): string | null => (v.value?.value.case === "text" ? v.value.value.value : null);

/** SHA-256 of a row as canonical JSON (columns sorted); "" for no row. */
export function rowDigest(row: Record<string, string | null> | undefined): string {
  if (!row) return "";
  const sorted = Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

async function readRows(session: ExplorerSession, sql: string, params: (string | null)[]) {
  const exec = await session.run({ sql, params: params as string[], maxRows: 2, batchRows: 2 });
  const rows: Record<string, string | null>[] = [];
  for await (const batch of exec.batches) {
    for (const raw of batch) {
      rows.push(Object.fromEntries(exec.columns.map((c, i) => [c.name, cellText(raw[i])])));
    }
  }
  return { rows, affected: exec.rowsAffected() };
}

function checkColumns(info: TableInfo, table: string, what: string, values: readonly EditValue[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (!info.columns.includes(v.column)) {
      throw new MigratrixError("invalid_argument", `${what}: table ${table} has no column "${v.column.slice(0, 128)}"`);
    }
    if (seen.has(v.column)) throw new MigratrixError("invalid_argument", `${what}: column "${v.column}" given twice`);
    seen.add(v.column);
  }
}

export interface EditResult {
  rowsAffected: number;
  beforeSha256: string;
  afterSha256: string;
  keySha256: string;
}

export async function editRow(
  session: ExplorerSession,
  engine: EngineId,
  req: EditRowRequest,
  rules: ReturnType<typeof compileRules>,
): Promise<EditResult> {
  if (!["insert", "update", "delete"].includes(req.op)) {
    throw new MigratrixError("invalid_argument", `op "${req.op.slice(0, 40)}" must be insert, update or delete`);
  }
  const table = parseTableName(req.table);
  await session.begin({
    readOnly: false,
    timeoutMs: req.statementTimeoutMs || 30_000,
    guard: true,
    readCredential: false,
  });
  const info = await session.tableInfo(table);
  if (!info) throw new MigratrixError("not_found", `table ${req.table} not found on ${req.connection}`);
  if (info.primaryKey.length === 0) {
    throw new MigratrixError(
      "failed_precondition",
      `table ${req.table} has no primary key: rows are edited by primary key`,
    );
  }
  checkColumns(info, req.table, "key", req.key);
  checkColumns(info, req.table, "expected", req.expected);
  checkColumns(info, req.table, "values", req.values);
  // Matching a masked column's old value (or writing one) would let a caller probe it.
  for (const v of [...req.key, ...req.expected, ...req.values]) {
    if (ruleFor(rules, { ...(table.schema ? { schema: table.schema } : {}), table: table.name, column: v.column })) {
      throw new MigratrixError(
        "permission_denied",
        `column "${v.column}" is masked for you on this environment: edits cannot name it`,
      );
    }
  }
  const q = getEngine(engine).dialect.quoteIdent;
  const params: (string | null)[] = [];
  const bind = (v: string | null) => {
    params.push(v);
    return session.placeholder(params.length);
  };
  const keyDigest = createHash("sha256")
    .update(JSON.stringify(req.key.map((k) => [k.column, textOf(k)])))
    .digest("hex");

  if (req.op === "insert") {
    if (req.values.length === 0) throw new MigratrixError("invalid_argument", "insert needs the new row's values");
    const cols = req.values.map((v) => q(v.column)).join(", ");
    const marks = req.values.map((v) => bind(textOf(v))).join(", ");
    const { rows } = await readRows(
      session,
      `INSERT INTO ${info.sqlName} (${cols}) VALUES (${marks}) RETURNING *`,
      params,
    );
    await session.finish(true);
    const after = rows[0];
    const key = Object.fromEntries(info.primaryKey.map((k) => [k, after?.[k] ?? null]));
    return {
      rowsAffected: rows.length,
      beforeSha256: "",
      afterSha256: rowDigest(after),
      keySha256: createHash("sha256")
        .update(JSON.stringify(Object.entries(key)))
        .digest("hex"),
    };
  }

  const keyCols = req.key.map((k) => k.column).sort();
  if (keyCols.join("\u0000") !== [...info.primaryKey].sort().join("\u0000")) {
    throw new MigratrixError(
      "invalid_argument",
      `${req.op} names the row by its whole primary key (${info.primaryKey.join(", ")}), got (${keyCols.join(", ")})`,
    );
  }
  if (req.expected.length === 0) {
    throw new MigratrixError(
      "invalid_argument",
      `${req.op} needs the old values the row must still hold (optimistic concurrency)`,
    );
  }
  if (req.op === "update") {
    if (req.values.length === 0) throw new MigratrixError("invalid_argument", "update needs the new values");
    const unchecked = req.values.find((v) => !req.expected.some((e) => e.column === v.column));
    if (unchecked) {
      throw new MigratrixError(
        "invalid_argument",
        `update changes column "${unchecked.column}" without its old value: give every changed column's old value`,
      );
    }
    const pk = new Set(info.primaryKey);
    const keyChange = req.values.find((v) => pk.has(v.column));
    if (keyChange)
      throw new MigratrixError("invalid_argument", `update cannot change primary key column "${keyChange.column}"`);
  }
  const whereKey = (start: () => void) => {
    start();
    return req.key.map((k) => `${q(k.column)} = ${bind(textOf(k))}`).join(" AND ");
  };
  const reset = () => {
    params.length = 0;
  };
  const select = `SELECT * FROM ${info.sqlName} WHERE ${whereKey(reset)}${session.forUpdate}`;
  const selectParams = [...params];
  const before = (await readRows(session, select, selectParams)).rows[0];
  if (!before) {
    throw new MigratrixError("not_found", `no row of ${req.table} has that primary key: nothing was changed`);
  }
  const changed = req.expected.filter((e) => before[e.column] !== textOf(e)).map((e) => e.column);
  if (changed.length > 0) {
    throw new MigratrixError(
      "aborted",
      `the row changed since it was read (column${changed.length > 1 ? "s" : ""} ${changed.join(", ")} no longer hold${changed.length > 1 ? "" : "s"} the old value): nothing was changed; read it again`,
    );
  }
  let affected: number;
  if (req.op === "update") {
    reset();
    const sets = req.values.map((v) => `${q(v.column)} = ${bind(textOf(v))}`).join(", ");
    const where = req.key.map((k) => `${q(k.column)} = ${bind(textOf(k))}`).join(" AND ");
    affected = (await readRows(session, `UPDATE ${info.sqlName} SET ${sets} WHERE ${where}`, params)).affected;
  } else {
    affected = (await readRows(session, `DELETE FROM ${info.sqlName} WHERE ${whereKey(reset)}`, params)).affected;
  }
  if (affected !== 1) {
    throw new MigratrixError("aborted", `${req.op} touched ${affected} rows instead of one: nothing was changed`);
  }
  const after = req.op === "update" ? (await readRows(session, select, selectParams)).rows[0] : undefined;
  await session.finish(true);
  return {
    rowsAffected: affected,
    beforeSha256: rowDigest(before),
    afterSha256: rowDigest(after),
    keySha256: keyDigest,
  };
}
