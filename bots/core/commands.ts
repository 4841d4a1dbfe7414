// The chat command language shared by Slack and Discord: text after "/migratrix" or "!migratrix"
// parsed into a command, with problems returned as values (a chat user gets a usage line, not a throw).

export type Command =
  | { kind: "help" }
  | { kind: "status"; flow?: string }
  | { kind: "promote" | "rollback"; migration: string; env: string; flow?: string }
  | { kind: "approve" | "reject"; migration: string; env: string; comment: string; flow?: string; rollback?: boolean }
  | { kind: "risk"; sql: string; engine?: string }
  | { kind: "link"; code: string }
  | { kind: "unavailable"; what: "diff" | "ai" };

export type Parsed = { ok: true; command: Command } | { ok: false; problem: string };

export const USAGE: readonly [string, string][] = [
  ["help", "this list"],
  ["status [flow]", "recent migrations and their stage on each environment"],
  ["promote <migration> <env> [--flow F]", "start the migration on a stage (asks for approvals when needed)"],
  ["approve <migration> <env> [--rollback] [comment]", "vote approve on a stage (or on its rollback request)"],
  ["reject <migration> <env> [--rollback] [comment]", "vote reject on a stage (or on its rollback request)"],
  ["rollback <migration> <env>", "run the down script on a stage"],
  ["risk [--engine E] <sql>", "score SQL Low → Critical (engine from the default flow)"],
  ["link <code>", "link your chat account to your Migratrix user (code from `mx link`)"],
  ["diff <envA> <envB>", "schema diff (not available yet)"],
  ["ai <question>", "AI SQL (not available yet)"],
];

const usageOf = (name: string) => USAGE.find(([u]) => u.startsWith(`${name} `) || u === name)?.[0] ?? name;

/** Removes a Markdown code fence or inline backticks around SQL pasted into chat. */
function unfence(text: string): string {
  const t = text.trim();
  const fenced = /^```(?:[a-z0-9]*\n)?([\s\S]*?)```$/i.exec(t);
  if (fenced) return (fenced[1] ?? "").trim();
  const inline = /^`([^`]*)`$/.exec(t);
  return inline ? (inline[1] ?? "").trim() : t;
}

/** Takes "--name value" out of the words; returns the value and the remaining words. */
function option(words: string[], name: string): { value?: string; rest: string[]; problem?: string } {
  const at = words.indexOf(`--${name}`);
  if (at < 0) return { rest: words };
  const value = words[at + 1];
  if (value === undefined || value.startsWith("--")) return { rest: words, problem: `--${name} needs a value` };
  return { value, rest: [...words.slice(0, at), ...words.slice(at + 2)] };
}

export function parseCommand(input: string): Parsed {
  const text = input.trim();
  const space = text.search(/\s/);
  const name = (space < 0 ? text : text.slice(0, space)).toLowerCase();
  const restText = space < 0 ? "" : text.slice(space).trim();
  const words = restText === "" ? [] : restText.split(/\s+/);
  const usage = (why: string): Parsed => ({ ok: false, problem: `${why}; usage: ${usageOf(name)}` });
  switch (name) {
    case "":
    case "help":
      return { ok: true, command: { kind: "help" } };
    case "status": {
      if (words.length > 1) return usage(`status takes at most one flow name, got ${words.length} words`);
      return { ok: true, command: words[0] === undefined ? { kind: "status" } : { kind: "status", flow: words[0] } };
    }
    case "promote":
    case "rollback":
    case "approve":
    case "reject": {
      const flow = option(words, "flow");
      if (flow.problem) return usage(flow.problem);
      const rollback = (name === "approve" || name === "reject") && flow.rest.includes("--rollback");
      const [migration, env, ...comment] = flow.rest.filter((w) => !(rollback && w === "--rollback"));
      if (migration === undefined || env === undefined) return usage(`${name} needs a migration and an environment`);
      if ((name === "promote" || name === "rollback") && comment.length > 0) {
        return usage(`${name} takes no comment, got "${comment.join(" ")}"`);
      }
      const base = { migration, env, ...(flow.value === undefined ? {} : { flow: flow.value }) };
      if (name === "promote" || name === "rollback") return { ok: true, command: { kind: name, ...base } };
      return {
        ok: true,
        command: { kind: name, ...base, comment: comment.join(" "), ...(rollback ? { rollback: true } : {}) },
      };
    }
    case "risk": {
      const engine = option(words, "engine");
      if (engine.problem) return usage(engine.problem);
      const sql = unfence(engine.value === undefined ? restText : restText.replace(/--engine\s+\S+/, ""));
      if (sql === "") return usage("risk needs SQL");
      return {
        ok: true,
        command: engine.value === undefined ? { kind: "risk", sql } : { kind: "risk", sql, engine: engine.value },
      };
    }
    case "link": {
      if (words.length !== 1 || words[0] === undefined) return usage("link needs exactly one code");
      return { ok: true, command: { kind: "link", code: words[0] } };
    }
    case "diff":
    case "ai":
      return { ok: true, command: { kind: "unavailable", what: name } };
    default:
      return { ok: false, problem: `unknown command "${name}"; try "help"` };
  }
}
