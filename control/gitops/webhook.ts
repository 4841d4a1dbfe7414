// POST /webhooks/github/<link id> and /webhooks/gitlab/<link id>: verify the delivery against the
// link's secret (bad or missing → 401, audited), skip redeliveries and other branches, then sync
// the pushed commit. GitHub: push events (X-Hub-Signature-256, X-GitHub-Delivery). GitLab: push
// and merged merge-request events (X-Gitlab-Token, Idempotency-Key / X-Gitlab-Event-UUID).
import { MigratrixError } from "../../common/errors.ts";
import { appendAudit } from "../audit/index.ts";
import { newCorrelationId } from "../ids.ts";
import type { Db } from "../store/index.ts";
import { findLinkById, type LinkRow, recordEvent, secretContext } from "./links.ts";
import type { GitOpsRuntime } from "./runtime.ts";
import { verifyGitHubSignature, verifyGitLabToken } from "./signature.ts";
import { isDuplicateDelivery, type SyncDeps, type SyncReport, syncCommit } from "./sync.ts";

export interface WebhookDeps extends Omit<SyncDeps, "box" | "git"> {
  gitops: GitOpsRuntime;
}

const json = (status: number, body: Record<string, unknown>) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const ZERO_SHA = /^0+$/;
/** GitHub caps webhook payloads at 25 MB; anything bigger is not a provider's delivery. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

interface Push {
  deliveryId: string;
  ref: string;
  commit: string;
  event: string;
}

/** The push a GitHub delivery describes, or why it is not one to sync. */
function githubPush(req: Request, payload: Record<string, unknown>): Push | string {
  const event = req.headers.get("x-github-event") ?? "";
  const deliveryId = req.headers.get("x-github-delivery") ?? "";
  if (event === "ping") return "ping";
  if (event !== "push") return `event ${event || "(none)"} is not synced`;
  return { deliveryId, ref: String(payload.ref ?? ""), commit: String(payload.after ?? ""), event };
}

function gitlabPush(req: Request, payload: Record<string, unknown>): Push | string {
  const event = req.headers.get("x-gitlab-event") ?? "";
  const deliveryId = req.headers.get("idempotency-key") ?? req.headers.get("x-gitlab-event-uuid") ?? "";
  if (event === "Push Hook") {
    return {
      deliveryId,
      ref: String(payload.ref ?? ""),
      commit: String(payload.checkout_sha ?? payload.after ?? ""),
      event,
    };
  }
  if (event === "Merge Request Hook") {
    const attrs = (payload.object_attributes ?? {}) as Record<string, unknown>;
    if (attrs.action !== "merge") return `merge request action ${String(attrs.action)} is not synced`;
    // A merge lands on the target branch: sync its head.
    return {
      deliveryId,
      ref: `refs/heads/${String(attrs.target_branch ?? "")}`,
      commit: String(attrs.merge_commit_sha ?? ""),
      event,
    };
  }
  return `event ${event || "(none)"} is not synced`;
}

export async function handleWebhook(
  deps: WebhookDeps,
  params: { provider: string; linkId: string },
  req: Request,
): Promise<Response> {
  const correlationId = newCorrelationId();
  const link = await findLinkById(deps.db, params.linkId);
  if (!link || link.provider !== params.provider) return json(404, { error: "no such repository link" });
  let box: ReturnType<GitOpsRuntime["box"]>;
  try {
    box = deps.gitops.box();
  } catch (err) {
    return json(503, { error: MigratrixError.from(err).message });
  }
  if (Number(req.headers.get("content-length") ?? 0) > MAX_WEBHOOK_BYTES)
    return json(413, { error: "payload too large" });
  const body = new Uint8Array(await req.arrayBuffer());
  if (body.length > MAX_WEBHOOK_BYTES) return json(413, { error: "payload too large" });
  const secret = link.webhookSecretEnc
    ? box.open(link.webhookSecretEnc, secretContext(link.workspaceId, link.name, "webhook"))
    : null;
  const check =
    secret === null
      ? ({ ok: false, reason: "missing" } as const)
      : link.provider === "github"
        ? verifyGitHubSignature(secret, body, req.headers.get("x-hub-signature-256"))
        : verifyGitLabToken(secret, req.headers.get("x-gitlab-token"));
  const actor = `webhook:${link.provider}`;
  if (!check.ok) {
    const delivery = req.headers.get("x-github-delivery") ?? req.headers.get("x-gitlab-event-uuid") ?? "";
    await rejected(deps.db, link, { actor, correlationId, reason: `signature ${check.reason}`, delivery });
    deps.log.warn("webhook refused", { link: link.name, reason: check.reason });
    return json(401, { error: `signature ${check.reason}` });
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(new TextDecoder().decode(body)) as Record<string, unknown>;
  } catch {
    return json(400, { error: "the body is not JSON" });
  }
  const push = link.provider === "github" ? githubPush(req, payload) : gitlabPush(req, payload);
  if (push === "ping") return json(200, { ok: true, ping: true });
  if (typeof push === "string") return json(202, { ignored: push });
  if (push.deliveryId === "") return json(400, { error: "the delivery has no id header" });
  if (push.ref !== `refs/heads/${link.branch}`) return json(202, { ignored: `${push.ref} is not ${link.branch}` });
  if (ZERO_SHA.test(push.commit)) return json(202, { ignored: "branch deleted" });
  if (await isDuplicateDelivery(deps.db, link.id, push.deliveryId)) return duplicate(deps.db, link, push, actor);
  let report: SyncReport;
  try {
    report = await syncCommit(
      { ...deps, box, git: deps.gitops.git },
      { link, commit: push.commit, deliveryId: push.deliveryId, actor, correlationId },
    );
  } catch (err) {
    const e = MigratrixError.from(err);
    deps.log.warn("webhook sync failed", { link: link.name, error: e.message, correlationId });
    // Not recorded as delivered: a redelivery tries again.
    return json(e.code === "unavailable" ? 502 : 500, { error: e.message, correlationId });
  }
  if (report.duplicate) return duplicate(deps.db, link, push, actor);
  return json(report.applied ? 200 : 422, { ...report });
}

/** A redelivery does nothing but appear in the changes log (no audit record: nothing changed). */
async function duplicate(db: Db, link: LinkRow, push: Push, actor: string): Promise<Response> {
  await recordEvent(db, {
    workspaceId: link.workspaceId,
    linkName: link.name,
    kind: "webhook.duplicate",
    commit: push.commit,
    summary: `delivery ${push.deliveryId} seen before: skipped`,
    actor,
  });
  return json(200, { duplicate: true, delivery: push.deliveryId });
}

async function rejected(
  db: Db,
  link: LinkRow,
  r: { actor: string; correlationId: string; reason: string; delivery: string },
): Promise<void> {
  await db.transaction(async (tx) => {
    await appendAudit(tx, {
      workspaceId: link.workspaceId,
      actor: r.actor,
      action: "gitops.webhook.rejected",
      target: `gitops:${link.name}`,
      correlationId: r.correlationId,
      detail: { reason: r.reason, delivery: r.delivery },
    });
    await recordEvent(tx, {
      workspaceId: link.workspaceId,
      linkName: link.name,
      kind: "webhook.rejected",
      summary: `webhook refused: ${r.reason}${r.delivery ? ` (delivery ${r.delivery})` : ""}`,
      actor: r.actor,
    });
  });
}
