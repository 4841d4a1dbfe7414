// mx schema ENV/CONNECTION: the live schema through the serving agent, as a readable summary of
// the versioned snapshot (engines/schema); --json prints the snapshot itself.
import type { SchemaSnapshot } from "../../engines/index.ts";
import { loadEngines } from "../engines.ts";
import { UsageError } from "../errors.ts";
import { type Output, renderRows } from "../output.ts";
import { defineCommand } from "./types.ts";

export function summariseSnapshot(out: Output, connection: string, snapshot: SchemaSnapshot): string {
  const count = `${snapshot.tables.length} table${snapshot.tables.length === 1 ? "" : "s"}`;
  const lines = [`${out.paint("bold", connection)}  ${snapshot.engine} (${snapshot.serverVersion})  ${count}`];
  for (const table of snapshot.tables) {
    const pk = table.primaryKey?.columns ?? [];
    lines.push("", out.paint("bold", `${table.schema}.${table.name}`));
    const rows = table.columns.map((c) => {
      const flags = [
        pk.includes(c.name) ? "primary key" : "",
        c.nullable ? "" : "not null",
        c.default === null ? "" : `default ${c.default}`,
      ].filter((f) => f !== "");
      return [`  ${c.name}`, c.type, flags.join(", ")];
    });
    if (rows.length > 0) lines.push(renderRows(rows).trimEnd());
    // The primary key's own index is already said by "primary key" on its columns.
    for (const idx of table.indexes.filter((i) => i.primary !== true)) {
      lines.push(out.paint("dim", `  ${idx.unique ? "unique " : ""}index ${idx.name} (${idx.columns.join(", ")})`));
    }
  }
  return lines.join("\n");
}

export const schemaShow = defineCommand({
  path: ["schema"],
  summary: "introspect a connection through its agent",
  args: ["ENV/CONNECTION"],
  options: { schemas: { type: "string", value: "LIST", description: "comma-separated schemas (default: all)" } },
  details: ["--json prints the raw versioned snapshot."],
  async run({ out, input, clients }) {
    const connection = input.positionals[0] ?? "";
    if (!/^[^/]+\/[^/]+$/.test(connection)) {
      throw new UsageError(`expected ENV/CONNECTION (e.g. dev/main), got '${connection}'`, "schema");
    }
    const schemas = (input.string("schemas") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    const res = await clients().schema.introspect({ connection, schemas });
    const snapshot = (await loadEngines()).snapshotFromJson(res.snapshotJson);
    if (out.json) out.document(snapshot);
    else out.line(summariseSnapshot(out, connection, snapshot));
    return 0;
  },
});
