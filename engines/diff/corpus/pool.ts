// Corpus cases run a few at a time (each has its own databases); a case's failure is its outcome.

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
