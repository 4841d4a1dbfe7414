// Run states as stored and as the API shows them, and the errors runs carry.
import { create } from "@bufbuild/protobuf";
import { type DbError, DbErrorSchema } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { RunState } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import type { RunErrorJson, RunStateName } from "../store/index.ts";

const TO_PROTO: Record<RunStateName, RunState> = {
  queued: RunState.QUEUED,
  pending: RunState.PENDING,
  in_progress: RunState.IN_PROGRESS,
  completed: RunState.COMPLETED,
  failed: RunState.FAILED,
  rejected: RunState.REJECTED,
};

const LABEL: Record<RunStateName, string> = {
  queued: "Queued",
  pending: "Pending",
  in_progress: "InProgress",
  completed: "Completed",
  failed: "Failed",
  rejected: "Rejected",
};

export function runStateToProto(state: RunStateName): RunState {
  return TO_PROTO[state];
}

export function runStateLabel(state: RunStateName): string {
  return LABEL[state];
}

export function isTerminal(state: RunStateName): boolean {
  return state === "completed" || state === "failed" || state === "rejected";
}

/** A run may be (re)started only from these: a retry after Failed/Rejected is a new attempt. */
export function isRetryable(state: RunStateName): boolean {
  return state === "failed" || state === "rejected";
}

export function errorFromDb(e: DbError | undefined, fallback: string): RunErrorJson {
  if (!e) return { code: "unknown", message: fallback };
  return {
    code: e.code || "unknown",
    message: e.message || fallback,
    ...(e.nativeCode ? { nativeCode: e.nativeCode } : {}),
    ...(e.position ? { line: e.position.line, column: e.position.column } : {}),
  };
}

export function errorToDb(e: RunErrorJson | null): DbError | undefined {
  if (!e) return undefined;
  return create(DbErrorSchema, {
    code: e.code,
    nativeCode: e.nativeCode ?? "",
    message: e.message,
    position: e.line === undefined ? undefined : { line: e.line, column: e.column ?? 0 },
  });
}
