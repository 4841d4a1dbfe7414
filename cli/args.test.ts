import { describe, expect, test } from "bun:test";
import { nextWord, parseCommandArgs, parseDuration, parseUint } from "./args.ts";
import { UsageError } from "./errors.ts";
import { runCli, VERSION } from "./main.ts";
import { captureIo } from "./testing.ts";

async function mx(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo({ env: { MIGRATRIX_TOKEN: "t" } });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("nextWord", () => {
  test.each([
    [["env", "list"], 0, { index: 0, word: "env" }],
    [["--json", "env", "list"], 0, { index: 1, word: "env" }],
    [["--server", "http://x", "env"], 0, { index: 2, word: "env" }],
    [["--server=http://x", "env"], 0, { index: 1, word: "env" }],
    [["-h", "env"], 0, { index: 1, word: "env" }],
    [["env", "--token", "t", "list"], 1, { index: 3, word: "list" }],
    [["env", "--env", "dev", "list"], 1, undefined],
    [["--", "env"], 0, undefined],
    [[], 0, undefined],
  ] as const)("%j from %d", (argv, from, expected) => {
    expect(nextWord(argv, from)).toEqual(expected);
  });
});

describe("parseCommandArgs", () => {
  const options = {
    env: { type: "string", description: "" },
    position: { type: "string", description: "" },
    protected: { type: "boolean", description: "" },
  } as const;

  test("reads command and global options wherever they stand", () => {
    const input = parseCommandArgs(["dev", "--json", "--position", "3", "--protected", "--server=http://h:1"], options);
    expect({
      positionals: input.positionals,
      global: input.global,
      position: input.uint("position"),
      protected: input.flag("protected"),
      env: input.string("env"),
    }).toEqual({
      positionals: ["dev"],
      global: { server: "http://h:1", token: undefined, json: true, help: false, version: false },
      position: 3,
      protected: true,
      env: undefined,
    });
  });

  test.each([
    [["--bogus"], "unknown option '--bogus'"],
    [["--env"], "option '--env <value>' argument missing"],
    [["--json=1"], "option '--json' does not take an argument"],
    [["--position", "-1"], "option '--position' argument is ambiguous"],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseCommandArgs(argv, options)).toThrow(new UsageError(message));
  });

  test("required and uint say which option is wrong", () => {
    const input = parseCommandArgs(["--position", "1x"], options);
    expect(() => input.required("env")).toThrow(new UsageError("--env is required"));
    expect(() => input.uint("position")).toThrow(new UsageError("--position must be a non-negative integer, got '1x'"));
  });
});

describe("parseUint / parseDuration", () => {
  test("integers", () => {
    expect([parseUint("0", "n"), parseUint("42", "n"), parseUint("4294967295", "n")]).toEqual([0, 42, 4294967295]);
    for (const bad of ["", "1.5", "-1", "4294967296", "1e3"]) expect(() => parseUint(bad, "n")).toThrow(UsageError);
  });

  test("durations", () => {
    expect(["30d", "12h", "90m", "3600s", "3600", "1w", "0", "never"].map((d) => parseDuration(d, "--ttl"))).toEqual([
      2_592_000, 43_200, 5_400, 3_600, 3_600, 604_800, 0, 0,
    ]);
    expect(() => parseDuration("30 days", "--ttl")).toThrow(
      new UsageError("--ttl must be a duration like 30d, 12h, 90m or 3600s (or 'never'), got '30 days'"),
    );
  });
});

describe("runCli command line", () => {
  test("--version and help exit 0 on stdout", async () => {
    expect(await mx("--version")).toEqual({ code: 0, out: `mx ${VERSION}\n`, err: "" });
    const help = await mx("--help");
    expect({ code: help.code, err: help.err, first: help.out.split("\n")[0] }).toEqual({
      code: 0,
      err: "",
      first: "mx: the command-line client of the Migratrix control API",
    });
    expect((await mx("help")).out).toBe(help.out);
    expect((await mx("help", "env")).out).toBe((await mx("env", "--help")).out);
    expect((await mx("help", "env", "create")).out).toBe((await mx("env", "create", "--help")).out);
    expect((await mx("help", "whoami")).out).toBe((await mx("whoami", "-h")).out);
    const envHelp = await mx("env", "--help");
    expect(envHelp.out.split("\n").slice(0, 5)).toEqual([
      "Usage: mx env <list|create> [options]",
      "",
      "Commands:",
      "  env list         list the environments in pipeline order",
      "  env create NAME  create an environment",
    ]);
    const createHelp = await mx("env", "create", "-h");
    expect(createHelp.out.split("\n").slice(0, 9)).toEqual([
      "Usage: mx env create NAME [options]",
      "",
      "Create an environment.",
      "",
      "Options:",
      "  --position N   place in the pipeline (dev=1, qa=2, prod=3 …)",
      "  --approvals N  approvals a migration needs here (default 0)",
      "  --protected    read-only for explorer queries (production)",
      "",
    ]);
  });

  test.each([
    [[], "error: no command given\nrun 'mx --help' for usage\n"],
    [["nope"], "error: unknown command 'nope'\nrun 'mx --help' for usage\n"],
    [["env"], "error: 'mx env' needs a command: list, create\nrun 'mx env --help' for usage\n"],
    [["env", "drop"], "error: unknown command 'env drop' (try: list, create)\nrun 'mx env --help' for usage\n"],
    [["env", "create"], "error: NAME is missing\nrun 'mx env create --help' for usage\n"],
    [["env", "list", "extra"], "error: unexpected argument 'extra'\nrun 'mx env list --help' for usage\n"],
    [
      ["env", "create", "qa", "--position", "two"],
      "error: --position must be a non-negative integer, got 'two'\nrun 'mx env create --help' for usage\n",
    ],
    [["migration", "run", "m1"], "error: --env is required\nrun 'mx migration run --help' for usage\n"],
    [
      ["connection", "add", "main", "--env", "dev", "--url", "ftp://u:pw@h/x"],
      "error: --url: URL scheme \"ftp:\" names no known database engine (known: postgres: postgresql: mysql: mariadb: sqlite: sqlserver: mssql: oracle: clickhouse:)\nrun 'mx connection add --help' for usage\n",
    ],
    [
      ["schema", "main"],
      "error: expected ENV/CONNECTION (e.g. dev/main), got 'main'\nrun 'mx schema --help' for usage\n",
    ],
    [
      ["token", "create", "ci", "--ttl", "soon"],
      "error: --ttl must be a duration like 30d, 12h, 90m or 3600s (or 'never'), got 'soon'\nrun 'mx token create --help' for usage\n",
    ],
    [
      ["migration", "create", "x.sql", "--engine", "db2"],
      "error: unknown engine 'db2': expected one of postgresql, mysql, mariadb, sqlserver, oracle, clickhouse, sqlite\nrun 'mx migration create --help' for usage\n",
    ],
    [
      ["env", "list", "--server", "localhost:8080"],
      "error: --server must be an http(s) URL, got 'localhost:8080'\nrun 'mx env list --help' for usage\n",
    ],
  ])("%j exits 2", async (argv, err) => {
    expect(await mx(...argv)).toEqual({ code: 2, out: "", err });
  });
});
