// mx import DIR: bring a Flyway, dbmate, golang-migrate, Liquibase formatted-SQL or Atlas directory
// into Migratrix, and with --url mark what that tool already applied on the database.
import { resolve } from "node:path";
import { Code, ConnectError } from "@connectrpc/connect";
import { MigratrixError } from "../../common/errors.ts";
import type { EngineId, ImportedMigration, ImportFormat, ToolHistory } from "../../engines/index.ts";
import type { Clients } from "../client.ts";
import { engineOfUrl, loadEngines, parseEngine } from "../engines.ts";
import { UsageError } from "../errors.ts";
import { withUrl } from "./local-run.ts";
import { defineCommand } from "./types.ts";

async function defaultEngine(api: Clients): Promise<EngineId> {
  const { connections } = await api.connections.listConnections({ environment: "" });
  const first = connections[0];
  if (first === undefined) {
    throw new UsageError("--engine is required: the workspace has no connections to take the engine from", "import");
  }
  return (await loadEngines()).engineIdFromProto(first.engine);
}

interface Planned {
  migration: ImportedMigration;
  id: string;
  hasDown: boolean;
  /** Null without --url. */
  applied: boolean | null;
}

export const importCommand = defineCommand({
  path: ["import"],
  summary: "import migrations from Flyway, dbmate, golang-migrate, Liquibase formatted SQL or Atlas",
  args: ["DIR"],
  options: {
    format: {
      type: "string",
      value: "F",
      description: "auto (default), flyway, dbmate, golang-migrate, liquibase-sql or atlas",
    },
    url: {
      type: "string",
      value: "URL",
      description: "database URL: read the tool's history table there and mark those migrations applied",
    },
    engine: {
      type: "string",
      value: "E",
      description: "engine to split statements for (default: the --url's, else the first connection's)",
    },
    "dry-run": { type: "boolean", description: "print what would be created and marked; change nothing" },
  },
  details: [
    "Each migration becomes a Migratrix migration (-- UP / -- DOWN), in the tool's order.",
    "With --url the tool's history table (flyway_schema_history, schema_migrations, DATABASECHANGELOG,",
    "atlas_schema_revisions) is read and the migrations it applied are written to migratrix_history as",
    "applied by import:<tool>, so they never run again there. A failed or dirty entry is refused.",
  ],
  async run({ io, out, input, clients }) {
    const engines = await loadEngines();
    const dir = resolve(io.cwd, input.positionals[0] ?? "");
    const files = engines.readSourceDir(dir);
    const wanted = input.string("format") ?? "auto";
    let format: ImportFormat;
    if (wanted === "auto") {
      const found = engines.detectFormat(files);
      if (found === null) {
        throw new UsageError(
          `${dir}: no Flyway, dbmate, golang-migrate, Liquibase formatted SQL or Atlas migrations found; pass --format`,
          "import",
        );
      }
      format = found;
    } else if (engines.isImportFormat(wanted)) {
      format = wanted;
    } else {
      throw new UsageError(
        `unknown --format '${wanted}': expected auto, ${engines.IMPORT_FORMATS.join(", ")}`,
        "import",
      );
    }
    const migrations = engines.importMigrations(files, format);
    const url = input.string("url");
    const dryRun = input.flag("dry-run");

    const history: { table: string | null; tool: ToolHistory } | null =
      url === undefined
        ? null
        : await withUrl(url, async (db) => {
            const tool = await engines.readToolHistory(db, format);
            return { table: tool.table, tool };
          });
    const planned: Planned[] = migrations.map((m) => {
      const parsed = engines.parseMigrationFile(m.content, { fileName: m.fileName });
      return {
        migration: m,
        id: parsed.id,
        hasDown: parsed.down !== null,
        applied: history?.tool.isApplied(m.key) ?? null,
      };
    });

    if (!out.json) {
      out.line(
        `${wanted === "auto" ? "detected" : "format"} ${out.paint("bold", format)}: ${planned.length} migration(s) in ${dir}`,
      );
      if (history !== null) {
        out.line(
          history.table === null
            ? `no ${format} history table on the database: nothing is marked applied`
            : `history table ${history.table}: ${planned.filter((p) => p.applied).length} applied`,
        );
      }
      out.table(
        ["ID", "FROM", "DOWN", ...(history === null ? [] : ["APPLIED"])],
        planned.map((p) => [
          p.id,
          p.migration.source,
          p.hasDown ? "yes" : "no",
          ...(history === null ? [] : [p.applied ? "yes" : "no"]),
        ]),
        { empty: "no migrations" },
      );
    }
    if (dryRun) {
      if (out.json) {
        out.document({
          format,
          dryRun: true,
          historyTable: history?.table ?? null,
          migrations: planned.map((p) => ({
            id: p.id,
            fileName: p.migration.fileName,
            source: p.migration.source,
            applied: p.applied,
            content: p.migration.content,
          })),
        });
      } else out.line(out.paint("dim", "dry run: nothing created or marked"));
      return 0;
    }

    const api = clients();
    const flag = input.string("engine");
    const engine =
      flag !== undefined
        ? await parseEngine(flag)
        : url !== undefined
          ? await engineOfUrl(url)
          : await defaultEngine(api);
    // All or nothing: a migration already stored under one of these ids with other content stops
    // the import before anything is created.
    const clashes: string[] = [];
    for (const p of planned) {
      const stored = await api.migrations.getMigration({ id: p.id }).catch((err: unknown) => {
        if (ConnectError.from(err).code === Code.NotFound) return undefined;
        throw err;
      });
      const checksum = stored?.migration?.checksum;
      if (checksum !== undefined && checksum !== engines.migrationChecksum(p.migration.content)) clashes.push(p.id);
    }
    if (clashes.length > 0) {
      throw new MigratrixError(
        "failed_precondition",
        `already stored with other content: ${clashes.join(", ")}; nothing was imported (give changed migrations new file names)`,
      );
    }
    const created: { id: string; checksum: string }[] = [];
    for (const p of planned) {
      const res = await api.migrations.createMigration({
        fileName: p.migration.fileName,
        content: p.migration.content,
        engine: engines.engineToProto(engine),
      });
      created.push({ id: res.migration?.id ?? p.id, checksum: res.migration?.checksum ?? "" });
      if (!out.json) out.line(`created migration ${res.migration?.id ?? p.id}`);
    }
    const toMark = planned.filter((p) => p.applied).map((p) => p.migration);
    const marks =
      url === undefined || toMark.length === 0
        ? []
        : await withUrl(url, (db) => engines.markApplied(db, { format, migrations: toMark }));
    if (out.json) {
      out.document({ format, dryRun: false, historyTable: history?.table ?? null, created, marked: marks });
      return 0;
    }
    for (const m of marks) {
      out.line(
        m.outcome === "marked"
          ? `marked ${m.id} applied (import:${format})`
          : `${m.id} was already applied in migratrix_history`,
      );
    }
    return 0;
  },
});
