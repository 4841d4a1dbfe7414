// SQL Server statements made readable by the shared token reader: T-SQL's own clauses (TOP, table
// and index options, IDENTITY, WITH NOCHECK, IF guards) are taken out and noted; ALTER COLUMN and
// sp_rename become the reader's MODIFY and RENAME; N'…' is a plain string.
import type { DialectNotes } from "../tokens/context.ts";
import type { Name } from "../tokens/cursor.ts";
import type { Tok } from "../tokens/lex.ts";
import {
  afterName,
  editGroups,
  findTop,
  type Prepared,
  parenEnd,
  repeatVerbs,
  synth,
  withoutWords,
} from "../tokens/prepare.ts";

const STATEMENT_START = new Set([
  "CREATE",
  "ALTER",
  "DROP",
  "INSERT",
  "UPDATE",
  "DELETE",
  "EXEC",
  "EXECUTE",
  "TRUNCATE",
  "BEGIN",
  "PRINT",
  "SELECT",
  "MERGE",
  "SET",
  "RAISERROR",
  "THROW",
  "RETURN",
]);
const NOISE = new Set(["CLUSTERED", "NONCLUSTERED", "ROWGUIDCOL", "SPARSE", "FILESTREAM", "HASH"]);
const ACTIONS = new Set(["ADD", "DROP", "ALTER", "MODIFY", "WITH", "CHECK", "NOCHECK", "ENABLE", "DISABLE"]);
const TABLE_OPTIONS = new Set(["CHECK", "NOCHECK", "ENABLE", "DISABLE", "SWITCH", "SET", "REBUILD"]);

export function prepareSqlServer(input: readonly Tok[]): Prepared {
  const notes: DialectNotes = {};
  // N'…' is a string like any other here.
  let toks = input.filter(
    (t, i) => !(t.upper === "N" && input[i + 1]?.kind === "string" && input[i + 1]?.start === t.end),
  );
  if (toks[0]?.upper === "IF") {
    const k = findTop(toks, 1, (t) => t.kind === "word" && STATEMENT_START.has(t.upper));
    if (k > 0) {
      notes.guarded = true;
      toks = toks.slice(k);
    }
  }
  const first = toks[0];
  if (first === undefined) return { toks, notes };
  switch (first.upper) {
    case "EXEC":
    case "EXECUTE":
      return exec(toks, notes);
    case "BEGIN":
    case "COMMIT":
    case "ROLLBACK":
    case "SAVE": {
      const second = toks[1]?.upper ?? "";
      if (first.upper === "BEGIN" && !["TRAN", "TRANSACTION", "DISTRIBUTED", ""].includes(second)) {
        notes.opaque = { what: "a BEGIN ... END block", pos: first.start, dynamic: hasDynamicSql(toks) };
        return { toks, notes, stmt: { kind: "other", first: "BEGIN" } };
      }
      return { toks: toks.map((t) => (t.upper === "TRAN" ? synth("TRANSACTION", t.start) : t)), notes };
    }
    case "DELETE": {
      // DELETE [FROM] t: FROM is optional unless a FROM clause follows (DELETE alias FROM t JOIN …).
      const t = withoutOption(withoutTop(toks, notes));
      if (t[1]?.upper === "FROM" || findTop(t, 2, (x) => x.upper === "FROM") > 0) return { toks: t, notes };
      return { toks: [t[0] as Tok, synth("FROM", t[1]?.start ?? first.start), ...t.slice(1)], notes };
    }
    case "DROP":
      return { toks: temporary(toks, 2), notes };
    case "SELECT":
    case "UPDATE":
    case "INSERT":
      return { toks: withoutOption(withoutTop(toks, notes)), notes };
    case "CREATE":
    case "ALTER":
      return create(toks, notes);
    default:
      return { toks, notes };
  }
}

/** #temp and ##global tables are temporary: marked the way the reader knows (TEMPORARY after the verb). */
function temporary(toks: Tok[], nameAt: number): Tok[] {
  const name = toks[nameAt + (toks[nameAt]?.upper === "IF" ? 2 : 0)];
  if (toks[nameAt - 1]?.upper !== "TABLE" || name === undefined || !name.text.startsWith("#")) return toks;
  return [toks[0] as Tok, synth("TEMPORARY", toks[1]?.start ?? 0), ...toks.slice(1)];
}

