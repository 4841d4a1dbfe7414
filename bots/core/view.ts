// The platform-neutral reply: a card with a tone, lines, fields, an optional risk summary and SQL,
// and the references its buttons or reactions act on. Slack renders it as Block Kit, Discord as an
// embed. Everything an action needs is in the card (the StageRef), never in bot memory.

export type Tone = "info" | "success" | "warning" | "danger";

/** A migration on one stage of a flow: what a vote or rollback acts on. */
export interface StageRef {
  flow: string;
  migration: string;
  env: string;
  /** The vote is on the stage's open rollback request, not on running the migration. */
  rollback?: boolean;
}

export interface RiskFinding {
  level: string;
  check: string;
  line: number;
  message: string;
}

export interface RiskSummary {
  level: string;
  findings: RiskFinding[];
}

export interface SqlBlock {
  /** The text shown: the whole SQL, or its first lines when collapsed. */
  text: string;
  totalLines: number;
  collapsed: boolean;
}

/** A run to follow (progress in the thread / as message edits). */
export interface RunRef {
  runId: string;
  target: string;
  direction: string;
}

export interface Card {
  tone: Tone;
  title: string;
  lines: string[];
  fields: [string, string][];
  risk?: RiskSummary;
  sql?: SqlBlock;
  /** Approve / Reject buttons (Slack) or ✅ / ❌ reactions (Discord) act on this. */
  vote?: StageRef;
  /** A Rollback button acts on this. */
  rollback?: StageRef;
  /** Runs the bot follows after posting the card. */
  follow?: { ref: StageRef; runs: RunRef[] };
  /** Shown only to the acting user where the platform allows (errors, help). */
  ephemeral?: boolean;
  /** Platform user ids to mention (and notify) with the card. */
  mentions?: string[];
}

export function card(tone: Tone, title: string, rest: Partial<Omit<Card, "tone" | "title">> = {}): Card {
  return { tone, title, lines: [], fields: [], ...rest };
}

const LEVEL_MARK: Record<string, string> = {
  Critical: "🔴",
  High: "🟠",
  Medium: "🟡",
  Low: "🔵",
  None: "🟢",
};

const RANK: Record<string, number> = { Critical: 4, High: 3, Medium: 2, Low: 1, None: 0 };

/** A risk summary with the most severe findings first (a phone shows the first few). */
export function riskSummary(level: string, findings: RiskFinding[]): RiskSummary {
  const sorted = findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (RANK[b.f.level] ?? -1) - (RANK[a.f.level] ?? -1) || a.i - b.i)
    .map((x) => x.f);
  return { level, findings: sorted };
}

/** A risk level with its colour mark, e.g. "🟠 High". */
export function levelMark(level: string): string {
  return `${LEVEL_MARK[level] ?? "⚪"} ${level}`;
}

/** A colour (0xRRGGBB) for a tone or a risk level: Discord embeds and Slack attachment bars. */
export function colourOf(c: Card): number {
  const byLevel: Record<string, number> = {
    Critical: 0xd0021b,
    High: 0xf5a623,
    Medium: 0xf8e71c,
    Low: 0x4a90e2,
    None: 0x7ed321,
  };
  const byTone: Record<Tone, number> = { info: 0x4a90e2, success: 0x2eb67d, warning: 0xecb22e, danger: 0xe01e5a };
  if (c.tone === "danger" || c.tone === "success") return byTone[c.tone];
  return (c.risk && byLevel[c.risk.level]) ?? byTone[c.tone];
}

export const SQL_MAX_LINES = 12;
export const SQL_MAX_CHARS = 900;

/** SQL for a chat message: whole when short, its first lines and a count when long. */
export function collapseSql(sql: string): SqlBlock {
  const all = sql.trim().split(/\r\n|\r|\n/);
  let shown = all.slice(0, SQL_MAX_LINES);
  while (shown.length > 1 && shown.join("\n").length > SQL_MAX_CHARS) shown = shown.slice(0, -1);
  let text = shown.join("\n");
  if (text.length > SQL_MAX_CHARS) text = `${text.slice(0, SQL_MAX_CHARS - 1)}…`;
  return {
    text,
    totalLines: all.length,
    collapsed: shown.length < all.length || text.length < shown.join("\n").length,
  };
}

/** Encodes a StageRef for a button value or a message footer; decodes it back (null if not ours). */
export const stageRefCodec = {
  encode(ref: StageRef): string {
    const parts = [ref.flow, ref.migration, ref.env].map(encodeURIComponent);
    return `mx:${parts.join("/")}${ref.rollback ? "/rollback" : ""}`;
  },
  decode(text: string | undefined | null): StageRef | null {
    const m = /mx:([^/\s]+)\/([^/\s]+)\/([^/\s]+)(\/rollback)?/.exec(text ?? "");
    if (!m) return null;
    const [flow, migration, env] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ""));
    if (!flow || !migration || !env) return null;
    return m[4] ? { flow, migration, env, rollback: true } : { flow, migration, env };
  },
};
