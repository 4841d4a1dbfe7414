// mx: finds the command on the line, parses its options, runs it, and turns failures into one
// line on stderr with exit code 1 (2 for a wrong command line). Only the command that runs is
// imported (commands/index.ts): this file and what it imports statically stay light.
import pkg from "../package.json" with { type: "json" };
import { nextWord, parseCommandArgs } from "./args.ts";
import type { Clients } from "./client.ts";
import { type CliIo, COMMANDS, type CommandEntry, type CommandSpec, loadSpecs } from "./commands/index.ts";
import { describeFailure, UsageError } from "./errors.ts";
import { commandHelp, nounHelp, topHelp } from "./help.ts";
import { createOutput } from "./output.ts";
import { discoverToken, resolveServer } from "./server.ts";
import { stdoutWriter } from "./stdio.ts";

export type { CliIo } from "./commands/index.ts";
export const VERSION: string = pkg.version;

interface Resolved {
  entry: CommandEntry;
  /** The line without its command words. */
  args: string[];
}

/** `mx help [NOUN [VERB]]`: the most specific help that exists. */
async function helpFor(words: string[]): Promise<string> {
  const [noun, verb] = words;
  const entry = COMMANDS.find((c) => c.path[0] === noun && (c.path.length === 1 || c.path[1] === verb));
  if (entry !== undefined) return commandHelp(await entry.load());
  const own = COMMANDS.filter((c) => c.path[0] === noun);
  if (own.length > 0) return nounHelp(noun ?? "", await loadSpecs(own));
  return topHelp(await loadSpecs(COMMANDS));
}

/** Finds the command; returns help text instead when the line only asks for help on a noun. */
async function resolveCommand(argv: readonly string[]): Promise<Resolved | { text: string; exitCode: number }> {
  const first = nextWord(argv, 0);
  if (first === undefined) {
    const global = parseCommandArgs(argv, {}).global;
    if (global.version) return { text: `mx ${VERSION}\n`, exitCode: 0 };
    if (global.help) return { text: topHelp(await loadSpecs(COMMANDS)), exitCode: 0 };
    throw new UsageError("no command given");
  }
  if (first.word === "help")
    return { text: await helpFor(parseCommandArgs(argv.slice(first.index + 1), {}).positionals), exitCode: 0 };
  const noun = first.word;
  const own = COMMANDS.filter((c) => c.path[0] === noun);
  const [single] = own;
  if (single === undefined) throw new UsageError(`unknown command '${noun}'`);
  const withoutNoun = argv.filter((_, i) => i !== first.index);
  if (own.length === 1 && single.path.length === 1) return { entry: single, args: withoutNoun };
  const second = nextWord(argv, first.index + 1);
  const verbs = own.flatMap((c) => (c.path[1] === undefined ? [] : [c.path[1]])).join(", ");
  // A noun that is also a command taking only options (`mx transfer --from …` beside `mx transfer list`).
  const bareOnly = own.find((c) => c.path.length === 1);
  if (second === undefined && bareOnly !== undefined) return { entry: bareOnly, args: withoutNoun };
  if (second === undefined) {
    if (parseCommandArgs(withoutNoun, {}).global.help)
      return { text: nounHelp(noun, await loadSpecs(own)), exitCode: 0 };
    throw new UsageError(`'mx ${noun}' needs a command: ${verbs}`, noun);
  }
  const entry = own.find((c) => c.path[1] === second.word);
  // A noun that is also a command (`mx grant USER ROLE` beside `mx grant list`) takes the rest.
  const bare = own.find((c) => c.path.length === 1);
  if (entry === undefined && bare !== undefined) return { entry: bare, args: withoutNoun };
  if (entry === undefined) throw new UsageError(`unknown command '${noun} ${second.word}' (try: ${verbs})`, noun);
  return { entry, args: argv.filter((_, i) => i !== first.index && i !== second.index) };
}

function checkPositionals(spec: CommandSpec, positionals: string[]): void {
  const required = spec.args.filter((a) => !a.startsWith("["));
  const missing = required[positionals.length];
  if (missing !== undefined) throw new UsageError(`${missing} is missing`);
  // A last argument written "X..." takes any number of words.
  if (positionals.length > spec.args.length && !spec.args.at(-1)?.endsWith("...")) {
    throw new UsageError(`unexpected argument '${positionals[spec.args.length]}'`);
  }
  const empty = positionals.indexOf("");
  if (empty >= 0) throw new UsageError(`${spec.args[empty] ?? "an argument"} must not be empty`);
}

/**
 * The Connect clients, loaded on the first call (sync, so commands keep calling `clients()` where
 * they need it): Connect and the generated services are most of a cold start, and offline
 * commands (risk, local mode) never need them.
 */
function connect(opts: { server: string; token: string }): Clients {
  const client = require("./client.ts") as typeof import("./client.ts");
  return client.createClients(client.createTransport(opts));
}

/** Runs one mx command line in-process and returns its exit code; never throws, never exits. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let commandName: string | undefined;
  let server: string | undefined;
  let tokenSource: string | undefined;
  try {
    const resolved = await resolveCommand(argv);
    if ("text" in resolved) {
      io.stdout.write(resolved.text);
      return resolved.exitCode;
    }
    const { entry, args } = resolved;
    commandName = entry.path.join(" ");
    const spec = await entry.load();
    const input = parseCommandArgs(args, spec.options);
    if (input.global.help) {
      io.stdout.write(commandHelp(spec));
      return 0;
    }
    checkPositionals(spec, input.positionals);
    server = resolveServer(input.global.server, io.env);
    let clients: Clients | undefined;
    const out = createOutput({ stdout: io.stdout, stderr: io.stderr, env: io.env, json: input.global.json });
    return await spec.run({
      io,
      out,
      input,
      clients: () => {
        if (clients !== undefined) return clients;
        const found = discoverToken({ flag: input.global.token, env: io.env, cwd: io.cwd, server });
        tokenSource = found.source;
        clients = connect({ server: server ?? "", token: found.token });
        return clients;
      },
    });
  } catch (err) {
    if (err instanceof UsageError && err.command === undefined) err.command = commandName;
    const failure = describeFailure(err, { server, tokenSource });
    io.stderr.write(`${failure.lines.join("\n")}\n`);
    return failure.exitCode;
  }
}

/** Runs this process's command line and sets its exit code (the `mx` entry, cli/mx.ts). */
export async function main(): Promise<void> {
  const stdout = stdoutWriter();
  process.exitCode = await runCli(process.argv.slice(2), {
    stdout,
    // Built on first use: most runs never write to stderr.
    stderr: { write: (text: string) => process.stderr.write(text) },
    env: process.env,
    cwd: process.cwd(),
  });
  await stdout.drain();
}

if (import.meta.main) await main();