/** Dynamic SQL inside a block or call: EXEC (@sql), EXEC sp_executesql. */
function hasDynamicSql(toks: readonly Tok[]): boolean {
  return toks.some(
    (t, i) =>
      ((t.upper === "EXEC" || t.upper === "EXECUTE") && toks[i + 1]?.upper === "(") ||
      /^(SYS\.)?SP_EXECUTESQL$/.test(t.upper),
  );
}

/** EXEC sp_rename 'a.b', 'c' [, 'COLUMN'] is a rename; any other call is code the reader cannot see. */
function exec(toks: Tok[], notes: DialectNotes): Prepared {
  const k = toks[1]?.kind === "word" && toks[2]?.upper === "=" ? 3 : 1;
  const proc = toks.slice(k, k + 5).filter((t) => t.kind === "word" || t.kind === "ident");
  const name = (proc.find((t) => /sp_rename$/i.test(t.text)) ?? proc[0])?.text ?? "";
  const args = toks.filter((t) => t.kind === "string");
  if (/^sp_rename$/i.test(name) && args.length >= 2) {
    const [objArg, toArg, kindArg] = args as [Tok, Tok, Tok | undefined];
    const parts = objArg.text.split(".").map((p) => p.replace(/^\[|\]$/g, ""));
    const kind = (kindArg?.text ?? "OBJECT").toUpperCase();
    if (kind === "COLUMN" && parts.length >= 2) {
      const table: Name = { name: parts.at(-2) ?? "", parts: parts.slice(0, -1), start: objArg.start };
      return {
        toks,
        notes,
        stmt: {
          kind: "alter-table",
          table,
          actions: [{ op: "rename-column", from: parts.at(-1) ?? "", to: toArg.text, pos: objArg.start }],
          online: false,
          ignore: false,
        },
      };
    }
    if (kind === "OBJECT") {
      const from: Name = { name: parts.at(-1) ?? "", parts, start: objArg.start };
      const to: Name = { name: toArg.text, parts: [toArg.text], start: toArg.start };
      return { toks, notes, stmt: { kind: "rename-table", pairs: [{ from, to }] } };
    }
    return { toks, notes, stmt: { kind: "other", first: "EXEC" } };
  }
  notes.opaque = {
    what: name === "" || toks[1]?.upper === "(" ? "EXEC (...)" : `EXEC ${name}`,
    pos: toks[0]?.start ?? 0,
    dynamic: hasDynamicSql(toks),
  };
  return { toks, notes, stmt: { kind: "other", first: "EXEC" } };
}

/** TOP (n) [PERCENT] [WITH TIES] after the verb (and DISTINCT): noted, then taken out. */
function withoutTop(toks: Tok[], notes: DialectNotes): Tok[] {
  const at = toks[1]?.upper === "DISTINCT" || toks[1]?.upper === "ALL" ? 2 : 1;
  if (toks[at]?.upper !== "TOP") return toks;
  let end = toks[at + 1]?.upper === "(" ? parenEnd(toks, at + 1) : at + 2;
  if (toks[end]?.upper === "PERCENT") end++;
  if (toks[end]?.upper === "WITH" && toks[end + 1]?.upper === "TIES") end += 2;
  if (toks[0]?.upper === "SELECT") notes.bounded = true;
  else notes.top = toks[at]?.start;
  return [...toks.slice(0, at), ...toks.slice(end)];
}

/** OPTION (…) query hints at the end. */
function withoutOption(toks: Tok[]): Tok[] {
  const k = findTop(toks, 1, (t) => t.upper === "OPTION");
  return k > 0 && toks[k + 1]?.upper === "(" ? [...toks.slice(0, k), ...toks.slice(parenEnd(toks, k + 1))] : toks;
}

/** IDENTITY[(seed, step)] → AUTO_INCREMENT; NOT FOR REPLICATION and WITH VALUES dropped; noise words out. */
function columnSpelling(toks: Tok[]): Tok[] {
  const out: Tok[] = [];
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i] as Tok;
    if (t.upper === "IDENTITY") {
      out.push(synth("AUTO_INCREMENT", t.start));
      if (toks[i + 1]?.upper === "(") i = parenEnd(toks, i + 1) - 1;
    } else if (t.upper === "NOT" && toks[i + 1]?.upper === "FOR" && toks[i + 2]?.upper === "REPLICATION") i += 2;
    else if (t.upper === "WITH" && toks[i + 1]?.upper === "VALUES") i += 1;
    else out.push(t);
  }
  return withoutWords(out, NOISE);
}

