// Small synchronisation helpers for the bus contract suite: tests wait on events, not on time.

import { MigratrixError } from "../common/errors.ts";

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Counts events and lets a test await the n-th one. */
export function counter(): { readonly count: number; hit(): void; reached(n: number): Promise<void> } {
  let count = 0;
  const waiting: { n: number; done: () => void }[] = [];
  return {
    get count() {
      return count;
    },
    hit() {
      count++;
      for (const w of waiting.filter((w) => w.n <= count)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.done();
      }
    },
    reached(n: number) {
      if (count >= n) return Promise.resolve();
      return new Promise<void>((done) => waiting.push({ n, done }));
    },
  };
}

/**
 * Polls a condition that has no event to wait on (e.g. ReplyStream.cancelled), with a short
 * interval and a deadline.
 */
export async function until(cond: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs a unit of simulated work that takes `ms` (the scenario, not a synchronisation). */
export function work(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The error a promise rejects with, as {code, message}, for whole-object assertions. */
export async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    const e = MigratrixError.from(err);
    return { code: e.code, message: e.message };
  }
  throw new Error("expected a rejection, got a result");
}

const enc = new TextEncoder();
const dec = new TextDecoder();
export const bytes = (s: string): Uint8Array => enc.encode(s);
export const text = (b: Uint8Array): string => dec.decode(b);
