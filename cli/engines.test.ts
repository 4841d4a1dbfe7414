import { describe, expect, test } from "bun:test";
import { Engine } from "../proto/gen/migratrix/agent/v1/engine_pb.ts";
import { engineLabel, engineOfUrl, parseEngine } from "./engines.ts";
import { UsageError } from "./errors.ts";

describe("engines", () => {
  test("the engine of a URL comes from the registry; a wrong one is a usage error without the URL", async () => {
    expect(
      await Promise.all(
        ["postgres://u:secret@127.0.0.1:5432/app", "mariadb://root@127.0.0.1/test", "sqlite:///var/db/app.sqlite"].map(
          engineOfUrl,
        ),
      ),
    ).toEqual(["postgresql", "mariadb", "sqlite"]);
    let message = "";
    try {
      await engineOfUrl("redis://user:hunter2@h:6379");
    } catch (err) {
      message = err instanceof UsageError ? err.message : "not a usage error";
    }
    expect({ named: message.startsWith("--url: "), leaked: message.includes("hunter2") }).toEqual({
      named: true,
      leaked: false,
    });
  });

  test("--engine names and aliases", async () => {
    expect(await Promise.all(["PostgreSQL", "pg", "postgres", "mssql", "sqlite"].map(parseEngine))).toEqual([
      "postgresql",
      "postgresql",
      "postgresql",
      "sqlserver",
      "sqlite",
    ]);
    await expect(parseEngine("db2")).rejects.toThrow(
      new UsageError(
        "unknown engine 'db2': expected one of postgresql, mysql, mariadb, sqlserver, oracle, clickhouse, sqlite",
      ),
    );
  });

  test("labels come from the proto enum and never throw", () => {
    expect([Engine.POSTGRESQL, Engine.SQLSERVER, Engine.UNSPECIFIED, 99 as Engine].map(engineLabel)).toEqual([
      "postgresql",
      "sqlserver",
      "unspecified",
      "engine(99)",
    ]);
  });
});
