// mx migration create / list / show / history (run and watch live in watch.ts).
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { MigratrixError } from "../../common/errors.ts";
import type { EngineId } from "../../engines/index.ts";
import {
  CreateMigrationResponseSchema,
  GetMigrationResponseSchema,
  ListHistoryResponseSchema,
  ListMigrationsResponseSchema,
} from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Clients } from "../client.ts";
import { loadEngines, parseEngine } from "../engines.ts";
import { UsageError } from "../errors.ts";
import { formatTime, paintState, protoJson } from "../proto-output.ts";
import { printRollbackScripts } from "./flow.ts";
import { defineCommand } from "./types.ts";

function readMigrationFile(cwd: string, file: string): string {
  const path = resolve(cwd, file);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    const code = err instanceof Error ? Reflect.get(err, "code") : undefined;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code ?? err);
    throw new MigratrixError("invalid_argument", `cannot read migration file ${path}: ${why}`);
  }
}

/** Migrations are split per dialect: without --engine, take the workspace's first connection's. */
async function engineOfFirstConnection(api: Clients): Promise<EngineId> {
  const { connections } = await api.connections.listConnections({ environment: "" });
  const first = connections[0];
  if (first === undefined) {
    throw new UsageError(
      "--engine is required: the workspace has no connections to take the engine from",
      "migration create",
    );
  }
  return (await loadEngines()).engineIdFromProto(first.engine);
}

interface StoredRisk {
  reason?: string;
  up?: { statements: { findings: unknown[] }[] };
  down?: { level: string; statements: { findings: unknown[] }[] };
}

function findingsIn(report: StoredRisk["up"]): number {
  return (report?.statements ?? []).reduce((n, s) => n + s.findings.length, 0);
}

/** "Low (1 finding; down: Critical, 3 findings)": the level is the up section's, which promotion runs. */
export function riskSummary(m: { riskLevel: string; riskReportJson: string } | undefined): string {
  if (m === undefined || m.riskLevel === "") return "not assessed";
  const report = (m.riskReportJson === "" ? {} : JSON.parse(m.riskReportJson)) as StoredRisk;
  if (report.reason !== undefined) return `${m.riskLevel} (${report.reason})`;
  const count = (n: number) => `${n} finding${n === 1 ? "" : "s"}`;
  const down = report.down ? `; down: ${report.down.level}, ${count(findingsIn(report.down))}` : "";
  return `${m.riskLevel} (${count(findingsIn(report.up))}${down})`;
}

export const migrationCreate = defineCommand({
  path: ["migration", "create"],
  summary: "upload a migration file (-- UP / -- DOWN markers optional)",
  args: ["FILE"],
  options: {
    engine: {
      type: "string",
      value: "E",
      description: "engine to split statements for (default: the engine of the workspace's first connection)",
    },
    flow: {
      type: "string",
      value: "NAME",
      description: "enter this flow now: without -- DOWN its down script is generated and shown for review",
    },
  },
  details: ["The migration id is the file name without .sql, e.g. 20260101090000_create_customers."],
  async run({ io, out, input, clients }) {
    const file = input.positionals[0] ?? "";
    const flag = input.string("engine");
    const wanted = flag === undefined ? undefined : await parseEngine(flag);
    const content = readMigrationFile(io.cwd, file);
    const api = clients();
    const engine = wanted ?? (await engineOfFirstConnection(api));
    const flow = input.string("flow");
    const res = await api.migrations.createMigration({
      fileName: basename(file),
      content,
      engine: (await loadEngines()).engineToProto(engine),
      ...(flow ? { flow } : {}),
    });
    if (out.json) {
      out.document(protoJson(CreateMigrationResponseSchema, res));
      return 0;
    }
    const m = res.migration;
    out.line(`created migration ${out.paint("bold", m?.id ?? "")}`);
    out.line(`  statements  ${m?.statements ?? 0} (${engine})`);
    out.line(`  checksum    ${m?.checksum ?? ""}`);
    out.line(`  risk        ${riskSummary(m)}`);
    if (flow) {
      // What approvers will sign: the generated rollback, read back from the flow it entered.
      const stage = (await api.flows.getFlow({ name: flow, migrationId: m?.id ?? "" })).stages[0];
      printRollbackScripts(out, stage?.rollbackScripts ?? []);
      out.line(
        out.paint(
          "dim",
          `next: mx migration approve ${m?.id ?? ""} --flow ${flow} --stage ${stage?.environment ?? "ENV"}`,
        ),
      );
      return 0;
    }
    out.line(out.paint("dim", `next: mx migration run ${m?.id ?? ""} --env ENV`));
    return 0;
  },
});