function create(toks: Tok[], notes: DialectNotes): Prepared {
  let t = toks;
  if (t[0]?.upper === "CREATE" && t[1]?.upper === "OR" && t[2]?.upper === "ALTER") t = [t[0], ...t.slice(3)];
  t = t.map((x) => (x.upper === "PROC" ? synth("PROCEDURE", x.start) : x));
  const kind = t.slice(1, 5).find((x) => !NOISE.has(x.upper) && x.upper !== "UNIQUE" && x.upper !== "COLUMNSTORE");
  const verb = t[0]?.upper ?? "";
  if (verb === "ALTER" && kind?.upper !== "TABLE") {
    return { toks: t, notes, stmt: { kind: "other", first: `ALTER ${kind?.upper ?? ""}` } };
  }
  switch (kind?.upper) {
    case "INDEX":
      return { toks: index(withoutWords(t, NOISE), notes), notes };
    case "TABLE":
      return verb === "CREATE" ? { toks: temporary(table(t), 2), notes } : alter(t, notes);
    default:
      return { toks: t, notes };
  }
}

/** CREATE INDEX … (cols) [INCLUDE (…)] [WHERE …] [WITH (…)] [ON filegroup]: options noted and taken out. */
function index(toks: Tok[], notes: DialectNotes): Tok[] {
  const k = toks.findIndex((x) => x.upper === "(");
  if (k < 0) return toks;
  const out = toks.slice(0, parenEnd(toks, k));
  for (let i = out.length; i < toks.length; i++) {
    const x = toks[i] as Tok;
    if ((x.upper === "INCLUDE" || x.upper === "WITH") && toks[i + 1]?.upper === "(") {
      const end = parenEnd(toks, i + 1);
      if (x.upper === "WITH") {
        const opts = toks.slice(i + 2, end - 1);
        notes.online = opts.some(
          (o, j) => o.upper === "ONLINE" && opts[j + 1]?.upper === "=" && opts[j + 2]?.upper === "ON",
        );
      }
      i = end - 1;
    } else if (x.upper === "ON") {
      break;
    } else out.push(x);
  }
  return out;
}

/** CREATE TABLE t (…) [ON filegroup] [TEXTIMAGE_ON …] [WITH (…)]: storage options taken out. */
function table(toks: Tok[]): Tok[] {
  const k = toks.findIndex((x) => x.upper === "(");
  if (k < 0) return toks;
  return columnSpelling(toks.slice(0, parenEnd(toks, k)));
}

function alter(toks: Tok[], notes: DialectNotes): Prepared {
  // ALTER TABLE name …
  const i = afterName(toks, 2);
  let rest = toks.slice(i);
  // WITH [NO]CHECK ADD CONSTRAINT: NOCHECK skips the scan of existing rows (validated later), no risk itself.
  if (rest[0]?.upper === "WITH" && (rest[1]?.upper === "NOCHECK" || rest[1]?.upper === "CHECK")) rest = rest.slice(2);
  const word = rest[0]?.upper ?? "";
  if (TABLE_OPTIONS.has(word)) {
    if (word === "NOCHECK" && rest[1]?.upper === "CONSTRAINT")
      notes.disabledConstraint = { name: rest[2]?.text ?? "", pos: rest[0]?.start ?? 0 };
    return { toks: [...toks.slice(0, i), synth("COMMENT", rest[0]?.start ?? 0)], notes };
  }
  let prev: Tok[] | undefined;
  const actions = editGroups(rest, 0, rest.length, (group) => {
    let g = repeatVerbs(group, prev, ACTIONS);
    if (g[0]?.upper === "ALTER" && g[1]?.upper === "COLUMN") g = [synth("MODIFY", g[0].start), ...g.slice(1)];
    prev = g;
    // ADD [CONSTRAINT x] DEFAULT v FOR col: a default for new rows, no risk.
    const d = g[1]?.upper === "CONSTRAINT" ? 3 : 1;
    if (g[0]?.upper === "ADD" && g[d]?.upper === "DEFAULT") return [synth("COMMENT", g[0].start)];
    return columnSpelling(g);
  });
  return { toks: [...toks.slice(0, i), ...actions], notes };
}
