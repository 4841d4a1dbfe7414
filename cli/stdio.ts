// stdout of a real `mx` run: a Bun file sink instead of process.stdout, whose first use loads Node's
// stream machinery (about 20 ms of a cold `mx risk`, for what is often one write). Every write is
// flushed at once, so a progress line shows while a command waits; a reader that went away (`mx … |
// head`) ends the output quietly, as a closed pipe does for other command-line tools.
import type { Writer } from "./output.ts";

export interface StdoutWriter extends Writer {
  /** Settles once everything written so far has reached the file descriptor. */
  drain(): Promise<void>;
}

export function stdoutWriter(): StdoutWriter {
  const sink = Bun.stdout.writer();
  let closed = false;
  let pending: Promise<unknown> = Promise.resolve();
  let tty: boolean | undefined;
  const onError = (err: unknown): void => {
    if (err instanceof Error && Reflect.get(err, "code") === "EPIPE") closed = true;
    else throw err;
  };
  return {
    write(text: string): boolean {
      if (closed) return false;
      try {
        sink.write(text);
        const flushed = sink.flush();
        if (flushed instanceof Promise) pending = pending.then(() => flushed).catch(onError);
      } catch (err) {
        onError(err);
      }
      return !closed;
    },
    get isTTY(): boolean {
      tty ??= isatty(1);
      return tty;
    },
    async drain(): Promise<void> {
      await pending;
      if (closed) return;
      try {
        await sink.flush();
      } catch (err) {
        onError(err);
      }
    },
  };
}

/** Whether `fd` is a terminal, without building process.stdout (node:tty loads the stream machinery too). */
function isatty(fd: number): boolean {
  try {
    const binding = process.binding("tty_wrap") as { isTTY?: (fd: number) => boolean };
    if (typeof binding.isTTY === "function") return binding.isTTY(fd);
  } catch {
    // A runtime without the binding: ask the stream below.
  }
  return fd === 1 ? process.stdout.isTTY === true : process.stderr.isTTY === true;
}
