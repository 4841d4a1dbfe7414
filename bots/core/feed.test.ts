// Notification cards: what each kind shows, and what its buttons or reactions act on.
import { describe, expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { NotificationKind, NotificationSchema } from "../../proto/gen/migratrix/control/v1/notification_pb.ts";
import { notificationCard } from "./feed.ts";

const stage = { flow: "release", environment: "prod", migrationId: "20260101_orders", migrationName: "orders" };

describe("notificationCard", () => {
  test("a failed apply: where, which statement, why, and a Rollback of the stage", () => {
    const n = create(NotificationSchema, {
      ...stage,
      kind: NotificationKind.RUN_FAILED,
      operation: "apply",
      riskLevel: "High",
      connection: "prod/main",
      failedStatement: "alter table orders add column x int",
      error: "relation is locked (55P03)",
    });
    expect(notificationCard(n)).toEqual({
      tone: "danger",
      title: "orders failed on prod",
      lines: ["On prod/main", "Failed statement: `alter table orders add column x int`", "relation is locked (55P03)"],
      fields: [
        ["Migration", "20260101_orders"],
        ["Flow / stage", "release / prod"],
        ["Risk", "🟠 High"],
      ],
      rollback: { flow: "release", migration: "20260101_orders", env: "prod" },
    });
  });

  test("a failed rollback offers no second rollback", () => {
    const n = create(NotificationSchema, { ...stage, kind: NotificationKind.RUN_FAILED, operation: "revert" });
    const c = notificationCard(n);
    expect([c.title, c.rollback]).toEqual(["Rollback of orders failed on prod", undefined]);
  });

  test("drift: the connection, the count and the diff as code", () => {
    const n = create(NotificationSchema, {
      kind: NotificationKind.DRIFT_DETECTED,
      environment: "prod",
      connection: "prod/main",
      changes: 1,
      diffText: "+ index orders_x",
      migrationId: "20260101_orders",
    });
    expect(notificationCard(n)).toEqual({
      tone: "warning",
      title: "Drift on prod/main: 1 change",
      lines: [
        "Changed outside Migratrix (live vs expected):",
        "```+ index orders_x```",
        "Expected: the schema after 20260101_orders",
      ],
      fields: [],
    });
  });
});
