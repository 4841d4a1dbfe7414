import { expect, test } from "bun:test";
import type { ErrorCode } from "../../common/errors.ts";
import { MigratrixError } from "../../common/errors.ts";
import { parseCron } from "./cron.ts";

const at = (iso: string) => new Date(iso);

test.each<[string, string, string, string]>([
  // expression, reference, latest slot at or before, next slot after
  ["*/15 * * * *", "2026-03-01T10:07:30Z", "2026-03-01T10:00:00.000Z", "2026-03-01T10:15:00.000Z"],
  ["*/15 * * * *", "2026-03-01T10:15:00Z", "2026-03-01T10:15:00.000Z", "2026-03-01T10:30:00.000Z"],
  ["0 2 * * *", "2026-03-01T01:59:59Z", "2026-02-28T02:00:00.000Z", "2026-03-01T02:00:00.000Z"],
  ["0 2 * * 1", "2026-03-04T12:00:00Z", "2026-03-02T02:00:00.000Z", "2026-03-09T02:00:00.000Z"],
  ["30 */6 * * *", "2026-03-01T13:00:00Z", "2026-03-01T12:30:00.000Z", "2026-03-01T18:30:00.000Z"],
  ["*/10 * * * * *", "2026-03-01T10:00:25Z", "2026-03-01T10:00:20.000Z", "2026-03-01T10:00:30.000Z"],
  ["  0   0  1 1 *  ", "2026-06-01T00:00:00Z", "2026-01-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"],
])("%s at %s: latest %s, next %s", (expr, ref, latest, next) => {
  const c = parseCron(expr);
  expect({
    expression: c.expression,
    latest: c.latest(at(ref))?.toISOString(),
    next: c.next(at(ref))?.toISOString(),
  }).toEqual({ expression: expr.trim().replace(/\s+/g, " "), latest, next });
});

test.each<[string, string]>([
  ["", "cron expression is empty"],
  ["bogus", 'cron expression "bogus" is not valid'],
  ["61 * * * *", 'cron expression "61 * * * *" is not valid'],
  ["* * * * * * 2030", 'cron expression "* * * * * * 2030" is not valid'],
])("refuses %j", (expr, message) => {
  let err: unknown;
  try {
    parseCron(expr);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MigratrixError);
  const e = err as MigratrixError;
  expect({ code: e.code as ErrorCode, starts: e.message.startsWith(message) }).toEqual({
    code: "invalid_argument",
    starts: true,
  });
});
