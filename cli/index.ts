// The public surface of cli/: run mx in-process (the demo and tests do).

export type { WatchTuning } from "./commands/types.ts";
export { type CliIo, runCli, VERSION } from "./main.ts";
