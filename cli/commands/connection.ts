// mx connection: database connections, whose URL is sealed here to the serving agent's key so the
// control plane only ever relays ciphertext (DESIGN.md "Credentials never pass through").
import { MigratrixError, redactSecrets } from "../../common/errors.ts";
import { seal } from "../../common/sealedbox.ts";
import {
  AddConnectionResponseSchema,
  type Agent,
  ListConnectionsResponseSchema,
} from "../../proto/gen/migratrix/control/v1/environment_pb.ts";
import type { Clients } from "../client.ts";
import { engineLabel, engineOfUrl, loadEngines } from "../engines.ts";
import { UsageError } from "../errors.ts";
import { protoJson } from "../proto-output.ts";
import { defineCommand } from "./types.ts";

/** The agent to seal to: --agent if given, else the only online agent. */
export async function pickAgent(clients: Clients, wanted: string | undefined): Promise<Agent> {
  const { agents } = await clients.connections.listAgents({});
  if (wanted !== undefined) {
    const agent = agents.find((a) => a.id === wanted);
    if (agent === undefined) {
      const known = agents.map((a) => a.id).join(", ") || "none";
      throw new MigratrixError("not_found", `agent '${wanted}' is not registered (agents: ${known})`);
    }
    return agent;
  }
  const online = agents.filter((a) => a.online);
  const [only] = online;
  if (only !== undefined && online.length === 1) return only;
  if (online.length > 1) {
    throw new UsageError(
      `${online.length} agents are online (${online.map((a) => a.id).join(", ")}): choose one with --agent ID`,
      "connection add",
    );
  }
  const offline = agents.map((a) => a.id).join(", ");
  throw new MigratrixError(
    "failed_precondition",
    offline === ""
      ? "no agent is registered to serve the connection: start one with 'bun run agent'"
      : `no agent is online to serve the connection (offline: ${offline}); start one or pass --agent ID`,
  );
}

export const connectionAdd = defineCommand({
  path: ["connection", "add"],
  summary: "add a database connection, its URL sealed to the serving agent",
  args: ["NAME"],
  options: {
    env: { type: "string", value: "ENV", description: "environment the connection belongs to (required)" },
    url: {
      type: "string",
      value: "URL",
      description: "postgres://…, mysql://…, mariadb://…, sqlite:///path (required; never shown or sent in clear)",
    },
    agent: { type: "string", value: "ID", description: "serving agent (needed when several are online)" },
    "read-only": {
      type: "boolean",
      description: "the URL is the read-only credential (a SELECT-only role) of the existing connection NAME",
    },
  },
  details: [
    "The engine comes from the URL scheme. The URL is encrypted on this machine to the agent's",
    "public key (X25519 + AES-256-GCM); only that agent can read it.",
    "With --read-only the URL becomes the read credential of connection NAME: explorer reads on a",
    "protected environment run on it (and are refused without one); the agent refuses a role that",
    "is a superuser or may write.",
  ],
  async run({ out, input, clients }) {
    const name = input.positionals[0] ?? "";
    const environment = input.required("env");
    const url = input.required("url");
    const engine = await engineOfUrl(url);
    const { engineToProto } = await loadEngines();
    const api = clients();
    const readOnly = input.flag("read-only");
    // A read credential goes to the agent already serving the connection.
    const serving = readOnly
      ? (await api.connections.listConnections({ environment })).connections.find((c) => c.name === name)?.agentId
      : undefined;
    const agent = await pickAgent(api, input.string("agent") ?? serving);
    const sealed = seal(new TextEncoder().encode(url), agent.publicKey);
    const res = await api.connections.addConnection({
      name,
      environment,
      engine: engineToProto(engine),
      agentId: agent.id,
      sealedUrl: {
        ephemeralPublicKey: sealed.ephemeralPublicKey,
        nonce: sealed.nonce,
        ciphertext: sealed.ciphertext,
      },
      readOnly,
    });
    if (out.json) {
      out.document(protoJson(AddConnectionResponseSchema, res));
      return 0;
    }
    const conn = res.connection;
    out.line(
      `${readOnly ? "added the read-only credential of connection" : "added connection"} ${out.paint("bold", `${conn?.environment ?? environment}/${conn?.name ?? name}`)}` +
        ` (${engine}) served by agent ${agent.id}`,
    );
    out.line(`  url     ${redactSecrets(url)}`);
    if (res.serverVersion !== "") out.line(`  server  ${res.serverVersion}`);
    return 0;
  },
});

export const connectionList = defineCommand({
  path: ["connection", "list"],
  summary: "list connections (names, engines, agents; never secrets)",
  args: [],
  options: { env: { type: "string", value: "ENV", description: "only this environment" } },
  async run({ out, input, clients }) {
    const res = await clients().connections.listConnections({ environment: input.string("env") ?? "" });
    if (out.json) {
      out.document(protoJson(ListConnectionsResponseSchema, res));
      return 0;
    }
    out.table(
      ["ENV", "NAME", "ENGINE", "AGENT", "ID"],
      res.connections.map((c) => [c.environment, c.name, engineLabel(c.engine), c.agentId, c.id]),
      { empty: "no connections: mx connection add NAME --env ENV --url URL" },
    );
    return 0;
  },
});
