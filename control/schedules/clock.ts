// The scheduler's time source. The system clock sleeps on timers; the manual clock moves only when
// a test advances it, so scheduler tests drive time without sleeping.
export interface Clock {
  now(): Date;
  /** Resolves once the clock reads `at` or later, or when `signal` aborts (never rejects). */
  sleepUntil(at: Date, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleepUntil(at, signal) {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      };
      // Timers are capped (~24.8 days); the loop re-plans after waking early anyway.
      const timer = setTimeout(done, Math.min(Math.max(0, at.getTime() - Date.now()), 2 ** 31 - 1));
      signal.addEventListener("abort", done, { once: true });
    });
  },
};

export interface ManualClock extends Clock {
  /** Moves the clock to `at` (never backwards) and wakes every sleeper that is due. */
  set(at: Date): void;
  advance(ms: number): void;
}

export function manualClock(start: Date): ManualClock {
  let current = start.getTime();
  const sleepers = new Set<{ at: number; wake: () => void }>();
  const wakeDue = () => {
    for (const s of [...sleepers]) if (s.at <= current) s.wake();
  };
  return {
    now: () => new Date(current),
    sleepUntil(at, signal) {
      return new Promise<void>((resolve) => {
        const s = {
          at: at.getTime(),
          wake: () => {
            sleepers.delete(s);
            signal.removeEventListener("abort", s.wake);
            resolve();
          },
        };
        if (signal.aborted || s.at <= current) return resolve();
        sleepers.add(s);
        signal.addEventListener("abort", s.wake, { once: true });
      });
    },
    set(at) {
      current = Math.max(current, at.getTime());
      wakeDue();
    },
    advance(ms) {
      current += Math.max(0, ms);
      wakeDue();
    },
  };
}
