// How mx shows protobuf values: timestamps, run states and proto3 JSON. Apart from output.ts so
// that commands which never see a protobuf message (risk, local mode) do not load protobuf.
import { type DescMessage, type JsonValue, type MessageShape, toJson } from "@bufbuild/protobuf";
import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { RunState } from "../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { Output } from "./output.ts";

/** UTC, second precision: the same on every machine, sortable, short enough for a table. */
export function formatTime(ts: Timestamp | undefined): string {
  if (ts === undefined) return "-";
  const iso = timestampDate(ts).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

const STATE_NAMES: Record<RunState, string> = {
  [RunState.UNSPECIFIED]: "Unknown",
  [RunState.QUEUED]: "Queued",
  [RunState.PENDING]: "Pending",
  [RunState.IN_PROGRESS]: "InProgress",
  [RunState.COMPLETED]: "Completed",
  [RunState.FAILED]: "Failed",
  [RunState.REJECTED]: "Rejected",
};

export function stateName(state: RunState): string {
  return STATE_NAMES[state] ?? `State(${state})`;
}

export function paintState(out: Output, state: RunState): string {
  const name = stateName(state);
  switch (state) {
    case RunState.COMPLETED:
      return out.paint("green", name);
    case RunState.FAILED:
    case RunState.REJECTED:
      return out.paint("red", name);
    case RunState.IN_PROGRESS:
      return out.paint("cyan", name);
    default:
      return out.paint("yellow", name);
  }
}

export function isTerminal(state: RunState): boolean {
  return state === RunState.COMPLETED || state === RunState.FAILED || state === RunState.REJECTED;
}

/** Proto3 JSON with every field present, so scripts can rely on keys existing. */
export function protoJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): JsonValue {
  return toJson(schema, message, { alwaysEmitImplicit: true });
}
