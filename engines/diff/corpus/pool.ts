// Corpus cases run a few at a time (each has its own databases); a case's failure is its outcome.
// And the sync round trip they all check on the target.
import type { SchemaSnapshot } from "../../schema/snapshot.ts";
import { diffSchemas } from "../compare.ts";
import type { SchemaDiff } from "../model.ts";

/** Runs every case through `run`, `width` at a time, and returns each case's result or error by name. */
export async function runPooled<C extends { name: string }, R>(
  cases: readonly C[],
  width: number,
  run: (c: C, index: number) => Promise<R>,
): Promise<Map<string, R | Error>> {
  const out = new Map<string, R | Error>();
  const queue = [...cases.entries()];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [i, c] = next;
        out.set(c.name, await run(c, i).catch((e: unknown) => e as Error));
      }
    }),
  );
  return out;
}

/** What the sync round trip on B found: each diff is empty when the scripts did their job. */
export interface RoundTrip {
  /** B after the up script. */
  afterUp: SchemaSnapshot;
  /** From A to B after the up script. */
  remaining: SchemaDiff;
  /** What a second run of the up script changed (column order not filtered). */
  second: SchemaDiff;
  /** From B as it was to B after the down script. */
  afterDown: SchemaDiff;
}

/**
 * The round trip every corpus checks on the target B: the up script leaves no difference to A, a
 * second run changes nothing, the down script brings B back. `afterUp` runs right after the first
 * up script (checks of the synced state), `beforeDown` right before the down script.
 */
export async function syncRoundTrip(o: {
  A: SchemaSnapshot;
  B: SchemaSnapshot;
  plan: { sql: string; down: string };
  run: (sql: string) => Promise<void>;
  read: () => Promise<SchemaSnapshot>;
  afterUp?: (afterUp: SchemaSnapshot) => Promise<void>;
  beforeDown?: () => Promise<void>;
}): Promise<RoundTrip> {
  await o.run(o.plan.sql);
  const afterUp = await o.read();
  const remaining = diffSchemas(o.A, afterUp);
  await o.afterUp?.(afterUp);
  await o.run(o.plan.sql);
  const second = diffSchemas(afterUp, await o.read(), { noFilter: ["column-order"] });
  await o.beforeDown?.();
  await o.run(o.plan.down);
  return { afterUp, remaining, second, afterDown: diffSchemas(o.B, await o.read()) };
}
