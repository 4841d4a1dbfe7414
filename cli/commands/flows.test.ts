// mx commands end to end over HTTP against hand-written service implementations: token header,
// tables and --json, the sealing of connection URLs, migration upload, an unreachable server.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { generateKeyPair, open } from "../../common/sealedbox.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";
import {
  type AddConnectionRequest,
  ConnectionService,
  EnvironmentService,
} from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import { IdentityService } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { type CreateMigrationRequest, MigrationService } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { runCli } from "../main.ts";
import { captureIo, startFakeControl } from "../testing.ts";

const dir = mkdtempSync(join(tmpdir(), "mx-flows-"));
const servers: { stop(): Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function mx(
  server: string,
  argv: string[],
  io = captureIo({ env: { MIGRATRIX_TOKEN: "tok-1", NO_COLOR: "1" }, cwd: dir }),
) {
  const code = await runCli([...argv, "--server", server], io);
  return { code, out: io.out(), err: io.err() };
}

describe("identity and output", () => {
  const agentKey = generateKeyPair();
  const control = startFakeControl((r) => {
    r.service(EnvironmentService, {
      listEnvironments: () => ({
        environments: [
          {
            id: "e3",
            name: "prod",
            position: 3,
            requiredApprovals: 2,
            protected: true,
            createdAt: timestampFromMs(Date.UTC(2026, 0, 1)),
          },
          { id: "e1", name: "dev", position: 1, createdAt: timestampFromMs(Date.UTC(2026, 0, 1)) },
        ],
      }),
    });
    r.service(ConnectionService, {
      listAgents: () => ({
        agents: [{ id: "agent-1", version: "0.1.0", publicKey: agentKey.publicKey, online: true }],
      }),
    });
    r.service(IdentityService, {});
  });
  servers.push(control);

  test("every call carries the bearer token; tables are sorted and aligned", async () => {
    expect(await mx(control.url, ["env", "list"])).toEqual({
      code: 0,
      err: "",
      out:
        "POSITION  NAME  APPROVALS  PROTECTED  CREATED\n" +
        "1         dev   0          no         2026-01-01 00:00:00Z\n" +
        "3         prod  2          yes        2026-01-01 00:00:00Z\n",
    });
    expect(control.authorizations.at(-1)).toBe("Bearer tok-1");
  });

  test("--json is one proto-JSON document with every field", async () => {
    const { code, out } = await mx(control.url, ["agent", "list", "--json"]);
    expect({ code, doc: JSON.parse(out) }).toEqual({
      code: 0,
      doc: {
        agents: [
          {
            id: "agent-1",
            version: "0.1.0",
            publicKey: Buffer.from(agentKey.publicKey).toString("base64"),
            online: true,
          },
        ],
      },
    });
  });

  test("an unimplemented call is one line with its code", async () => {
    expect(await mx(control.url, ["whoami"])).toEqual({
      code: 1,
      out: "",
      err: "error: migratrix.control.v1.IdentityService.WhoAmI is not implemented (unimplemented)\n",
    });
  });
});

describe("connection add", () => {
  const agentKey = generateKeyPair();
  const received: AddConnectionRequest[] = [];
  let agents = [{ id: "agent-1", version: "0.1.0", publicKey: agentKey.publicKey, online: true }];
  const control = startFakeControl((r) => {
    r.service(ConnectionService, {
      listAgents: () => ({ agents }),
      addConnection: (req) => {
        received.push(req);
        return {
          connection: {
            id: "c1",
            name: req.name,
            environment: req.environment,
            engine: req.engine,
            agentId: req.agentId,
          },
          serverVersion: "PostgreSQL 15.8",
        };
      },
    });
  });
  servers.push(control);
  const url = "postgres://app:hunter2@127.0.0.1:5432/app?sslmode=disable";

  test("seals the URL to the agent's key and prints it redacted", async () => {
    const result = await mx(control.url, ["connection", "add", "main", "--env", "dev", "--url", url]);
    expect(result).toEqual({
      code: 0,
      err: "",
      out:
        "added connection dev/main (postgresql) served by agent agent-1\n" +
        "  url     postgres://app:***@127.0.0.1:5432/app?sslmode=disable\n" +
        "  server  PostgreSQL 15.8\n",
    });
    const [req] = received;
    if (req?.sealedUrl === undefined) throw new Error("no sealed URL received");
    expect({
      name: req.name,
      environment: req.environment,
      engine: req.engine,
      agentId: req.agentId,
      opened: new TextDecoder().decode(open(req.sealedUrl, agentKey.privateKey)),
      inTheClear: Buffer.from(req.sealedUrl.ciphertext).includes("hunter2"),
    }).toEqual({
      name: "main",
      environment: "dev",
      engine: Engine.POSTGRESQL,
      agentId: "agent-1",
      opened: url,
      inTheClear: false,
    });
  });

  test("several online agents need --agent; an offline-only workspace is an error", async () => {
    const other = generateKeyPair();
    agents = [...agents, { id: "agent-2", version: "0.1.0", publicKey: other.publicKey, online: true }];
    expect(await mx(control.url, ["connection", "add", "main", "--env", "qa", "--url", url])).toEqual({
      code: 2,
      out: "",
      err: "error: 2 agents are online (agent-1, agent-2): choose one with --agent ID\nrun 'mx connection add --help' for usage\n",
    });
    const chosen = await mx(control.url, [
      "connection",
      "add",
      "main",
      "--env",
      "qa",
      "--url",
      url,
      "--agent",
      "agent-2",
    ]);
    const sealed = received.at(-1)?.sealedUrl;
    if (sealed === undefined) throw new Error("no sealed URL received");
    expect({ code: chosen.code, opened: new TextDecoder().decode(open(sealed, other.privateKey)) }).toEqual({
      code: 0,
      opened: url,
    });
    agents = agents.map((a) => ({ ...a, online: false }));
    expect(await mx(control.url, ["connection", "add", "main", "--env", "qa", "--url", url])).toEqual({
      code: 1,
      out: "",
      err: "error: no agent is online to serve the connection (offline: agent-1, agent-2); start one or pass --agent ID (failed_precondition)\n",
    });
  });
});

describe("migration create", () => {
  const received: CreateMigrationRequest[] = [];
  let connections = [{ id: "c1", name: "main", environment: "dev", engine: Engine.SQLITE, agentId: "a" }];
  const control = startFakeControl((r) => {
    r.service(ConnectionService, { listConnections: () => ({ connections }) });
    r.service(MigrationService, {
      createMigration: (req) => {
        received.push(req);
        return {
          migration: {
            id: req.fileName.replace(/\.sql$/, ""),
            statements: 2,
            checksum: "sha256:abc",
            riskLevel: "unknown",
            riskReportJson: JSON.stringify({ level: "unknown", reason: "no rules for sqlite" }),
          },
        };
      },
    });
  });
  servers.push(control);
  const file = join(dir, "20260101090000_create_customers.sql");
  writeFileSync(file, "-- UP\nCREATE TABLE customers (id int);\nCREATE INDEX c_id ON customers (id);\n");

  test("reads the file, takes the engine from the first connection, prints id, statements, checksum", async () => {
    expect(await mx(control.url, ["migration", "create", "20260101090000_create_customers.sql"])).toEqual({
      code: 0,
      err: "",
      out:
        "created migration 20260101090000_create_customers\n" +
        "  statements  2 (sqlite)\n" +
        "  checksum    sha256:abc\n" +
        "  risk        unknown (no rules for sqlite)\n" +
        "next: mx migration run 20260101090000_create_customers --env ENV\n",
    });
    expect(received.map((r) => ({ fileName: r.fileName, content: r.content, engine: r.engine }))).toEqual([
      {
        fileName: "20260101090000_create_customers.sql",
        content: "-- UP\nCREATE TABLE customers (id int);\nCREATE INDEX c_id ON customers (id);\n",
        engine: Engine.SQLITE,
      },
    ]);
  });

  test("without connections --engine is required; a missing file is named", async () => {
    connections = [];
    expect(await mx(control.url, ["migration", "create", file])).toEqual({
      code: 2,
      out: "",
      err: "error: --engine is required: the workspace has no connections to take the engine from\nrun 'mx migration create --help' for usage\n",
    });
    expect(await mx(control.url, ["migration", "create", "nope.sql", "--engine", "pg"])).toEqual({
      code: 1,
      out: "",
      err: `error: cannot read migration file ${join(dir, "nope.sql")}: no such file (invalid_argument)\n`,
    });
  });
});

describe("server unreachable", () => {
  test("one line naming the URL", async () => {
    const control = startFakeControl(() => {});
    await control.stop();
    expect(await mx(control.url, ["env", "list"])).toEqual({
      code: 1,
      out: "",
      err: `error: cannot reach the Migratrix server at ${control.url}: is it running? (bun start)\n`,
    });
  });
});
