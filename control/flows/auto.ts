// Auto-policy stages start by themselves once their previous stage completed and their approvals
// are met. Called after the commit that opened a stage (the events consumer) or added a vote.
import type { Bus } from "../../bus/types.ts";
import { MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { getMigration } from "../domain/migrations.ts";
import { newCorrelationId } from "../ids.ts";
import type { RunView } from "../runs/queries.ts";
import type { Db } from "../store/index.ts";
import { approvalsNeeded, getFlowById } from "./definitions.ts";
import type { StageKey } from "./lifecycle.ts";
import { stageApprovalChecksum } from "./rollback-scripts.ts";
import { promote } from "./stages.ts";
import { tally } from "./votes.ts";

export const FLOW_ACTOR = "control:flow";

export interface AutoAdvanceOptions {
  agentOnlineMs: number;
  log: Logger;
  correlationId?: string;
}

/** Promotes every auto stage among `keys` whose approvals are met; returns the runs it started. */
export async function autoAdvance(db: Db, bus: Bus, keys: readonly StageKey[], opts: AutoAdvanceOptions) {
  const started: RunView[] = [];
  for (const key of keys) {
    const flow = await getFlowById(db, key.workspaceId, key.flowId);
    const stage = flow.stages.find((s) => s.position === key.position);
    if (stage?.policy !== "auto") continue;
    const migration = await getMigration(db, key.workspaceId, key.migrationId);
    const { approvals } = await tally(db, key, await stageApprovalChecksum(db, key, migration));
    if (approvals < approvalsNeeded(stage, migration.riskLevel)) continue;
    try {
      started.push(
        ...(await promote(
          db,
          bus,
          {
            workspaceId: key.workspaceId,
            flow: flow.name,
            migrationId: key.migrationId,
            stage: stage.environment.name,
            actor: FLOW_ACTOR,
            requestedBy: `flow:${flow.name}`,
            correlationId: opts.correlationId ?? newCorrelationId(),
          },
          { agentOnlineMs: opts.agentOnlineMs },
        )),
      );
    } catch (err) {
      // Another replica or a person promoted first, or pre-flight failed: the stage stays Pending
      // and says why on the next manual promote.
      const e = MigratrixError.from(err);
      opts.log.warn("auto promotion did not start", {
        migrationId: key.migrationId,
        stage: stage.environment.name,
        error: e.message,
      });
    }
  }
  return started;
}
