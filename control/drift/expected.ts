// The expected schema of a connection: the after-snapshot an agent sends with the schema impact of
// a completed apply or revert. Stored once per connection (the latest wins); the run event itself
// is stored without the snapshot so the run's event log stays small.
import { gunzipSync } from "node:zlib";
import type { JobEvent, SchemaImpact } from "../../proto/gen/migratrix/agent/v1/event_pb.ts";
import type { RunDirection, Tx } from "../store/index.ts";
import { tables } from "../store/index.ts";

/** The snapshot JSON the impact carries, decoded; "" when the agent had to omit it. */
export function impactSnapshot(impact: SchemaImpact): string {
  if (impact.snapshotJson === "") return "";
  if (impact.snapshotEncoding === "gzip+base64") {
    return gunzipSync(Buffer.from(impact.snapshotJson, "base64")).toString("utf8");
  }
  return impact.snapshotJson;
}

/** The event as the run's log keeps it: a schema impact without its (large) snapshot. */
export function withoutSnapshot(event: JobEvent): JobEvent {
  if (event.kind.case !== "schemaImpact" || event.kind.value.snapshotJson === "") return event;
  return {
    ...event,
    kind: {
      case: "schemaImpact",
      value: { ...event.kind.value, snapshotJson: "", snapshotEncoding: "" },
    },
  };
}

/**
 * Records the schema a completed run left on its connection. An impact without a snapshot (too
 * big for the bus) leaves an empty expected schema: the check then says why it has no baseline.
 */
export async function recordExpectedSchema(
  tx: Tx,
  input: {
    workspaceId: string;
    run: { id: string; connectionId: string; migrationId: string; direction: RunDirection };
    impact: SchemaImpact;
    at: Date;
  },
): Promise<void> {
  const { run } = input;
  const values = {
    workspaceId: input.workspaceId,
    migrationId: run.migrationId,
    runId: run.id,
    direction: run.direction,
    snapshotJson: impactSnapshot(input.impact),
    capturedAt: input.at,
  };
  await tx
    .insert(tables.expectedSchemas)
    .values({ connectionId: run.connectionId, ...values })
    .onConflictDoUpdate({ target: tables.expectedSchemas.connectionId, set: values });
}
