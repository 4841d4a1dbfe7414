// VerifyAudit and ExportAudit through the Connect API: the tools `mx audit verify|export` call.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { sql } from "drizzle-orm";
import { createMemoryBus } from "../../bus/index.ts";
import { AuditFormat } from "../../proto/gen/migratrix/control/v1/migration_pb.ts";
import { openStore, type Store } from "../store/index.ts";
import { type Harness, startHarness } from "../test-harness.ts";
import { CSV_COLUMNS, csvLine, jsonLine, listAudit } from "./index.ts";

let store: Store;
let h: Harness;

beforeAll(async () => {
  store = await openStore({});
  h = await startHarness({ store, bus: createMemoryBus() });
});
afterAll(async () => {
  await h.close();
  await h.bus.close();
  await store.close();
});

async function exported(format: AuditFormat, since?: Date): Promise<{ text: string; records: number }> {
  let text = "";
  let records = 0;
  for await (const part of h.api.audit.exportAudit({ format, since: since && timestampFromDate(since) })) {
    text += part.chunk;
    records += part.records;
  }
  return { text, records };
}

describe("audit tools", () => {
  test("CSV quotes what needs quoting", () => {
    const line = csvLine({
      workspaceId: "w",
      seq: 7,
      at: new Date("2026-01-02T03:04:05.000Z"),
      actor: "user:1",
      action: "test",
      environment: null,
      target: 'say "hi", then\nleave',
      correlationId: "c",
      detail: { a: 1 },
      sqlSha256: null,
      prevHash: "p",
      hash: "h",
    });
    expect(line).toBe('7,2026-01-02T03:04:05.000Z,user:1,test,,"say ""hi"", then\nleave",c,"{""a"":1}",,p,h\r\n');
  });

  test("export writes every record in order, as CSV or JSON Lines, and records the export", async () => {
    const before = await listAudit(store.db, h.workspaceId, { limit: 1000 });
    const csv = await exported(AuditFormat.CSV);
    // The export's own record comes first, so the file shows who took it.
    const rows = await listAudit(store.db, h.workspaceId, { limit: 1000 });
    expect(rows.length).toBe(before.length + 1);
    expect(rows.at(-1)?.action).toBe("audit.export");
    expect(csv).toEqual({ text: `${CSV_COLUMNS.join(",")}\r\n${rows.map(csvLine).join("")}`, records: rows.length });
    const json = await exported(AuditFormat.JSON);
    const all = await listAudit(store.db, h.workspaceId, { limit: 1000 });
    expect(json).toEqual({ text: all.map(jsonLine).join(""), records: all.length });
    expect(JSON.parse(json.text.split("\n")[0] ?? "")).toEqual({
      seq: 1,
      at: all[0]?.at.toISOString(),
      actor: "control:bootstrap",
      action: "workspace.create",
      environment: null,
      target: `workspace:${h.workspaceId}`,
      correlationId: all[0]?.correlationId,
      detail: { name: "default" },
      sqlSha256: null,
      prevHash: "0".repeat(64),
      hash: all[0]?.hash,
    });
  });

  test("--since keeps the later records only; a format is required", async () => {
    const future = new Date(Date.now() + 60_000);
    expect(await exported(AuditFormat.JSON, future)).toEqual({ text: "", records: 0 });
    const cut = (await listAudit(store.db, h.workspaceId, { limit: 1000 }))[4]?.at ?? future;
    const got = await exported(AuditFormat.JSON, cut);
    const later = (await listAudit(store.db, h.workspaceId, { limit: 1000 })).filter((r) => r.at >= cut);
    expect(later.length).toBeGreaterThan(1);
    expect(got).toEqual({ text: later.map(jsonLine).join(""), records: later.length });
    await expect(exported(AuditFormat.UNSPECIFIED)).rejects.toThrow("format is required: csv or json");
  });

  test("verify passes an intact chain and names the first tampered record", async () => {
    const ok = await h.api.audit.verifyAudit({});
    const count = BigInt((await listAudit(store.db, h.workspaceId, { limit: 1000 })).length);
    expect({ ok: ok.ok, verified: ok.verified, first: ok.firstBrokenSeq, reason: ok.reason }).toEqual({
      ok: true,
      verified: count,
      first: 0n,
      reason: "",
    });
    await store.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
    try {
      await store.db.execute(
        sql`update audit_log set actor = 'user:mallory' where workspace_id = ${h.workspaceId} and seq = 3`,
      );
    } finally {
      await store.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
    }
    const broken = await h.api.audit.verifyAudit({});
    expect({ ok: broken.ok, verified: broken.verified, first: broken.firstBrokenSeq, reason: broken.reason }).toEqual({
      ok: false,
      verified: 2n,
      first: 3n,
      reason: "content does not match its hash",
    });
  });

  test("the append-only trigger is still in place after the identity migrations", async () => {
    const refused = await store.db
      .execute(sql`update audit_log set actor = 'x' where workspace_id = ${h.workspaceId}`)
      .then(
        () => "not refused",
        (err: Error & { cause?: Error }) => String(err.cause?.message),
      );
    expect(refused).toBe("audit_log is append-only: UPDATE refused");
  });
});
