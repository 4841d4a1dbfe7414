// mx import on the control plane: migrations converted from Flyway, dbmate, golang-migrate,
// Liquibase formatted SQL or Atlas are stored all or nothing; with an environment, the serving agent
// of each of its connections reads the tool's history table there and marks what the tool applied
// in migratrix_history (all or nothing per connection), and the platform records those as
// completed runs (import-record.ts). Every import, and every failed one, is in the changes log.

import { and, eq, inArray } from "drizzle-orm";
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { IMPORT_FORMATS, isImportFormat } from "../../engines/index.ts";
import { appendAudit } from "../audit/index.ts";
import { callAgent } from "../bus-side/agent-rpc.ts";
import { type ConnectionView, listConnections } from "../domain/connections.ts";
import { getEnvironment } from "../domain/environments.ts";
import { type ParsedMigration, parseForEngine } from "../domain/migration-file.ts";
import { createMigration } from "../domain/migrations.ts";
import { autoAdvance } from "../flows/auto.ts";
import type { StageKey } from "../flows/lifecycle.ts";
import type { Db, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";
import { recordImportedRuns } from "./import-record.ts";
import { recordEvent } from "./links.ts";

export interface ImportFile {
  fileName: string;
  content: string;
  /** The tool's history key: a version or "author:id". */
  key: string;
  source: string;
}

export interface ImportInput {
  workspaceId: string;
  format: string;
  engine: string;
  files: ImportFile[];
  /** "" = store only. */
  environment: string;
  /** "" = every connection of the environment. */
  connection: string;
  dryRun: boolean;
  /** Where the files came from, for the changes log. */
  source: string;
  actor: string;
  requestedBy: string;
  correlationId: string;
}

export interface ConnectionImport {
  connection: string;
  historyTable: string;
  marked: string[];
  present: string[];
}

export interface ImportResult {
  migrations: { migrationId: string; checksum: string; created: boolean }[];
  connections: ConnectionImport[];
}

export interface ImportDeps {
  db: Db;
  bus: Bus;
  log: Logger;
  agentRequestTimeoutMs: number;
  agentOnlineMs: number;
}

/** The import's line in the changes log: imports belong to no repository link. */
const IMPORT_LINK = "";

function parseAll(input: ImportInput): { file: ImportFile; parsed: ParsedMigration }[] {
  if (!isImportFormat(input.format)) {
    throw new MigratrixError(
      "invalid_argument",
      `unknown import format ${JSON.stringify(input.format)}: expected ${IMPORT_FORMATS.join(", ")}`,
    );
  }
  if (input.files.length === 0) throw new MigratrixError("invalid_argument", "the import has no migrations");
  const seen = new Map<string, string>();
  return input.files.map((file) => {
    const parsed = parseForEngine(file.fileName, file.content, input.engine);
    const other = seen.get(parsed.id);
    if (other !== undefined) {
      throw new MigratrixError("invalid_argument", `${file.source} and ${other} both become migration ${parsed.id}`);
    }
    seen.set(parsed.id, file.source);
    return { file, parsed };
  });
}

async function targetsOf(db: Db, input: ImportInput): Promise<ConnectionView[]> {
  const env = await getEnvironment(db, input.workspaceId, input.environment);
  const all = await listConnections(db, input.workspaceId, env.name);
  const conns = input.connection === "" ? all : all.filter((c) => c.name === input.connection);
  if (input.connection !== "" && conns.length === 0) {
    throw new MigratrixError("not_found", `connection ${env.name}/${input.connection} not found`);
  }
  if (conns.length === 0) {
    throw new MigratrixError(
      "failed_precondition",
      `environment ${env.name} has no connection to read the ${input.format} history on; add one with mx connection add`,
    );
  }
  // As in a flow, one engine throughout: the migrations were split for it.
  const other = conns.find((c) => c.engine !== input.engine);
  if (other) {
    throw new MigratrixError(
      "invalid_argument",
      `connection ${env.name}/${other.name} is ${other.engine}; the imported migrations are ${input.engine}`,
    );
  }
  return conns;
}

export async function importMigrations(deps: ImportDeps, input: ImportInput): Promise<ImportResult> {
  try {
    const items = parseAll(input);
    const conns = input.environment === "" ? [] : await targetsOf(deps.db, input);
    return await importOnce(deps, input, items, conns);
  } catch (err) {
    const e = MigratrixError.from(err);
    if (!input.dryRun) {
      await deps.db
        .transaction(async (tx) => {
          const detail = {
            format: input.format,
            source: input.source,
            environment: input.environment,
            error: e.message,
          };
          await appendAudit(tx, {
            workspaceId: input.workspaceId,
            actor: input.actor,
            action: "gitops.import.failed",
            ...(input.environment ? { environment: input.environment } : {}),
            target: `import:${input.format}`,
            correlationId: input.correlationId,
            detail,
          });
          await recordEvent(tx, {
            workspaceId: input.workspaceId,
            linkName: IMPORT_LINK,
            kind: "import.failed",
            summary: `${input.format} import${input.environment ? ` on ${input.environment}` : ""} failed: ${e.message}`,
            actor: input.actor,
            detail,
          });
        })
        .catch((logErr: unknown) =>
          deps.log.warn("import failure not recorded", { error: MigratrixError.from(logErr).message }),
        );
    }
    throw e;
  }
}

async function importOnce(
  deps: ImportDeps,
  input: ImportInput,
  items: { file: ImportFile; parsed: ParsedMigration }[],
  conns: ConnectionView[],
): Promise<ImportResult> {
  const migrations = input.dryRun
    ? items.map(({ parsed }) => ({ migrationId: parsed.id, checksum: parsed.checksum, created: false }))
    : await store(deps.db, input, items);
  const connections: ConnectionImport[] = [];
  for (const conn of conns) {
    const path = `${conn.environment}/${conn.name}`;
    try {
      const done = await markOn(deps, input, conn, items);
      connections.push(done);
      if (input.dryRun) continue;
      const opened = await recordConnection(deps.db, input, conn, done, items);
      // After commit: a stage opened by the import starts by itself when auto, as after a run.
      await autoAdvance(deps.db, deps.bus, opened, {
        agentOnlineMs: deps.agentOnlineMs,
        log: deps.log,
        correlationId: input.correlationId,
      });
    } catch (err) {
      const e = MigratrixError.from(err);
      const before = connections.map((c) => c.connection);
      throw new MigratrixError(
        e.code,
        `${path}: ${e.message}${before.length > 0 && !input.dryRun ? ` (${before.join(", ")} marked and recorded before it)` : ""}`,
        e.detail,
        { cause: err },
      );
    }
  }
  return { migrations, connections };
}

/** The agent serving `conn` reads the tool's history there and marks (dry run: reports) what it applied. */
async function markOn(
  deps: ImportDeps,
  input: ImportInput,
  conn: ConnectionView,
  items: { file: ImportFile; parsed: ParsedMigration }[],
): Promise<ConnectionImport> {
  const path = `${conn.environment}/${conn.name}`;
  const replies = await callAgent(deps.bus, {
    workspaceId: input.workspaceId,
    agentId: conn.agentId,
    timeoutMs: deps.agentRequestTimeoutMs,
    request: {
      correlationId: input.correlationId,
      workspaceId: input.workspaceId,
      kind: {
        case: "importHistory",
        value: {
          connection: path,
          format: input.format,
          dryRun: input.dryRun,
          entries: items.map(({ file, parsed }) => ({
            migrationId: parsed.id,
            name: parsed.name,
            checksum: parsed.checksum,
            statements: parsed.statements,
            key: file.key,
          })),
        },
      },
    },
  });
  for (const { kind } of replies) {
    if (kind.case !== "importHistory") continue;
    const { historyTable, marked, present } = kind.value;
    return { connection: path, historyTable, marked, present };
  }
  throw new MigratrixError("internal", `agent ${conn.agentId} gave no import_history reply for ${path}`);
}

/** Creates the migrations not stored yet, in one transaction; one stored with other content stops it all. */
async function store(db: Db, input: ImportInput, items: { file: ImportFile; parsed: ParsedMigration }[]) {
  return db.transaction(async (tx) => {
    const ids = items.map(({ parsed }) => parsed.id);
    const stored = new Map(
      (
        await tx
          .select({ id: tables.migrations.id, checksum: tables.migrations.checksum })
          .from(tables.migrations)
          .where(and(eq(tables.migrations.workspaceId, input.workspaceId), inArray(tables.migrations.id, ids)))
          .for("update")
      ).map((m) => [m.id, m.checksum]),
    );
    const out: ImportResult["migrations"] = [];
    const clashes = items.filter(({ parsed }) => (stored.get(parsed.id) ?? parsed.checksum) !== parsed.checksum);
    if (clashes.length > 0) {
      throw new MigratrixError(
        "failed_precondition",
        `already stored with other content: ${clashes.map(({ parsed }) => parsed.id).join(", ")}; nothing was imported (give changed migrations new file names)`,
      );
    }
    for (const { file, parsed } of items) {
      if (stored.has(parsed.id)) {
        out.push({ migrationId: parsed.id, checksum: parsed.checksum, created: false });
        continue;
      }
      // createMigration runs in a savepoint of this transaction and appends migration.create.
      await createMigration(tx, {
        workspaceId: input.workspaceId,
        fileName: file.fileName,
        content: file.content,
        engine: input.engine,
        actor: input.actor,
        createdBy: input.requestedBy,
        correlationId: input.correlationId,
      });
      out.push({ migrationId: parsed.id, checksum: parsed.checksum, created: true });
    }
    const created = out.filter((m) => m.created).length;
    const detail = { format: input.format, source: input.source, created, unchanged: out.length - created };
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "gitops.import",
      target: `import:${input.format}`,
      correlationId: input.correlationId,
      detail: { ...detail, migrations: out.map((m) => m.migrationId) },
    });
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      linkName: IMPORT_LINK,
      kind: "import",
      summary: `${input.format}${input.source ? ` ${input.source}` : ""}: ${created} migration(s) created, ${out.length - created} already stored`,
      actor: input.actor,
      detail: { ...detail, migrations: out },
    });
    return out;
  });
}

