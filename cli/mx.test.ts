// The `mx` entry as package.json's script runs it: a new process, the parser's compile started
// from the command line before the CLI loads (a risk run), any other command as before.
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VERSION } from "./main.ts";

const entry = join(import.meta.dir, "mx.ts");

function mx(args: string[], stdin?: string) {
  const p = Bun.spawnSync([process.execPath, entry, ...args], {
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode, out: p.stdout.toString(), err: p.stderr.toString() };
}

test("mx risk through the entry: the report, the exit code, every --engine spelling", () => {
  const dir = mkdtempSync(join(tmpdir(), "mx-entry-"));
  try {
    const file = join(dir, "m.sql");
    writeFileSync(file, "SET lock_timeout = '5s';\nDROP TABLE users;\n");
    const json = mx(["risk", file, "--engine", "postgresql", "--format", "json"]);
    expect(json.err).toBe("");
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out);
    expect(report.level).toBe("Critical");
    expect(report.statements.map((s: { sql: string; line: number }) => [s.sql, s.line])).toEqual([
      ["SET lock_timeout = '5s'", 1],
      ["DROP TABLE users", 2],
    ]);
    expect(mx(["risk", file, "--engine=postgresql", "--format", "json"]).out).toBe(json.out);
    expect(
      mx(["risk", "-", "--engine", "pg", "--format", "json"], "SET lock_timeout = '5s';\nDROP TABLE users;\n").out,
    ).toBe(json.out);
    const maria = mx(["risk", file, "--engine", "mariadb", "--format", "json", "--fail-on", "High"]);
    expect(maria.code).toBe(1);
    expect(JSON.parse(maria.out).engine).toBe("mariadb");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("other commands through the entry are untouched", () => {
  expect(mx(["--version"])).toEqual({ code: 0, out: `mx ${VERSION}\n`, err: "" });
  const bad = mx(["risk", "x.sql", "--engine", "nosuch"]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("unknown engine 'nosuch'");
});
