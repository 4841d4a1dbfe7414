// mx drift --env NAME: the environment's drift reports (live schema vs the schema its last
// completed migration left), an on-demand check (--check), and its scheduled check (--schedule).
import {
  CheckDriftResponseSchema,
  type DriftReport,
  type DriftSchedule,
  DriftScheduleSchema,
  DriftStatus,
  ListDriftResponseSchema,
} from "../../proto/gen/migratrix/control/v1/drift_pb.ts";
import { UsageError } from "../errors.ts";
import type { Output } from "../output.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

const STATUS: Record<DriftStatus, { label: string; colour: "green" | "red" | "yellow" | "dim" }> = {
  [DriftStatus.UNSPECIFIED]: { label: "unknown", colour: "dim" },
  [DriftStatus.CLEAN]: { label: "clean", colour: "green" },
  [DriftStatus.DRIFTED]: { label: "drifted", colour: "red" },
  [DriftStatus.NO_BASELINE]: { label: "no baseline", colour: "yellow" },
  [DriftStatus.ERROR]: { label: "error", colour: "red" },
};

export function renderReport(out: Output, r: DriftReport): string {
  const s = STATUS[r.status] ?? STATUS[DriftStatus.UNSPECIFIED];
  const changes = r.status === DriftStatus.DRIFTED ? `  ${r.changes} change${r.changes === 1 ? "" : "s"}` : "";
  const lines = [`${out.paint("bold", r.connection)}  ${out.paint(s.colour, s.label)}${changes}`];
  const facts = [
    `checked ${formatTime(r.checkedAt)} (${r.trigger})`,
    ...(r.migrationId ? [`expected: the schema after ${r.migrationId} (${formatTime(r.expectedAt)})`] : []),
  ];
  lines.push(out.paint("dim", `  ${facts.join("; ")}`));
  if (r.message) lines.push(`  ${r.message}`);
  if (r.status === DriftStatus.DRIFTED) {
    lines.push("  changed outside Migratrix (live vs expected):");
    for (const l of r.diffText.split("\n")) lines.push(`    ${l}`);
  }
  return lines.join("\n");
}

function renderSchedule(out: Output, environment: string, s: DriftSchedule | undefined): string {
  if (!s) return out.paint("dim", `no scheduled drift check on ${environment} (set one with --schedule CRON)`);
  const last = s.lastFired ? `, last ${formatTime(s.lastFired)}` : "";
  return out.paint("dim", `scheduled: ${s.cron} UTC (next ${formatTime(s.nextRun)}${last})`);
}

/** Exit 1 when a connection drifted, as mx diff does for differences. */
const exitCode = (reports: DriftReport[]) => (reports.some((r) => r.status === DriftStatus.DRIFTED) ? 1 : 0);

export const driftCommand = defineCommand({
  path: ["drift"],
  summary: "schema drift of an environment's connections against what Migratrix applied",
  args: [],
  options: {
    env: { type: "string", value: "NAME", description: "the environment (required)" },
    check: { type: "boolean", description: "check now (through the agents) instead of listing the last reports" },
    connection: { type: "string", value: "NAME", description: "with --check: only this connection" },
    schedule: {
      type: "string",
      value: "CRON",
      description: 'check on a schedule (5 or 6 cron fields, UTC), e.g. "0 * * * *"; "off" removes it',
    },
  },
  details: [
    "The expected schema of a connection is the one its agent read after the last migration (or",
    "revert) that completed there through Migratrix; the live schema is compared with it, noise",
    "filters on. Exit 0: no drift; 1: a connection drifted.",
  ],
  async run({ out, input, clients }) {
    const environment = input.string("env");
    if (!environment) throw new UsageError("--env NAME is required", "drift");
    const cron = input.string("schedule");
    const connection = input.string("connection");
    if (connection !== undefined && !input.flag("check")) {
      throw new UsageError("--connection goes with --check", "drift");
    }
    const api = clients().drift;
    if (cron !== undefined) {
      const res = await api.setDriftSchedule({ environment, cron: cron === "off" ? "" : cron });
      if (!input.flag("check")) {
        if (out.json) out.document({ schedule: res.schedule ? protoJson(DriftScheduleSchema, res.schedule) : null });
        else
          out.line(
            res.schedule
              ? renderSchedule(out, environment, res.schedule)
              : `scheduled drift check of ${environment} removed`,
          );
        return 0;
      }
      if (!out.json)
        out.note(
          res.schedule
            ? renderSchedule(out, environment, res.schedule)
            : `scheduled drift check of ${environment} removed`,
        );
    }
    if (input.flag("check")) {
      const res = await api.checkDrift({ environment, ...(connection ? { connection } : {}) });
      if (out.json) out.document(protoJson(CheckDriftResponseSchema, res));
      else out.line(res.reports.map((r) => renderReport(out, r)).join("\n\n"));
      return exitCode(res.reports);
    }
    const res = await api.listDrift({ environment });
    if (out.json) out.document(protoJson(ListDriftResponseSchema, res));
    else {
      const body =
        res.reports.length === 0
          ? `no drift check has run on ${environment} yet (run mx drift --env ${environment} --check)`
          : res.reports.map((r) => renderReport(out, r)).join("\n\n");
      out.line(`${body}\n\n${renderSchedule(out, environment, res.schedule)}`);
    }
    return exitCode(res.reports);
  },
});
