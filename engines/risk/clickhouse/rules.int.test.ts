// The ClickHouse facts the rules rely on, checked against a real clickhouse-server (Debian's 18.16)
// started by this file on free local ports: a MergeTree table needs a sorting key, Nullable cannot
// wrap an Array, a new column without DEFAULT reads the type's default, ALTER … UPDATE is a
// background mutation, TRUNCATE and DROP PARTITION delete at once, and there is no BEGIN.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assess } from "../assess.ts";

const BIN = Bun.which("clickhouse-server");
// CI machines have PostgreSQL, MariaDB and NATS only: without the binary these claims cannot be checked.
const SKIP_REASON = "clickhouse-server is not installed (Debian: apt-get install clickhouse-server)";

function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

let dir = "";
let server: ReturnType<typeof Bun.spawn> | undefined;
let url = "";

async function q(sql: string): Promise<{ ok: boolean; text: string }> {
  const res = await fetch(url, { method: "POST", body: sql });
  return { ok: res.ok, text: (await res.text()).trim() };
}

async function checks(sql: string) {
  const r = await assess(sql, { engine: "clickhouse" });
  return r.statements.flatMap((s) => s.findings.map((f) => `${f.check} ${f.level}`));
}

describe.skipIf(BIN === null)(`ClickHouse engine facts (${BIN === null ? `skipped: ${SKIP_REASON}` : BIN})`, () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "mx-risk-ch-"));
    const http = freePort();
    const tcp = freePort();
    url = `http://127.0.0.1:${http}/`;
    writeFileSync(
      join(dir, "config.xml"),
      `<?xml version="1.0"?><yandex><logger><level>information</level><console>1</console></logger>
<http_port>${http}</http_port><tcp_port>${tcp}</tcp_port><listen_host>127.0.0.1</listen_host>
<path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path><user_files_path>${dir}/files/</user_files_path>
<format_schema_path>${dir}/schemas/</format_schema_path><mark_cache_size>5368709</mark_cache_size>
<users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database></yandex>`,
    );
    writeFileSync(
      join(dir, "users.xml"),
      `<?xml version="1.0"?><yandex><profiles><default></default></profiles><users><default><password></password>
<networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
<quotas><default></default></quotas></yandex>`,
    );
    server = Bun.spawn([BIN ?? "", `--config-file=${join(dir, "config.xml")}`], { stdout: "pipe", stderr: "pipe" });
    // Ready when the server says so on its console log; the log is drained to the end so it never blocks.
    const decoder = new TextDecoder();
    let log = "";
    const ready = Promise.withResolvers<void>();
    const stderr = server.stderr as ReadableStream<Uint8Array>;
    void (async () => {
      for await (const chunk of stderr) {
        if (log.length < 100_000) log += decoder.decode(chunk);
        if (log.includes("Ready for connections")) ready.resolve();
      }
      ready.reject(new Error(`clickhouse-server did not start:\n${log.slice(-2000)}`));
    })();
    await ready.promise;
  }, 30_000);

  afterAll(async () => {
    // A scratch server: no graceful shutdown needed.
    server?.kill("SIGKILL");
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  test("MergeTree without ORDER BY fails (missing-primary-key High); ORDER BY tuple() works (Medium)", async () => {
    const bare = "CREATE TABLE logs_a (line String) ENGINE = MergeTree";
    expect((await q(bare)).ok).toBe(false);
    expect(await checks(bare)).toEqual(["missing-primary-key High"]);
    const tuple = "CREATE TABLE logs_b (line String) ENGINE = MergeTree ORDER BY tuple()";
    expect((await q(tuple)).ok).toBe(true);
    expect(await checks(tuple)).toEqual(["missing-primary-key Medium"]);
  });

  test("Nullable(Array(…)) is refused (unsupported-type High)", async () => {
    const sql = "CREATE TABLE na (id UInt64, tags Nullable(Array(String))) ENGINE = MergeTree ORDER BY id";
    const r = await q(sql);
    expect(r.ok).toBe(false);
    expect(r.text).toContain("cannot be inside Nullable");
    expect(await checks(sql)).toEqual(["unsupported-type High"]);
  });

  test("ADD COLUMN without DEFAULT: existing rows read 0 and '' (not-null-without-default Low)", async () => {
    await q("CREATE TABLE addc (id UInt64) ENGINE = MergeTree ORDER BY id");
    await q("INSERT INTO addc (id) VALUES (1)");
    const sql = "ALTER TABLE addc ADD COLUMN n UInt32, ADD COLUMN s String";
    expect((await q(sql)).ok).toBe(true);
    expect(JSON.parse((await q("SELECT id, n, s FROM addc FORMAT JSONEachRow")).text)).toEqual({
      id: "1",
      n: 0,
      s: "",
    });
    expect(await checks(sql)).toEqual(["not-null-without-default Low", "not-null-without-default Low"]);
  });

  test("ALTER TABLE … UPDATE is a mutation in system.mutations (heavy-mutation High)", async () => {
    await q("CREATE TABLE mut (id UInt64, s String) ENGINE = MergeTree ORDER BY id");
    await q("INSERT INTO mut (id, s) VALUES (1, 'a'), (2, 'b')");
    const sql = "ALTER TABLE mut UPDATE s = 'x' WHERE id = 1";
    expect((await q(sql)).ok).toBe(true);
    expect((await q("SELECT count() FROM system.mutations WHERE table = 'mut'")).text).toBe("1");
    expect(await checks(sql)).toEqual(["heavy-mutation High"]);
  });

  test("TRUNCATE and DROP PARTITION delete at once (truncate Critical)", async () => {
    await q("CREATE TABLE tr (d Date, id UInt64) ENGINE = MergeTree PARTITION BY toYYYYMM(d) ORDER BY id");
    await q("INSERT INTO tr (d, id) VALUES ('2024-01-05', 1), ('2024-02-05', 2)");
    expect((await q("ALTER TABLE tr DROP PARTITION 202401")).ok).toBe(true);
    expect((await q("SELECT count() FROM tr")).text).toBe("1");
    expect((await q("TRUNCATE TABLE tr")).ok).toBe(true);
    expect((await q("SELECT count() FROM tr")).text).toBe("0");
    expect(await checks("ALTER TABLE tr DROP PARTITION 202401;\nTRUNCATE TABLE tr")).toEqual([
      "truncate Critical",
      "truncate Critical",
    ]);
  });

  test("there is no BEGIN TRANSACTION (transaction-control Medium)", async () => {
    const r = await q("BEGIN TRANSACTION");
    expect(r.ok).toBe(false);
    expect(r.text).toContain("Syntax error");
    expect(await checks("BEGIN TRANSACTION")).toEqual(["transaction-control Medium"]);
  });
});
