// A schema snapshot from a PostgreSQL DDL file (--schema FILE.sql): the tables, columns and
// indexes the file leaves behind, read with the same effects the rules track through a script.
import { postgresDialect } from "../../postgres/dialect.ts";
import { type SchemaSnapshot, SNAPSHOT_VERSION, type TableSnapshot } from "../../schema/index.ts";
import { parseAll, statementCtx } from "./analyze.ts";
import { createScriptState } from "./context.ts";
import { parserReady } from "./parser.ts";
import { applyEffects } from "./state.ts";

await parserReady();

export function snapshotFromPostgresDdl(sql: string): SchemaSnapshot {
  const split = postgresDialect.split(sql);
  const state = createScriptState(undefined);
  const parsed = parseAll(sql, split.statements);
  split.statements.forEach((st, i) => {
    const p = parsed[i];
    const node = p?.node;
    if (p === undefined || node === undefined) return;
    applyEffects(statementCtx(i, st, node, p.toOffset, { script: state, push: () => {} }));
  });
  const tables: TableSnapshot[] = [...state.columns].map(([name, cols]) => ({
    schema: "public",
    name,
    columns: [...cols].map((c, i) => ({
      name: c,
      type: state.columnTypes.get(`${name}.${c}`) ?? "",
      nullable: true,
      default: null,
      ordinal: i + 1,
    })),
    primaryKey: null,
    indexes: [...state.indexes.values()]
      .flat()
      .filter((x) => x.table === name)
      .map((x) => ({ name: x.name, columns: x.columns, unique: x.unique })),
  }));
  return {
    version: SNAPSHOT_VERSION,
    engine: "postgresql",
    serverVersion: "ddl",
    schemas: [{ name: "public" }],
    tables,
  };
}
