// Test hook for killing a transfer at an exact point: MIGRATRIX_FAULT=transfer-after-chunk:N stops
// the process right after its Nth chunk (of this run) and that chunk's checkpoint committed: it
// prints one marker line, then waits forever, so a test can SIGKILL it there. No timed sleeps.
import { MigratrixError } from "../common/errors.ts";
import type { TransferHooks } from "./transfer.ts";

export const TRANSFER_FAULT_MARKER = "MIGRATRIX_FAULT_REACHED";

export function parseTransferFault(value: string | undefined): { afterChunk: number } | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^transfer-after-chunk:([1-9][0-9]*)$/.exec(value.trim());
  if (!m) {
    throw new MigratrixError(
      "invalid_argument",
      `MIGRATRIX_FAULT="${value}" is not understood by transfer: use transfer-after-chunk:N`,
    );
  }
  return { afterChunk: Number(m[1]) };
}

export function transferFaultHooks(
  spec: { afterChunk: number },
  write: (line: string) => void = (l) => process.stdout.write(l),
): TransferHooks {
  return {
    async afterChunk(info) {
      if (info.runChunk !== spec.afterChunk) return;
      write(`${TRANSFER_FAULT_MARKER} transfer-after-chunk:${spec.afterChunk}\n`);
      await new Promise<never>(() => {});
    },
  };
}
