// The agent's Prometheus metrics, on a registry of its own so an embedded agent and control plane
// in one process never collide on metric names or share state.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface AgentMetrics {
  readonly registry: Registry;
  /** Jobs handled, by kind (apply, revert, introspect, ...) and outcome. */
  readonly jobs: Counter<"kind" | "outcome">;
  readonly statements: Counter<"outcome">;
  readonly statementSeconds: Histogram;
  /** 1 while the bus connection is up and the agent is serving. */
  readonly busConnected: Gauge;
  readonly leaseRenewals: Counter<"result">;
  /** Interactive requests (introspect, store_secret, test_connection) by kind and outcome. */
  readonly rpc: Counter<"kind" | "outcome">;
}

export function createAgentMetrics(opts: { defaultMetrics?: boolean } = {}): AgentMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "migratrix_agent_" });
  const registers = [registry];
  return {
    registry,
    jobs: new Counter({
      name: "migratrix_agent_jobs_total",
      help: "Jobs handled by kind and outcome",
      labelNames: ["kind", "outcome"],
      registers,
    }),
    statements: new Counter({
      name: "migratrix_agent_statements_total",
      help: "Migration statements executed, by outcome",
      labelNames: ["outcome"],
      registers,
    }),
    statementSeconds: new Histogram({
      name: "migratrix_agent_statement_duration_seconds",
      help: "Duration of migration statements",
      buckets: [0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10, 60, 300],
      registers,
    }),
    busConnected: new Gauge({
      name: "migratrix_agent_bus_connected",
      help: "1 while the agent is connected to the bus and serving",
      registers,
    }),
    leaseRenewals: new Counter({
      name: "migratrix_agent_lease_renewals_total",
      help: "Lease renewals by result (granted, refused, error)",
      labelNames: ["result"],
      registers,
    }),
    rpc: new Counter({
      name: "migratrix_agent_rpc_total",
      help: "Interactive requests by kind and outcome",
      labelNames: ["kind", "outcome"],
      registers,
    }),
  };
}
