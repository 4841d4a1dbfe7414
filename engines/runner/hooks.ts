// Several callers add hooks to one run (the agent's fault points, rollback's backups): composed
// into one RunHooks that calls each in the order given and stops at the first that throws.
import type { RunHooks } from "./options.ts";

export function composeHooks(...list: Array<RunHooks | undefined>): RunHooks {
  const hooks = list.filter((h): h is RunHooks => h !== undefined);
  return {
    async beforeRun(ctx) {
      for (const h of hooks) await h.beforeRun?.(ctx);
    },
    async beforeStatement(s) {
      for (const h of hooks) await h.beforeStatement?.(s);
    },
    async afterStatement(s, r) {
      for (const h of hooks) await h.afterStatement?.(s, r);
    },
    async beforeHistoryWrite(s) {
      for (const h of hooks) await h.beforeHistoryWrite?.(s);
    },
    async afterRun(r) {
      for (const h of hooks) await h.afterRun?.(r);
    },
  };
}
