// The `mx` command's entry (package.json's `mx` script). Before the CLI's modules load (~25 ms), it
// starts what the command line says the command will wait for: for `mx risk … --engine postgresql`
// the parser's WASM compile, which then runs on JavaScriptCore's compiler threads while the CLI
// loads and reads the script. Only a hint: a command line it misreads costs a compile, or misses
// one the command starts itself (cli/commands/risk.ts).
import { warmRisk } from "../engines/risk/warm.ts";
import { ENGINE_IDS, type EngineId } from "../engines/types.ts";

const argv = process.argv.slice(2);
if (argv.includes("risk")) {
  const at = argv.indexOf("--engine");
  const engine = (at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith("--engine="))?.slice(9))?.toLowerCase();
  if (engine !== undefined && (ENGINE_IDS as readonly string[]).includes(engine)) warmRisk(engine as EngineId);
}
await (await import("./main.ts")).main();
