// mx login / logout / join / workspace: people sign in with email + password (or redeem an invite)
// and the token is kept per server in the credentials file (cli/credentials.ts).
import { LoginResponseSchema, WorkspaceKind } from "../../proto/gen/migratrix/control/v1/identity_pb.ts";
import { parseDuration } from "../args.ts";
import { createClients, createTransport } from "../client.ts";
import { removeCredential, saveCredential } from "../credentials.ts";
import { UsageError } from "../errors.ts";
import { formatTime, protoJson } from "../proto-output.ts";
import { resolveServer } from "../server.ts";
import { type CliIo, defineCommand } from "./types.ts";

/** MIGRATRIX_PASSWORD, else the first line of stdin (`echo "$PW" | mx login …`). */
async function readPassword(io: CliIo): Promise<string> {
  const fromEnv = io.env.MIGRATRIX_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (process.stdin.isTTY) io.stderr.write("password: ");
  for await (const line of console) return line;
  throw new UsageError("no password: set MIGRATRIX_PASSWORD or pipe it on stdin");
}

/** Public RPCs (login, invite redemption) need no token. */
function anonymous(io: CliIo, serverFlag: string | undefined) {
  const server = resolveServer(serverFlag, io.env);
  return { server, clients: createClients(createTransport({ server, token: "" })) };
}

export const login = defineCommand({
  path: ["login"],
  summary: "sign in with email and password; later commands use the token",
  args: ["EMAIL"],
  options: {
    workspace: { type: "string", value: "NAME", description: "workspace to sign in to (default: your only one)" },
    ttl: { type: "string", value: "DURATION", description: "token lifetime: 30d (default), 12h, …" },
  },
  details: [
    "The password comes from MIGRATRIX_PASSWORD or the first line of stdin.",
    "The token is kept in ~/.migratrix/credentials.json ($MIGRATRIX_HOME overrides the folder),",
    "per server, readable by you only; --token and MIGRATRIX_TOKEN still win over it.",
  ],
  async run({ io, out, input }) {
    const { server, clients } = anonymous(io, input.global.server);
    const email = input.positionals[0] ?? "";
    const res = await clients.identity.login({
      email,
      password: await readPassword(io),
      workspace: input.string("workspace") ?? "",
      ttlSeconds: parseDuration(input.string("ttl") ?? "30d", "--ttl"),
    });
    const path = saveCredential(io.env, server, { token: res.secret, email, workspace: res.workspaceName });
    if (out.json) {
      out.document({ ...(protoJson(LoginResponseSchema, res) as object), secret: undefined, credentials: path });
      return 0;
    }
    out.line(`signed in as ${out.paint("bold", email)} to workspace ${out.paint("bold", res.workspaceName)}`);
    out.note(`token saved in ${path} (expires ${formatTime(res.token?.expiresAt)})`);
    return 0;
  },
});

export const logout = defineCommand({
  path: ["logout"],
  summary: "revoke the login token and forget it",
  args: [],
  options: {},
  async run({ io, out, input, clients }) {
    const server = resolveServer(input.global.server, io.env);
    const me = await clients().identity.whoAmI({});
    await clients().identity.revokeToken({ tokenId: me.tokenId });
    const removed = removeCredential(io.env, server);
    if (out.json) out.document({ revoked: me.tokenId, forgotten: removed });
    else out.line(`signed out ${me.email} (token ${me.tokenId} revoked)`);
    return 0;
  },
});

export const join = defineCommand({
  path: ["join"],
  summary: "redeem an invite code: creates your account (or adds it) and signs you in",
  args: ["CODE"],
  options: { name: { type: "string", value: "NAME", description: "your display name (new accounts)" } },
  details: ["The password (new account: at least 10 characters) comes from MIGRATRIX_PASSWORD or stdin."],
  async run({ io, out, input }) {
    const { server, clients } = anonymous(io, input.global.server);
    const res = await clients.identity.acceptInvite({
      code: input.positionals[0] ?? "",
      password: await readPassword(io),
      name: input.string("name") ?? "",
    });
    const me = await createClients(createTransport({ server, token: res.secret })).identity.whoAmI({});
    const path = saveCredential(io.env, server, { token: res.secret, email: me.email, workspace: res.workspaceName });
    if (out.json) {
      out.document({ userId: res.userId, email: me.email, workspace: res.workspaceName, credentials: path });
      return 0;
    }
    out.line(`joined workspace ${out.paint("bold", res.workspaceName)} as ${me.email}`);
    for (const g of me.grants) out.line(`  ${g.role} on ${g.environment}`);
    out.note(`token saved in ${path}`);
    return 0;
  },
});

export const workspaceList = defineCommand({
  path: ["workspace", "list"],
  summary: "the workspaces you belong to",
  args: [],
  options: {},
  async run({ out, clients }) {
    const res = await clients().identity.listWorkspaces({});
    if (out.json) {
      out.document(res.workspaces.map((w) => ({ id: w.id, name: w.name, kind: WorkspaceKind[w.kind], role: w.role })));
      return 0;
    }
    out.table(
      ["NAME", "KIND", "ROLE", "ID"],
      res.workspaces.map((w) => [
        w.name,
        w.kind === WorkspaceKind.PERSONAL ? "personal" : "organisation",
        w.role,
        w.id,
      ]),
      { empty: "no workspaces" },
    );
    return 0;
  },
});

export const workspaceCreate = defineCommand({
  path: ["workspace", "create"],
  summary: "create an organisation workspace with you as its admin",
  args: ["NAME"],
  options: {},
  async run({ out, input, clients }) {
    const res = await clients().identity.createWorkspace({ name: input.positionals[0] ?? "" });
    if (out.json) out.document({ id: res.workspace?.id, name: res.workspace?.name });
    else out.line(`created workspace ${res.workspace?.name} (${res.workspace?.id}); mx login --workspace to use it`);
    return 0;
  },
});