export const migrationList = defineCommand({
  path: ["migration", "list"],
  summary: "list the workspace's migrations",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().migrations.listMigrations({});
    if (out.json) {
      out.document(protoJson(ListMigrationsResponseSchema, res));
      return 0;
    }
    out.table(
      ["ID", "STATEMENTS", "CHECKSUM", "CREATED", "BY"],
      res.migrations.map((m) => [
        m.id,
        String(m.statements),
        m.checksum.slice(0, 16),
        formatTime(m.createdAt),
        m.createdBy,
      ]),
      { empty: "no migrations yet: mx migration create FILE" },
    );
    return 0;
  },
});

export const migrationShow = defineCommand({
  path: ["migration", "show"],
  summary: "show a migration, its SQL and its runs",
  args: ["ID"],
  options: {},
  async run({ out, input, clients }) {
    const res = await clients().migrations.getMigration({ id: input.positionals[0] ?? "" });
    if (out.json) {
      out.document(protoJson(GetMigrationResponseSchema, res));
      return 0;
    }
    const m = res.migration;
    if (m === undefined) throw new MigratrixError("not_found", `migration '${input.positionals[0]}' not found`);
    out.line(`${out.paint("bold", m.id)}  ${m.name}`);
    out.line(`  statements  ${m.statements}`);
    out.line(`  checksum    ${m.checksum}`);
    out.line(`  risk        ${riskSummary(m)}`);
    out.line(`  created     ${formatTime(m.createdAt)} by ${m.createdBy}`);
    out.line();
    out.line(out.paint("bold", "-- UP"));
    out.line(m.upSql.trimEnd());
    if (m.downSql.trim() !== "") {
      out.line(out.paint("bold", "-- DOWN"));
      out.line(m.downSql.trimEnd());
    }
    if (res.rollbackScripts.length > 0) {
      out.line(out.paint("bold", "-- DOWN (generated)"));
      printRollbackScripts(out, res.rollbackScripts, true);
    }
    out.line();
    out.table(
      ["RUN", "ENV", "CONNECTION", "STATE", "ATTEMPT", "DONE", "FINISHED"],
      res.runs.map((r) => [
        r.id,
        r.environment,
        r.connection,
        paintState(out, r.state),
        String(r.attempt),
        `${r.statementsDone}/${r.statementsTotal}`,
        formatTime(r.finishedAt),
      ]),
      { empty: "no runs yet" },
    );
    return 0;
  },
});

export const migrationHistory = defineCommand({
  path: ["migration", "history"],
  summary: "what was applied in an environment, per connection",
  args: [],
  options: { env: { type: "string", value: "NAME", description: "environment (required)" } },
  async run({ out, input, clients }) {
    const environment = input.required("env");
    const res = await clients().migrations.listHistory({ environment });
    if (out.json) {
      out.document(protoJson(ListHistoryResponseSchema, res));
      return 0;
    }
    out.table(
      ["MIGRATION", "CONNECTION", "STATE", "ATTEMPT", "STATEMENTS", "APPLIED AT", "APPLIED BY"],
      res.entries.map((h) => [
        h.migrationId,
        h.connection,
        paintState(out, h.state),
        String(h.attempt),
        String(h.statementsDone),
        formatTime(h.appliedAt),
        h.appliedBy,
      ]),
      { empty: `nothing applied in ${environment} yet` },
    );
    return 0;
  },
});
