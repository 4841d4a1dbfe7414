import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../common/errors.ts";
import { loadConfig } from "./config.ts";

const base = {
  NATS_URL: "nats://127.0.0.1:4222",
  MIGRATRIX_TOKEN: "mxt_abc",
  MIGRATRIX_WORKSPACE: "ws-1",
  MIGRATRIX_VAULT_KEY: "pass",
};

function problem(env: Record<string, string | undefined>, flags = {}): unknown {
  try {
    loadConfig(env, flags);
  } catch (err) {
    return err instanceof MigratrixError ? { code: err.code, message: err.message } : err;
  }
  return "no error";
}

describe("agent configuration", () => {
  test("defaults", () => {
    expect(loadConfig(base)).toEqual({
      natsUrl: "nats://127.0.0.1:4222",
      token: "mxt_abc",
      workspaceId: "ws-1",
      agentId: undefined,
      dir: ".migratrix",
      vaultPath: ".migratrix/agent/vault.json",
      vaultKey: "pass",
      vaultIterations: 600_000,
      port: 4002,
      host: "0.0.0.0",
      streamPrefix: "MX",
      heartbeatMs: 30_000,
      ackWaitMs: 30_000,
      leaseRetryMs: 5_000,
      requestTimeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      logLevel: "info",
      fault: undefined,
    });
  });

  test("overrides, down to milliseconds, and the fault hook", () => {
    const c = loadConfig(
      {
        ...base,
        MIGRATRIX_DIR: "/var/lib/mx",
        MIGRATRIX_AGENT_ID: "edge-1",
        MIGRATRIX_AGENT_PORT: "0",
        MIGRATRIX_STREAM_PREFIX: "T1",
        MIGRATRIX_HEARTBEAT_MS: "5",
        MIGRATRIX_ACK_WAIT_MS: "50",
        MIGRATRIX_LEASE_RETRY_MS: "0",
        MIGRATRIX_FAULT: "after-statement:2",
        MIGRATRIX_LOG_LEVEL: "debug",
      },
      { vaultIterations: "250000" },
    );
    expect({
      vaultPath: c.vaultPath,
      agentId: c.agentId,
      port: c.port,
      streamPrefix: c.streamPrefix,
      heartbeatMs: c.heartbeatMs,
      ackWaitMs: c.ackWaitMs,
      leaseRetryMs: c.leaseRetryMs,
      vaultIterations: c.vaultIterations,
      fault: c.fault,
      logLevel: c.logLevel,
    }).toEqual({
      vaultPath: "/var/lib/mx/agent/vault.json",
      agentId: "edge-1",
      port: 0,
      streamPrefix: "T1",
      heartbeatMs: 5,
      ackWaitMs: 50,
      leaseRetryMs: 0,
      vaultIterations: 250_000,
      fault: { point: "after-statement", statement: 2 },
      logLevel: "debug",
    });
  });

  test("every problem is reported at once, by name", () => {
    expect(
      problem({
        NATS_URL: "http://x",
        MIGRATRIX_WORKSPACE: "a.b",
        MIGRATRIX_AGENT_PORT: "70000",
        MIGRATRIX_HEARTBEAT_MS: "soon",
        MIGRATRIX_FAULT: "during:3",
      }),
    ).toEqual({
      code: "invalid_argument",
      message:
        "agent configuration: NATS_URL must start with nats://, tls://, ws:// or wss://; " +
        'MIGRATRIX_WORKSPACE: workspace "a.b" cannot be used in a bus subject: use 1-64 of A-Z a-z 0-9 _ -; ' +
        'MIGRATRIX_FAULT="during:3" is not understood: use before-statement:N, after-statement:N or before-history:N; ' +
        "MIGRATRIX_TOKEN is not set; MIGRATRIX_VAULT_KEY is not set; " +
        'MIGRATRIX_HEARTBEAT_MS="soon" must be a whole number of at least 1; ' +
        "MIGRATRIX_AGENT_PORT=70000 is not a port",
    });
  });

  test("a missing NATS_URL is named", () => {
    expect(problem({ ...base, NATS_URL: undefined })).toEqual({
      code: "invalid_argument",
      message: "agent configuration: NATS_URL is not set",
    });
  });
});
