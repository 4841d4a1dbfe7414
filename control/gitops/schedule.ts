// Polling: a link with a poll cron is a "gitops" schedule of the shared scheduler; each firing
// syncs the branch head like a push would (any git remote, no webhook needed).
import { SCHEDULER_ACTOR, type ScheduleHandler } from "../schedules/index.ts";
import { findLinkById } from "./links.ts";
import { syncCommit } from "./sync.ts";
import type { WebhookDeps } from "./webhook.ts";

export function gitopsScheduleHandler(deps: WebhookDeps): ScheduleHandler {
  return {
    async run({ schedule, correlationId }) {
      const link = await findLinkById(deps.db, schedule.target);
      // The link is gone (its schedule goes with it; a firing may race the unlink).
      if (!link || link.workspaceId !== schedule.workspaceId) return;
      const report = await syncCommit(
        { ...deps, box: deps.gitops.box(), git: deps.gitops.git },
        { link, commit: "", actor: SCHEDULER_ACTOR, correlationId },
      );
      if (!report.applied) deps.log.warn("polled sync refused", { link: link.name, commit: report.commit });
    },
  };
}
