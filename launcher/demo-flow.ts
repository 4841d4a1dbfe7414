// The flow part of `bun run demo`: a release flow dev → qa → prod where prod needs 2 approvals,
// approvals by two invited approvers, promotion stage by stage, and a rollback on prod.
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { runCli } from "../cli/index.ts";
import { MigratrixError } from "../common/errors.ts";
import { AccessService } from "../proto/gen/migratrix/control/v1/access_pb.ts";
import { IdentityService } from "../proto/gen/migratrix/control/v1/identity_pb.ts";

export interface DemoFlowContext {
  url: string;
  adminToken: string;
  /** The checkout, the cwd mx runs in. */
  root: string;
  mxCli(args: string[], expectCode?: number): Promise<void>;
  step(title: string): void;
}

/** Runs mx as another member: the token goes in MIGRATRIX_TOKEN, never on a printed line. */
async function mxAs(ctx: DemoFlowContext, who: { email: string; token: string }, args: string[]): Promise<void> {
  process.stdout.write(`$ mx ${args.join(" ")}   # as ${who.email}\n`);
  const env = { ...process.env, MIGRATRIX_SERVER: ctx.url, MIGRATRIX_TOKEN: who.token };
  const code = await runCli(args, { stdout: process.stdout, stderr: process.stderr, env, cwd: ctx.root });
  if (code !== 0)
    throw new MigratrixError("internal", `mx ${args.join(" ")} as ${who.email} exited ${code}, expected 0`);
  process.stdout.write("\n");
}

const FILE = "examples/flows/20260103090000_add_loyalty.sql";
const ID = "20260103090000_add_loyalty";

/** Invites an approver on prod and accepts the invite: returns the new member's token. */
async function inviteApprover(url: string, adminToken: string, email: string): Promise<string> {
  const admin = createConnectTransport({
    baseUrl: url,
    interceptors: [
      (next) => (req) => {
        req.header.set("authorization", `Bearer ${adminToken}`);
        return next(req);
      },
    ],
  });
  const { code } = await createClient(AccessService, admin).invite({
    email,
    grants: [
      { environment: "qa", role: "approver" },
      { environment: "prod", role: "approver" },
    ],
  });
  const accepted = await createClient(IdentityService, createConnectTransport({ baseUrl: url })).acceptInvite({
    code,
    password: "demo-password-1",
    name: email.split("@")[0] ?? email,
  });
  return accepted.secret;
}

export async function flowTour(ctx: DemoFlowContext): Promise<void> {
  const { mxCli, step } = ctx;
  step(
    "A release flow: dev → qa → prod, where prod asks for 2 approvals (the stage may tighten the environment's policy).",
  );
  await mxCli(["flow", "create", "release", "dev", "qa", "prod:2"]);

  step("Two approvers join the workspace (invited, with the approver role on qa and prod).");
  const ana = { email: "ana@example.com", token: await inviteApprover(ctx.url, ctx.adminToken, "ana@example.com") };
  const bo = { email: "bo@example.com", token: await inviteApprover(ctx.url, ctx.adminToken, "bo@example.com") };

  step("A new change travels the flow: dev, then qa, promoted stage by stage.");
  await mxCli(["migration", "create", FILE]);
  await mxCli(["migration", "promote", ID, "--stage", "dev"]);
  await mxCli(["migration", "promote", ID, "--stage", "qa"]);

  step("prod is blocked until 2 people approve; the author cannot approve their own change.");
  await mxCli(["migration", "promote", ID, "--stage", "prod"], 1);
  await mxCli(["migration", "approve", ID, "--stage", "prod"], 1);
  await mxAs(ctx, ana, ["migration", "approve", ID, "--stage", "prod", "--comment", "schema looks right"]);
  await mxAs(ctx, bo, ["migration", "approve", ID, "--stage", "prod", "--comment", "ship it"]);
  await mxCli(["migration", "promote", ID, "--stage", "prod"]);

  step("Roll it back on prod: the down script runs with the same live log, and prod is Pending again.");
  await mxCli(["migration", "rollback", ID, "--stage", "prod"]);
  await mxCli(["flow", "show", "release", "--migration", ID]);
}
