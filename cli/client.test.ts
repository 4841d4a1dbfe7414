import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MigratrixError } from "../common/errors.ts";
import { UsageError } from "./errors.ts";
import { discoverToken, resolveServer } from "./server.ts";

const root = mkdtempSync(join(tmpdir(), "mx-token-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function tree(name: string): { top: string; deep: string } {
  const top = join(root, name);
  const deep = join(top, "a", "b");
  mkdirSync(deep, { recursive: true });
  return { top, deep };
}

describe("discoverToken", () => {
  test("--token wins over MIGRATRIX_TOKEN, which wins over files", () => {
    const { top, deep } = tree("order");
    mkdirSync(join(top, ".migratrix"));
    writeFileSync(join(top, ".migratrix", "admin-token"), "from-file\n");
    expect([
      discoverToken({ flag: "from-flag", env: { MIGRATRIX_TOKEN: "from-env" }, cwd: deep }),
      discoverToken({ flag: undefined, env: { MIGRATRIX_TOKEN: "from-env" }, cwd: deep }),
      discoverToken({ flag: undefined, env: {}, cwd: deep }),
    ]).toEqual([
      { token: "from-flag", source: "--token" },
      { token: "from-env", source: "MIGRATRIX_TOKEN" },
      { token: "from-file", source: join(top, ".migratrix", "admin-token") },
    ]);
  });

  test("the nearest .migratrix wins when walking up", () => {
    const { top, deep } = tree("nearest");
    for (const dir of [top, join(top, "a")]) {
      mkdirSync(join(dir, ".migratrix"));
      writeFileSync(join(dir, ".migratrix", "admin-token"), dir === top ? "outer" : "inner");
    }
    expect(discoverToken({ flag: undefined, env: {}, cwd: deep })).toEqual({
      token: "inner",
      source: join(top, "a", ".migratrix", "admin-token"),
    });
  });

  test("$MIGRATRIX_DIR/admin-token is the last resort, relative to the cwd", () => {
    const { top, deep } = tree("datadir");
    mkdirSync(join(top, "state"));
    writeFileSync(join(top, "state", "admin-token"), "  dir-token \n");
    expect(discoverToken({ flag: undefined, env: { MIGRATRIX_DIR: "../../state" }, cwd: deep })).toEqual({
      token: "dir-token",
      source: join(top, "state", "admin-token"),
    });
  });

  test("a missing token says where it looked", () => {
    const { deep } = tree("missing");
    expect(() => discoverToken({ flag: undefined, env: { MIGRATRIX_DIR: "/nowhere/x" }, cwd: deep })).toThrow(
      new MigratrixError(
        "unauthenticated",
        "no API token: pass --token, set MIGRATRIX_TOKEN, or run 'bun start' to write the local admin token; " +
          `no .migratrix/admin-token in ${deep} or its parents, nor /nowhere/x/admin-token (MIGRATRIX_DIR)`,
      ),
    );
    expect(() => discoverToken({ flag: "", env: { MIGRATRIX_TOKEN: "" }, cwd: deep })).toThrow(
      new MigratrixError(
        "unauthenticated",
        "no API token: pass --token, set MIGRATRIX_TOKEN, or run 'bun start' to write the local admin token; " +
          `no .migratrix/admin-token in ${deep} or its parents, MIGRATRIX_DIR is not set`,
      ),
    );
  });

  test("an empty token file is an error, not a silent fall-through", () => {
    const { top, deep } = tree("empty");
    mkdirSync(join(top, ".migratrix"));
    writeFileSync(join(top, ".migratrix", "admin-token"), "\n");
    expect(() => discoverToken({ flag: undefined, env: {}, cwd: deep })).toThrow(
      new MigratrixError("unauthenticated", `the token file ${join(top, ".migratrix", "admin-token")} is empty`),
    );
  });
});

describe("resolveServer", () => {
  test("flag, then MIGRATRIX_SERVER, then the default; trailing slashes dropped", () => {
    expect([
      resolveServer("http://flag:1/", { MIGRATRIX_SERVER: "http://env:2" }),
      resolveServer(undefined, { MIGRATRIX_SERVER: "https://env:2/api/" }),
      resolveServer(undefined, { MIGRATRIX_SERVER: "" }),
    ]).toEqual(["http://flag:1", "https://env:2/api", "http://localhost:8080"]);
  });

  test("anything but http(s) is a usage error", () => {
    expect(() => resolveServer("nats://127.0.0.1:4222", {})).toThrow(
      new UsageError("--server must be an http(s) URL, got 'nats://127.0.0.1:4222'"),
    );
  });
});
