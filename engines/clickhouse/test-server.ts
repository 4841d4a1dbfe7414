// Test support: a scratch clickhouse-server (Debian's 18.16 on the development machines) on free
// local ports under a temp dir, run as the `clickhouse` user, ready when it says so on its log.
// CI machines have no ClickHouse: tests check CLICKHOUSE_SKIP before starting one and print why.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BINARY = ["/usr/bin/clickhouse-server", "/usr/sbin/clickhouse-server"].find((p) => existsSync(p));

/** Why no server can start here (no binary, or not root to switch to its user); undefined when one can. */
export const CLICKHOUSE_SKIP: string | undefined =
  BINARY === undefined
    ? "no clickhouse-server binary on this machine (CI has none; Debian: apt-get install clickhouse-server)"
    : process.getuid?.() !== 0
      ? "starting clickhouse-server as its own user needs root"
      : undefined;

export interface ClickhouseServer {
  /** The HTTP port. */
  http: number;
  /** http://127.0.0.1:PORT/ */
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Starts a server; resolves once it is ready, rejects with the end of its log when it exits first. */
export async function startClickhouseServer(): Promise<ClickhouseServer> {
  if (BINARY === undefined || CLICKHOUSE_SKIP !== undefined) throw new Error(`no ClickHouse here: ${CLICKHOUSE_SKIP}`);
  const dir = await mkdtemp(join(tmpdir(), "mx-ch-"));
  await chmod(dir, 0o755);
  const [http, tcp] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, "config.xml"),
    `<?xml version="1.0"?>
<yandex>
  <logger><level>information</level><console>1</console></logger>
  <http_port>${http}</http_port>
  <tcp_port>${tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
</yandex>
`,
  );
  await writeFile(
    join(dir, "users.xml"),
    `<?xml version="1.0"?>
<yandex>
  <profiles><default></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
  );
  const chown = spawn("chown", ["-R", "clickhouse:clickhouse", dir], { stdio: "inherit" });
  await new Promise((resolve) => chown.on("exit", resolve));
  const pidFile = join(dir, "server.pid");
  const child: ChildProcess = spawn(
    "runuser",
    ["-u", "clickhouse", "--", BINARY, `--config-file=${join(dir, "config.xml")}`, `--pid-file=${pidFile}`],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  // Ready when the server says so (no sleeping); a server that exits first fails with its log.
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      if (log.length < 100_000) log += b.toString();
      if (log.includes("Ready for connections")) resolve();
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`clickhouse-server exited (${code}):\n${log.slice(-2000)}`)));
  });
  const ping = await fetch(`http://127.0.0.1:${http}/ping`);
  if ((await ping.text()) !== "Ok.\n") throw new Error("clickhouse-server does not answer /ping");
  return {
    http,
    url: `http://127.0.0.1:${http}/`,
    async stop() {
      const exited = new Promise((resolve) => child.on("exit", resolve));
      const pid = Number((await readFile(pidFile, "utf8").catch(() => "")).trim());
      if (pid > 0) process.kill(pid, "SIGTERM");
      else child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