/**
 * The platform's record of one connection's marks, its audit record (with counts) and log line;
 * returns the next stages it opened.
 */
async function recordConnection(
  db: Db,
  input: ImportInput,
  conn: ConnectionView,
  done: ConnectionImport,
  items: { parsed: ParsedMigration }[],
): Promise<StageKey[]> {
  const ids = new Set([...done.marked, ...done.present]);
  const applied = items.filter(({ parsed }) => ids.has(parsed.id)).map(({ parsed }) => parsed);
  return db.transaction(async (tx: Tx) => {
    const rec = await recordImportedRuns(tx, {
      workspaceId: input.workspaceId,
      connection: conn,
      engine: input.engine,
      format: input.format,
      applied,
      actor: input.actor,
      requestedBy: input.requestedBy,
      correlationId: input.correlationId,
    });
    const detail = {
      format: input.format,
      source: input.source,
      connection: done.connection,
      historyTable: done.historyTable,
      marked: done.marked.length,
      alreadyMarked: done.present.length,
      runsRecorded: rec.runs.length,
      runsKept: rec.kept,
      stagesCompleted: rec.stages,
      migrations: applied.map((m) => m.id),
    };
    await appendAudit(tx, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: "history.import",
      environment: conn.environment,
      target: done.connection,
      correlationId: input.correlationId,
      detail,
    });
    await recordEvent(tx, {
      workspaceId: input.workspaceId,
      linkName: IMPORT_LINK,
      kind: "import.applied",
      summary:
        done.historyTable === ""
          ? `${done.connection}: no ${input.format} history table; nothing marked applied`
          : `${done.connection}: ${done.historyTable} lists ${applied.length} of ${items.length} as applied: ${done.marked.length} marked, ${done.present.length} already marked${rec.stages.length ? `; Completed on ${rec.stages.length} flow stage(s)` : ""}`,
      actor: input.actor,
      detail,
    });
    return rec.opened;
  });
}
