// Help texts, generated from the command specs so they cannot drift from what is parsed.
import { GLOBAL_OPTIONS, type OptionSpec } from "./args.ts";
import type { CommandSpec } from "./commands/types.ts";
import { renderRows } from "./output.ts";

function optionRows(options: Record<string, OptionSpec>): string[][] {
  return Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short === undefined ? "" : `-${spec.short}, `}--${name}${spec.value === undefined ? "" : ` ${spec.value}`}`;
    return [`  ${flag}`, spec.description];
  });
}

function usageLine(spec: CommandSpec): string {
  const opts = Object.keys(spec.options).length > 0 ? " [options]" : "";
  return ["mx", ...spec.path, ...spec.args].join(" ") + opts;
}

function commandRows(specs: readonly CommandSpec[]): string[][] {
  return specs.map((s) => [`  ${[...s.path, ...s.args].join(" ")}`, s.summary]);
}

/** Made when help is asked for, not when mx starts: measuring text widths costs milliseconds. */
const globalBlock = (): string => `Global options:\n${renderRows(optionRows(GLOBAL_OPTIONS))}`;

export function topHelp(commands: readonly CommandSpec[]): string {
  return [
    "mx: the command-line client of the Migratrix control API",
    "",
    "Usage: mx <command> [options]",
    "",
    "Commands:",
    renderRows(commandRows(commands)).trimEnd(),
    "",
    globalBlock().trimEnd(),
    "",
    "Run 'mx <command> --help' for the options of a command.",
    "",
  ].join("\n");
}

export function nounHelp(noun: string, commands: readonly CommandSpec[]): string {
  const own = commands.filter((c) => c.path[0] === noun);
  return [
    `Usage: mx ${noun} <${own.map((c) => c.path[1] ?? c.args.join(" ")).join("|")}> [options]`,
    "",
    "Commands:",
    renderRows(commandRows(own)).trimEnd(),
    "",
    `Run 'mx ${noun} <command> --help' for the options of a command.`,
    "",
  ].join("\n");
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`Usage: ${usageLine(spec)}`, "", `${spec.summary[0]?.toUpperCase() ?? ""}${spec.summary.slice(1)}.`];
  if (spec.details !== undefined) lines.push("", ...spec.details);
  const rows = optionRows(spec.options);
  if (rows.length > 0) {
    lines.push("", "Options:", renderRows(rows).trimEnd());
  }
  lines.push("", globalBlock().trimEnd(), "");
  return lines.join("\n");
}
