import { describe, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { MigratrixError } from "../common/errors.ts";
import { codeName, describeFailure, isUnreachable, UsageError } from "./errors.ts";

describe("describeFailure", () => {
  test("usage errors exit 2 and point at the command's help", () => {
    expect(describeFailure(new UsageError("--env is required", "migration run"), {})).toEqual({
      lines: ["error: --env is required", "run 'mx migration run --help' for usage"],
      exitCode: 2,
    });
  });

  test("server errors are one line with the Connect code name", () => {
    const wire = new ConnectError('environment "prod" needs 2 approvals', Code.FailedPrecondition);
    wire.isWireError = true;
    expect(describeFailure(wire, { server: "http://localhost:8080" })).toEqual({
      lines: ['error: environment "prod" needs 2 approvals (failed_precondition)'],
      exitCode: 1,
    });
  });

  test("unauthenticated says where the token came from", () => {
    const wire = new ConnectError("token revoked", Code.Unauthenticated);
    wire.isWireError = true;
    expect(describeFailure(wire, { tokenSource: "MIGRATRIX_TOKEN" })).toEqual({
      lines: ["error: token revoked (unauthenticated)", "the token came from MIGRATRIX_TOKEN"],
      exitCode: 1,
    });
  });

  test("a refused connection is 'cannot reach', with credentials in the URL redacted", () => {
    const refused = Object.assign(new TypeError("Unable to connect"), { code: "ECONNREFUSED" });
    const err = ConnectError.from(refused);
    expect(isUnreachable(err)).toBe(true);
    expect(describeFailure(err, { server: "http://admin:pw@127.0.0.1:1" })).toEqual({
      lines: ["error: cannot reach the Migratrix server at http://admin:***@127.0.0.1:1: is it running? (bun start)"],
      exitCode: 1,
    });
  });

  test("local errors never leak secrets", () => {
    expect(describeFailure(new MigratrixError("invalid_argument", "bad url postgres://u:hunter2@h/db"), {})).toEqual({
      lines: ["error: bad url postgres://u:***@h/db (invalid_argument)"],
      exitCode: 1,
    });
    expect(describeFailure(new Error("password=hunter2 rejected"), {})).toEqual({
      lines: ["error: password=*** rejected"],
      exitCode: 1,
    });
  });

  test("code names follow Connect's", () => {
    expect([Code.Canceled, Code.NotFound, Code.Unauthenticated].map(codeName)).toEqual([
      "canceled",
      "not_found",
      "unauthenticated",
    ]);
  });
});
