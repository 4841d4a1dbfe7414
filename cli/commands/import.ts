// mx import DIR: bring a Flyway, dbmate, golang-migrate, Liquibase formatted-SQL or Atlas directory
// into Migratrix, and mark what that tool already applied: on a database (--url, local mode) or on
// an environment's databases through their serving agents (--env).
import { basename, resolve } from "node:path";
import type { EngineId, ImportedMigration, ImportFormat, ToolHistory } from "../../engines/index.ts";
import { ImportMigrationsResponseSchema } from "../../proto/gen/migratrix/control/v1/gitops_pb.ts";
import type { Clients } from "../client.ts";
import { engineOfUrl, loadEngines, parseEngine } from "../engines.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { protoJson } from "../proto-output.ts";
import { withUrl } from "./local-run.ts";
import { defineCommand } from "./types.ts";

/** The engine of the first connection (of `environment`, or of the workspace). */
async function defaultEngine(api: Clients, environment = ""): Promise<EngineId> {
  const { connections } = await api.connections.listConnections({ environment });
  const first = connections[0];
  if (first === undefined) {
    throw new UsageError(
      `--engine is required: ${environment ? `environment ${environment}` : "the workspace"} has no connections to take the engine from`,
      "import",
    );
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
      description:
        "engine to split statements for (default: the --url's, else the first connection's of --env or of the workspace)",
    },
    env: {
      type: "string",
      value: "NAME",
      description: "environment: its serving agents read the tool's history table on its connections and mark",
    },
    connection: { type: "string", value: "C", description: "with --env: only this connection of it" },
    "dry-run": { type: "boolean", description: "print what would be created and marked; change nothing" },
  },
  details: [
    "Each migration becomes a Migratrix migration (-- UP / -- DOWN), in the tool's order.",
    "With --url the tool's history table (flyway_schema_history, schema_migrations, DATABASECHANGELOG,",
    "atlas_schema_revisions) is read and the migrations it applied are written to migratrix_history as",
    "applied by import:<tool>, so they never run again there. A failed or dirty entry is refused.",
    "With --env the same is done through the platform: the agent serving each connection of the",
    "environment reads the history table and marks, all or nothing per connection, and the platform",
    "records those migrations as completed there (flows show them Completed on that stage). Needs",
    "the admin role on the environment; audited, and listed by mx gitops log.",
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
    const env = input.string("env");
    if (env !== undefined) {
      if (url !== undefined) throw new UsageError("give --env or --url, not both", "import");
      return importThroughPlatform({
        out,
        api: clients(),
        format,
        dir,
        migrations,
        env,
        connection: input.string("connection") ?? "",
        engine: input.string("engine"),
        dryRun,
        detected: wanted === "auto",
      });
    }
    if (input.string("connection") !== undefined) throw new UsageError("--connection needs --env", "import");

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
    // All or nothing on the server: a migration stored under one of these ids with other content
    // stops the import before anything is created.
    const res = await api.gitops.importMigrations({
      format,
      engine: engines.engineToProto(engine),
      files: planned.map((p) => ({ ...p.migration })),
      source: basename(dir),
    });
    const created = res.migrations.map((m) => ({ id: m.migrationId, checksum: m.checksum }));
    if (!out.json) {
      for (const m of res.migrations) {
        out.line(m.created ? `created migration ${m.migrationId}` : `${m.migrationId} was already stored`);
      }
    }
    const toMark = planned.filter((p) => p.applied).map((p) => p.migration);
    const marks =
      url === undefined || toMark.length === 0
        ? []
        : await withUrl(url, (db) =>
            engines.markApplied(db, { format, entries: toMark.map((m) => engines.historyEntry(db.engine, m)) }),
          );
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

/**
 * mx import DIR --env NAME: the migrations are stored and the agent serving each connection of the
 * environment reads the tool's history table there and marks what it applied (the server's
 * ImportMigrations); this prints what was created and, per connection, what was marked.
 */
async function importThroughPlatform(o: {
  out: Output;
  api: Clients;
  format: ImportFormat;
  dir: string;
  migrations: ImportedMigration[];
  env: string;
  connection: string;
  engine: string | undefined;
  dryRun: boolean;
  detected: boolean;
}): Promise<number> {
  const { out } = o;
  const engines = await loadEngines();
  const engine = o.engine !== undefined ? await parseEngine(o.engine) : await defaultEngine(o.api, o.env);
  const res = await o.api.gitops.importMigrations({
    format: o.format,
    engine: engines.engineToProto(engine),
    files: o.migrations.map((m) => ({ ...m })),
    environment: o.env,
    connection: o.connection,
    dryRun: o.dryRun,
    source: basename(o.dir),
  });
  if (out.json) {
    out.document(protoJson(ImportMigrationsResponseSchema, res));
    return 0;
  }
  out.line(
    `${o.detected ? "detected" : "format"} ${out.paint("bold", o.format)}: ${o.migrations.length} migration(s) in ${o.dir}`,
  );
  const marked = new Map<string, string[]>();
  for (const c of res.connections) {
    for (const id of [...c.marked, ...c.present]) marked.set(id, [...(marked.get(id) ?? []), c.connection]);
  }
  out.table(
    ["ID", "FROM", ...(o.dryRun ? [] : ["STORED"]), "APPLIED ON"],
    res.migrations.map((m, i) => [
      m.migrationId,
      o.migrations[i]?.source ?? "",
      ...(o.dryRun ? [] : [m.created ? "created" : "already"]),
      marked.get(m.migrationId)?.join(", ") ?? "-",
    ]),
    { empty: "no migrations" },
  );
  for (const c of res.connections) {
    out.line(
      c.historyTable === ""
        ? `${c.connection}: no ${o.format} history table: nothing marked applied`
        : `${c.connection}: ${c.historyTable}: ${o.dryRun ? "would mark" : "marked"} ${c.marked.length} applied (import:${o.format}), ${c.present.length} already marked`,
    );
  }
  if (o.dryRun) out.line(out.paint("dim", "dry run: nothing created or marked"));
  return 0;
}
