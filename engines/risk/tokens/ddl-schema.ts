// A schema snapshot from a DDL file (--schema FILE.sql: mysqldump --no-data, sqlite3 .schema): the
// tables, columns and indexes the file leaves behind, read with the same effects the rules track.
import { mariadbDialect, mysqlDialect } from "../../mysql/dialect.ts";
import { type SchemaSnapshot, SNAPSHOT_VERSION, type TableSnapshot } from "../../schema/index.ts";
import { sqliteDialect } from "../../sqlite/dialect.ts";
import type { Statement } from "../../types.ts";
import { createScript, key, type TokenCtx } from "./context.ts";
import { lexStatement, type Tok } from "./lex.ts";
import type { Stmt } from "./model.ts";
import { readStatement } from "./read.ts";
import { applyEffects } from "./state.ts";

const DIALECTS = { mysql: mysqlDialect, mariadb: mariadbDialect, sqlite: sqliteDialect };

export function snapshotFromDdl(sql: string, engine: "mysql" | "mariadb" | "sqlite"): SchemaSnapshot {
  const mysql = engine !== "sqlite";
  return snapshotFromStatements(DIALECTS[engine].split(sql).statements, engine, (st) => {
    const toks = lexStatement(st.text, st.start.offset, { mysql, mariadb: engine === "mariadb" });
    return { toks, stmt: readStatement(toks, { pipesConcat: !mysql, multiWordTypes: !mysql }).stmt };
  });
}

/** The schema split statements leave behind, each read by the engine's token reader. */
export function snapshotFromStatements(
  statements: readonly Statement[],
  engine: TokenCtx["engine"],
  read: (st: Statement) => { toks: Tok[]; stmt: Stmt },
): SchemaSnapshot {
  const script = createScript(undefined);
  const names = new Map<string, string>();
  statements.forEach((st, index) => {
    const { toks, stmt } = read(st);
    if (stmt.kind === "create-table") names.set(key(stmt.table.name), stmt.table.name);
    const ctx: TokenCtx = {
      engine,
      index,
      stmt,
      toks,
      noTransaction: false,
      start: st.start.offset,
      text: st.text,
      script,
      report: () => {},
      existing: (t) => !script.created.has(key(t)),
      notes: {},
    };
    applyEffects(ctx);
  });
  const tables: TableSnapshot[] = [...script.columns].map(([name, cols]) => {
    const pk = script.indexes.find((i) => i.table === name && i.name === "PRIMARY");
    return {
      schema: "",
      name: names.get(name) ?? name,
      columns: [...cols].map(([c, fact], i) => ({
        name: c,
        type: fact.type,
        nullable: !fact.notNull,
        default: null,
        ordinal: i + 1,
      })),
      primaryKey: pk === undefined ? null : { columns: pk.columns },
      indexes: script.indexes
        .filter((x) => x.table === name && x.name !== "PRIMARY")
        .map((x) => ({ name: x.name, columns: x.columns, unique: x.unique })),
    };
  });
  return { version: SNAPSHOT_VERSION, engine, serverVersion: "ddl", schemas: [], tables };
}
