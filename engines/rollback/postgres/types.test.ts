import { expect, test } from "bun:test";
import { isWidening } from "./types.ts";

test.each([
  ["integer", "bigint", true],
  ["bigint", "integer", false],
  ["smallint", "numeric", true],
  ["character varying(10)", "character varying(20)", true],
  ["character varying(20)", "character varying(10)", false],
  ["character varying(20)", "text", true],
  ["character varying(20)", "character varying", true],
  ["text", "character varying(20)", false],
  ["numeric(10,2)", "numeric(12,2)", true],
  ["numeric(10,2)", "numeric(10,0)", false],
  ["numeric(10,2)", "numeric(10,3)", false],
  ["numeric(10,2)", "numeric", true],
  ["timestamp with time zone", "date", false],
])("%s → %s widens: %p", (from, to, want) => {
  expect(isWidening(from, to)).toBe(want);
});
