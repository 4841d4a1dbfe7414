// mx backup list|purge --env (through the platform) and mx backup retention: argument checks with
// no server, and what the CLI sends and prints against a hand-written BackupService.
import { afterAll, expect, test } from "bun:test";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  type BackupSchema,
  BackupService,
  type PurgeBackupsRequest,
} from "../../proto/gen/migratrix/control/v1/backup_pb.ts";
import { runCli } from "../main.ts";
import { captureIo, startFakeControl } from "../testing.ts";

test.each<[string, string[], string]>([
  ["--env and --url", ["backup", "list", "--env", "dev", "--url", "sqlite:///x.db"], "either --env"],
  [
    "--connection without --env",
    ["backup", "list", "--connection", "app", "--url", "sqlite:///x.db"],
    "--connection goes with --env",
  ],
  ["purge without a filter", ["backup", "purge", "--env", "dev"], "--migration ID or --older-than AGE"],
  ["purge --all on the platform", ["backup", "purge", "--env", "dev", "--all"], "--all is local mode only"],
  ["a bad age", ["backup", "purge", "--env", "dev", "--older-than", "7w"], "expected a number and m, h or d"],
  ["retention without days", ["backup", "retention", "--env", "dev"], "--keep-days N is required"],
])("%s (exit 2)", async (_name, args, message) => {
  const io = captureIo({ env: { MIGRATRIX_HOME: "/nonexistent" } });
  const code = await runCli(args, io);
  expect({ code, mentions: io.err().includes(message) }).toEqual({ code: 2, mentions: true });
});

const backup: MessageInitShape<typeof BackupSchema> = {
  connection: "dev/app",
  table: "m1__s2",
  migrationId: "m1",
  upIndex: 2,
  source: "public.items",
  reason: "DELETE",
  rows: 10n,
  bytes: 16_384n,
  createdAt: timestampFromDate(new Date("2026-05-01T08:00:00Z")),
};
const purges: PurgeBackupsRequest[] = [];
const control = startFakeControl((r) =>
  r.service(BackupService, {
    listBackups: (req) => ({
      backups: req.environment === "dev" ? [backup] : [],
      errors: ["dev/other: agent x did not answer"],
    }),
    purgeBackups: (req) => {
      purges.push(req);
      return { purged: [backup] };
    },
  }),
);
afterAll(() => control.stop());

async function mx(...args: string[]) {
  const io = captureIo({ env: { MIGRATRIX_TOKEN: "t", NO_COLOR: "1" } });
  const code = await runCli([...args, "--server", control.url], io);
  return { code, out: io.out(), err: io.err() };
}

test("list prints each backup with its size, says which connections could not answer, and exits 1 then", async () => {
  const r = await mx("backup", "list", "--env", "dev");
  expect({
    code: r.code,
    row: r.out
      .split("\n")
      .find((l) => l.startsWith("dev/app"))
      ?.split(/\s{2,}/),
    err: r.err.trim(),
  }).toEqual({
    code: 1,
    row: ["dev/app", "m1__s2", "m1", "2", "DELETE", "public.items", "10", "16.0 KiB", "2026-05-01T08:00:00.000Z"],
    err: "could not reach dev/other: agent x did not answer",
  });
});

test("purge sends the filters and prints what was dropped and how much", async () => {
  const r = await mx("backup", "purge", "--env", "dev", "--connection", "app", "--older-than", "7d");
  expect({
    code: r.code,
    first: r.out.split("\n")[0],
    sent: purges.map((p) => ({ env: p.environment, conn: p.connection, mig: p.migrationId, age: p.olderThanMs })),
  }).toEqual({
    code: 0,
    first: "purged 1 backup(s), 16.0 KiB",
    sent: [{ env: "dev", conn: "app", mig: "", age: 7n * 86_400_000n }],
  });
});
