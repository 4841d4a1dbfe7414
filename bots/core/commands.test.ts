// The chat command language: every command and its problems, from text to value.
import { describe, expect, test } from "bun:test";
import { type Parsed, parseCommand } from "./commands.ts";

const cases: [string, Parsed][] = [
  ["", { ok: true, command: { kind: "help" } }],
  ["  HELP ", { ok: true, command: { kind: "help" } }],
  ["status", { ok: true, command: { kind: "status" } }],
  ["status main", { ok: true, command: { kind: "status", flow: "main" } }],
  ["status a b", { ok: false, problem: "status takes at most one flow name, got 2 words; usage: status [flow]" }],
  ["promote 2026_users prod", { ok: true, command: { kind: "promote", migration: "2026_users", env: "prod" } }],
  [
    "promote 2026_users prod --flow main",
    { ok: true, command: { kind: "promote", migration: "2026_users", env: "prod", flow: "main" } },
  ],
  [
    "promote 2026_users prod now",
    { ok: false, problem: 'promote takes no comment, got "now"; usage: promote <migration> <env> [--flow F]' },
  ],
  ["promote --flow", { ok: false, problem: "--flow needs a value; usage: promote <migration> <env> [--flow F]" }],
  [
    "approve m1 prod looks good to me",
    { ok: true, command: { kind: "approve", migration: "m1", env: "prod", comment: "looks good to me" } },
  ],
  ["reject m1 prod", { ok: true, command: { kind: "reject", migration: "m1", env: "prod", comment: "" } }],
  [
    "approve m1 prod --rollback yes, revert it",
    { ok: true, command: { kind: "approve", migration: "m1", env: "prod", comment: "yes, revert it", rollback: true } },
  ],
  [
    "reject m1",
    {
      ok: false,
      problem: "reject needs a migration and an environment; usage: reject <migration> <env> [--rollback] [comment]",
    },
  ],
  ["rollback m1 dev", { ok: true, command: { kind: "rollback", migration: "m1", env: "dev" } }],
  ["risk drop table t;", { ok: true, command: { kind: "risk", sql: "drop table t;" } }],
  ["risk ```sql\ndrop table t;\n```", { ok: true, command: { kind: "risk", sql: "drop table t;" } }],
  ["risk ```alter table t drop c;```", { ok: true, command: { kind: "risk", sql: "alter table t drop c;" } }],
  ["risk `drop table t;`", { ok: true, command: { kind: "risk", sql: "drop table t;" } }],
  ["risk --engine mysql drop table t;", { ok: true, command: { kind: "risk", sql: "drop table t;", engine: "mysql" } }],
  ["risk", { ok: false, problem: "risk needs SQL; usage: risk [--engine E] <sql>" }],
  ["link mxl-ABCD-EFGH", { ok: true, command: { kind: "link", code: "mxl-ABCD-EFGH" } }],
  ["link", { ok: false, problem: "link needs exactly one code; usage: link <code>" }],
  ["diff dev prod", { ok: true, command: { kind: "diff", source: "dev", target: "prod" } }],
  ["diff dev/main prod/main", { ok: true, command: { kind: "diff", source: "dev/main", target: "prod/main" } }],
  ["diff dev", { ok: false, problem: "diff needs exactly two environments, got 1 word; usage: diff <envA> <envB>" }],
  ["ai how many users?", { ok: true, command: { kind: "ai", question: "how many users?" } }],
  ["ai --env prod how many users?", { ok: true, command: { kind: "ai", question: "how many users?", env: "prod" } }],
  ["ai", { ok: false, problem: "ai needs a question; usage: ai [--env E] <question>" }],
  ["gitops log", { ok: true, command: { kind: "gitops-log" } }],
  ["gitops log app", { ok: true, command: { kind: "gitops-log", link: "app" } }],
  [
    "gitops pr app 20260101_add.sql ```sql\ncreate table t (id int);\n```",
    {
      ok: true,
      command: { kind: "gitops-pr", link: "app", file: "20260101_add.sql", sql: "create table t (id int);" },
    },
  ],
  [
    "gitops pr app notes.txt select 1",
    { ok: false, problem: 'the file name must end in .sql, got "notes.txt"; usage: gitops pr <repo> <file.sql> <sql>' },
  ],
  ["deploy x", { ok: false, problem: 'unknown command "deploy"; try "help"' }],
];

describe("parseCommand", () => {
  test.each(cases)("%p", (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});
