// Validation and defaults for queue specs and consumer options, shared by both buses so a bad
// option fails the same way embedded and on NATS.

import { MigratrixError } from "../common/errors.ts";
import { subjectProblem } from "./subject-match.ts";
import type { ConsumeOptions, Headers, QueueSpec } from "./types.ts";

export const DEFAULT_ACK_WAIT_MS = 30_000;
export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

// JetStream's rule for stream and durable names (they become subject tokens of its API).
const NAME = /^[^\s.*>/\\]{1,255}$/;

export interface ResolvedQueueSpec {
  name: string;
  subjects: string[];
  storage: "file" | "memory";
  duplicateWindowMs: number;
}

export interface ResolvedConsumeOptions {
  queue: string;
  consumer: string;
  filterSubject: string | undefined;
  ackWaitMs: number;
  maxDeliver: number;
  concurrency: number;
}

function bad(message: string): MigratrixError {
  return new MigratrixError("invalid_argument", message);
}

function checkName(kind: string, name: string): void {
  if (!NAME.test(name)) throw bad(`${kind} name "${name}" must be 1-255 characters without spaces, ".", "*", ">", "/"`);
}

function checkPositive(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw bad(`${what} must be a whole number >= 1, got ${value}`);
}

export function resolveQueueSpec(spec: QueueSpec): ResolvedQueueSpec {
  checkName("queue", spec.name);
  if (spec.subjects.length === 0) throw bad(`queue ${spec.name} needs at least one subject`);
  for (const s of spec.subjects) {
    const problem = subjectProblem(s, { wildcards: true });
    if (problem) throw bad(`queue ${spec.name}: subject "${s}" ${problem}`);
  }
  const duplicateWindowMs = spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS;
  checkPositive(`queue ${spec.name}: duplicateWindowMs`, duplicateWindowMs);
  return { name: spec.name, subjects: [...spec.subjects], storage: spec.storage ?? "file", duplicateWindowMs };
}

export function resolveConsumeOptions(opts: ConsumeOptions): ResolvedConsumeOptions {
  checkName("queue", opts.queue);
  checkName("consumer", opts.consumer);
  if (opts.filterSubject !== undefined) {
    const problem = subjectProblem(opts.filterSubject, { wildcards: true });
    if (problem) throw bad(`consumer ${opts.consumer}: filter subject "${opts.filterSubject}" ${problem}`);
  }
  const ackWaitMs = opts.ackWaitMs ?? DEFAULT_ACK_WAIT_MS;
  const maxDeliver = opts.maxDeliver ?? -1;
  const concurrency = opts.concurrency ?? 1;
  checkPositive(`consumer ${opts.consumer}: ackWaitMs`, ackWaitMs);
  checkPositive(`consumer ${opts.consumer}: concurrency`, concurrency);
  if (maxDeliver !== -1) checkPositive(`consumer ${opts.consumer}: maxDeliver (or -1 for unlimited)`, maxDeliver);
  return {
    queue: opts.queue,
    consumer: opts.consumer,
    filterSubject: opts.filterSubject,
    ackWaitMs,
    maxDeliver,
    concurrency,
  };
}

/**
 * Subject and headers of a publish. "Nats-" headers steer JetStream itself (dedup, expectations)
 * and the in-process bus would ignore them, so they are refused rather than behaving differently.
 */
export function checkPublish(subject: string, headers: Headers | undefined): void {
  const problem = subjectProblem(subject, { wildcards: false });
  if (problem) throw bad(`publish subject "${subject}" ${problem}`);
  for (const key of Object.keys(headers ?? {})) {
    if (key.toLowerCase().startsWith("nats-")) {
      throw bad(`publish to ${subject}: header "${key}" is reserved to the bus (set msgId for dedup)`);
    }
  }
}

/** The one error every operation on a closed bus gives, whichever implementation. */
export function busClosed(what: string): MigratrixError {
  return new MigratrixError("unavailable", `cannot ${what}: the bus is closed`);
}
