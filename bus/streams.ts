// Names and specs of the JetStream work queues the control plane and agents share. Both sides
// ensure the same streams (NATS refuses two streams over overlapping subjects), so they are
// defined once, here. The prefix keeps deployments (and test files) apart.
import { subjects } from "./subjects.ts";
import type { QueueSpec } from "./types.ts";

export const DEFAULT_STREAM_PREFIX = "MX";

export function streamNames(prefix: string = DEFAULT_STREAM_PREFIX): { jobs: string; events: string } {
  return { jobs: `${prefix}_JOBS`, events: `${prefix}_EVENTS` };
}

export function queueSpecs(prefix: string = DEFAULT_STREAM_PREFIX): QueueSpec[] {
  const names = streamNames(prefix);
  return [
    { name: names.jobs, subjects: [subjects.allJobs], storage: "file" },
    { name: names.events, subjects: [subjects.allEvents], storage: "file" },
  ];
}
