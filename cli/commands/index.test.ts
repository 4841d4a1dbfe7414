import { describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { COMMANDS, loadSpecs } from "./index.ts";

describe("the command registry", () => {
  test("every entry loads the spec it names, and no two entries share command words", async () => {
    const specs = await loadSpecs(COMMANDS);
    expect(specs.map((s) => s.path.join(" "))).toEqual(COMMANDS.map((e) => e.path.join(" ")));
    expect(new Set(specs.map((s) => s.path.join(" "))).size).toBe(specs.length);
  });

  test("a cold `mx risk` loads only its own command: no protobuf, Connect, other commands or drivers", () => {
    const dir = mkdtempSync(join(tmpdir(), "mx-cli-lazy-"));
    try {
      const file = join(dir, "m.sql");
      writeFileSync(file, "DROP TABLE users;\n");
      const main = join(import.meta.dir, "..", "main.ts");
      // A fresh process: this one has loaded everything already.
      const script = `
        const { runCli } = await import(${JSON.stringify(main)});
        const sink = { write: () => true };
        const code = await runCli(["risk", ${JSON.stringify(file)}, "--engine", "postgresql"], { stdout: sink, stderr: sink, env: {}, cwd: "/" });
        console.log(JSON.stringify({ code, loaded: Object.keys(require.cache) }));`;
      const p = Bun.spawnSync([process.execPath, "-e", script], { stdout: "pipe", stderr: "pipe" });
      const { code, loaded } = JSON.parse(p.stdout.toString()) as { code: number; loaded: string[] };
      const commands = loaded.filter((f) => /\/cli\/commands\/(?!risk\.ts$|types\.ts$|index\.ts$)/.test(f));
      const heavy = loaded.filter((f) => /@bufbuild|@connectrpc|proto\/gen|node-sql-parser|postgres\/driver/.test(f));
      expect({ code, commands, heavy }).toEqual({ code: 1, commands: [], heavy: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
