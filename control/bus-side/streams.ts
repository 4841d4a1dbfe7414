// Subject parsing for the control plane's bus side; stream names live in bus/streams.ts.

/** "mx.<ws>.agent.<agent>.events" or "mx.<ws>.control.leases" → its workspace (and agent). */
export function parseSubject(subject: string): { workspaceId: string; agentId?: string } | null {
  const parts = subject.split(".");
  if (parts[0] !== "mx" || !parts[1]) return null;
  if (parts[2] === "agent" && parts[3]) return { workspaceId: parts[1], agentId: parts[3] };
  if (parts[2] === "control") return { workspaceId: parts[1] };
  return null;
}
