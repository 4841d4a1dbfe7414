// Names of the JetStream work queues the control plane and agents share. The prefix keeps
// deployments (and test files) apart; agents must be started with the same prefix.
import { subjects } from "../../bus/subjects.ts";
import type { QueueSpec } from "../../bus/types.ts";

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

/** "mx.<ws>.agent.<agent>.events" or "mx.<ws>.control.leases" → its workspace (and agent). */
export function parseSubject(subject: string): { workspaceId: string; agentId?: string } | null {
  const parts = subject.split(".");
  if (parts[0] !== "mx" || !parts[1]) return null;
  if (parts[2] === "agent" && parts[3]) return { workspaceId: parts[1], agentId: parts[3] };
  if (parts[2] === "control") return { workspaceId: parts[1] };
  return null;
}
