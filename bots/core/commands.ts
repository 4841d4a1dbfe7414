// The chat command language shared by Slack and Discord: text after "/migratrix" or "!migratrix"
// parsed into a command, with problems returned as values (a chat user gets a usage line, not a throw).

export type Command =
  | { kind: "help" }
  | { kind: "status"; flow?: string }
  | { kind: "promote" | "rollback"; migration: string; env: string; flow?: string }
  | { kind: "approve" | "reject"; migration: string; env: string; comment: string; flow?: string; rollback?: boolean }
  | { kind: "risk"; sql: string; engine?: string }
  | { kind: "link"; code: string }
  /** Each side: "env" (its only connection, or the one named like the other side's) or "env/connection". */
  | { kind: "diff"; source: string; target: string }
  | { kind: "ai"; question: string; env?: string }
  | { kind: "gitops-log"; link?: string }
  | { kind: "gitops-pr"; link: string; file: string; sql: string };

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
  ["diff <envA> <envB>", "schema difference of two environments (read by their agents)"],
  ["ai [--env E] <question>", "AI-written SQL with its risk, never executed (schema of E, default the flow's first)"],
  ["gitops log [repo]", "the GitOps changes log: syncs, refusals, pull requests"],
  ["gitops pr <repo> <file.sql> <sql>", "open a pull request that adds the migration file to the linked repository"],
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
    case "diff": {
      const [source, target, ...more] = words;
      if (source === undefined || target === undefined || more.length > 0) {
        return usage(`diff needs exactly two environments, got ${words.length} word${words.length === 1 ? "" : "s"}`);
      }
      return { ok: true, command: { kind: "diff", source, target } };
    }
    case "ai": {
      const env = option(words, "env");
      if (env.problem) return usage(env.problem);
      const question = (env.value === undefined ? restText : restText.replace(/--env\s+\S+/, "")).trim();
      if (question === "") return usage("ai needs a question");
      return {
        ok: true,
        command: env.value === undefined ? { kind: "ai", question } : { kind: "ai", question, env: env.value },
      };
    }
    case "gitops": {
      const [sub, ...rest] = words;
      if (sub === "log") {
        if (rest.length > 1) return usage(`gitops log takes at most one repository name, got ${rest.length}`);
        return {
          ok: true,
          command: rest[0] === undefined ? { kind: "gitops-log" } : { kind: "gitops-log", link: rest[0] },
        };
      }
      if (sub === "pr") {
        const m = /^pr\s+(\S+)\s+(\S+)\s+([\s\S]+)$/.exec(restText);
        const sql = unfence(m?.[3] ?? "");
        const prUsage = (why: string): Parsed => ({ ok: false, problem: `${why}; usage: ${usageOf("gitops pr")}` });
        if (!m?.[1] || !m[2] || sql === "") return prUsage("gitops pr needs a repository, a file name and the SQL");
        if (!/\.(sql|migration)$/i.test(m[2])) return prUsage(`the file name must end in .sql, got "${m[2]}"`);
        return { ok: true, command: { kind: "gitops-pr", link: m[1], file: m[2], sql } };
      }
      return {
        ok: false,
        problem: `gitops takes log or pr; usage: ${usageOf("gitops log")} | ${usageOf("gitops pr")}`,
      };
    }
    default:
      return { ok: false, problem: `unknown command "${name}"; try "help"` };
  }
}
