// Subject names, scoped by workspace and agent (DESIGN.md "Bus"). Names are validated so a
// workspace or agent id can never inject wildcards or extra tokens into a subject.

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

export function subjectToken(kind: string, value: string): string {
  if (!TOKEN.test(value)) {
    throw new Error(`${kind} "${value}" cannot be used in a bus subject: use 1-64 of A-Z a-z 0-9 _ -`);
  }
  return value;
}

export const subjects = {
  /** Durable jobs for one agent (JetStream work queue). */
  jobs: (ws: string, agent: string) => `mx.${subjectToken("workspace", ws)}.agent.${subjectToken("agent", agent)}.jobs`,
  /** Durable job events from one agent. */
  events: (ws: string, agent: string) =>
    `mx.${subjectToken("workspace", ws)}.agent.${subjectToken("agent", agent)}.events`,
  /** Interactive requests to one agent (request/reply, never persisted). */
  agentRpc: (ws: string, agent: string) =>
    `mx.${subjectToken("workspace", ws)}.agent.${subjectToken("agent", agent)}.rpc`,
  /** Agent -> control requests: announce, lease. */
  controlAgents: (ws: string) => `mx.${subjectToken("workspace", ws)}.control.agents`,
  controlLeases: (ws: string) => `mx.${subjectToken("workspace", ws)}.control.leases`,
  /** Transfer frames of one job (memory storage). */
  transfer: (ws: string, job: string) => `mx.${subjectToken("workspace", ws)}.transfer.${subjectToken("job", job)}`,
  /** Wildcards the control plane's streams capture. */
  allJobs: "mx.*.agent.*.jobs",
  allEvents: "mx.*.agent.*.events",
} as const;
