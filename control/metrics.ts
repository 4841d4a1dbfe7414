// Prometheus metrics of one control-plane instance, in its own registry (several apps can live in
// one process, as in tests).
import { count } from "drizzle-orm";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { type Db, tables } from "./store/index.ts";

export interface ControlMetrics {
  registry: Registry;
  rpcRequests: Counter<"method" | "code">;
  rpcSeconds: Histogram<"method">;
  authDenied: Counter<"reason">;
  busRequests: Counter<"subject" | "code">;
  leases: Counter<"result">;
  events: Counter<"outcome">;
  reaped: Counter<string>;
}

export function createControlMetrics(db: Db): ControlMetrics {
  const registry = new Registry();
  const reg = { registers: [registry] };
  new Gauge({
    name: "migratrix_runs",
    help: "Runs by state, across workspaces",
    labelNames: ["state"],
    ...reg,
    async collect() {
      const rows = await db
        .select({ state: tables.runs.state, n: count() })
        .from(tables.runs)
        .groupBy(tables.runs.state);
      const counts = new Map<string, number>(rows.map((r) => [r.state, r.n]));
      for (const state of tables.RUN_STATES) this.set({ state }, counts.get(state) ?? 0);
    },
  });
  return {
    registry,
    rpcRequests: new Counter({
      name: "migratrix_rpc_requests_total",
      help: "Connect RPCs by method and result code",
      labelNames: ["method", "code"],
      ...reg,
    }),
    rpcSeconds: new Histogram({
      name: "migratrix_rpc_duration_seconds",
      help: "Connect RPC latency (until the response or the first stream message)",
      labelNames: ["method"],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ...reg,
    }),
    authDenied: new Counter({
      name: "migratrix_auth_denied_total",
      help: "Requests refused as unauthenticated, by reason",
      labelNames: ["reason"],
      ...reg,
    }),
    busRequests: new Counter({
      name: "migratrix_bus_requests_total",
      help: "Agent requests served on the bus (announce, lease) by result code",
      labelNames: ["subject", "code"],
      ...reg,
    }),
    leases: new Counter({
      name: "migratrix_leases_total",
      help: "Lease decisions: acquired, renewed, refused",
      labelNames: ["result"],
      ...reg,
    }),
    events: new Counter({
      name: "migratrix_job_events_total",
      help: "Job events consumed, by outcome (stored, duplicate, stale, unknown_run, unreadable, error)",
      labelNames: ["outcome"],
      ...reg,
    }),
    reaped: new Counter({ name: "migratrix_runs_reaped_total", help: "Runs failed by the lease reaper", ...reg }),
  };
}
