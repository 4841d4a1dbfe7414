// People, grants and refusals on a real PostgreSQL control store: the same flow as on PGlite, with
// the audit chain verified at the end.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import postgres from "postgres";
import { createMemoryBus } from "../../bus/index.ts";
import { AccessService } from "../../proto/gen/migratrix/control/v1/access_pb.ts";
import { checkChain, listAudit } from "../audit/index.ts";
import { openStore, type Store } from "../store/index.ts";
import { clientsFor, type Harness, startHarness } from "../test-harness.ts";

const ADMIN = "postgres://postgres@127.0.0.1:5432/postgres";
const dbName = `mx_rbac_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

let store: Store;
let h: Harness;

beforeAll(async () => {
  const admin = postgres(ADMIN, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${dbName}`);
  await admin.end();
  store = await openStore({ url: `postgres://postgres@127.0.0.1:5432/${dbName}`, maxConnections: 4 });
  h = await startHarness({ store, bus: createMemoryBus(), passwordCost: { memoryCost: 1024, timeCost: 1 } });
});

afterAll(async () => {
  await h?.close();
  await h?.bus.close();
  await store?.close();
  const admin = postgres(ADMIN, { max: 1, onnotice: () => {} });
  await admin.unsafe(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
});

test("an editor on dev runs there but is refused on prod, audited, and the chain verifies", async () => {
  const url = (await h.control.start(0)).url;
  const adminAccess = createClient(
    AccessService,
    createConnectTransport({
      baseUrl: url,
      interceptors: [
        (next) => (req) => {
          req.header.set("authorization", `Bearer ${h.adminToken}`);
          return next(req);
        },
      ],
    }),
  );
  const { code } = await adminAccess.invite({
    email: "dev@example.com",
    grants: [
      { environment: "dev", role: "editor" },
      { environment: "prod", role: "viewer" },
    ],
  });
  const anon = clientsFor(url);
  const joined = await anon.identity.acceptInvite({ code, password: "correct horse battery" });
  const editor = clientsFor(url, joined.secret);

  const outcome = (call: Promise<unknown>) =>
    call.then(
      () => "ok",
      (err: unknown) => Code[ConnectError.from(err).code],
    );
  expect([
    await outcome(editor.migrations.runMigration({ migrationId: "none-yet", environment: "dev" })),
    await outcome(editor.migrations.runMigration({ migrationId: "none-yet", environment: "prod" })),
    await outcome(editor.migrations.listHistory({ environment: "prod" })),
  ]).toEqual(["NotFound", "PermissionDenied", "ok"]);

  const [denied] = await listAudit(store.db, h.workspaceId, { limit: 1, newest: true });
  expect({
    actor: denied?.actor,
    action: denied?.action,
    environment: denied?.environment,
    detail: denied?.detail,
  }).toEqual({
    actor: `user:${joined.userId}`,
    action: "access.denied",
    environment: "prod",
    detail: {
      action: "migration.run",
      needs: "admin on environment prod (protected)",
      has: "has viewer there",
      token: joined.token?.id,
    },
  });
  expect(await checkChain(store.db, h.workspaceId)).toEqual({
    ok: true,
    verified: denied?.seq ?? -1,
    firstBrokenSeq: null,
    reason: null,
  });
});
