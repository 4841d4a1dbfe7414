import { describe, expect, test } from "bun:test";
import { subjectMatches, subjectProblem, subjectsOverlap } from "./subject-match.ts";

describe("subjectMatches", () => {
  const cases: [pattern: string, subject: string, expected: boolean][] = [
    ["a.b.c", "a.b.c", true],
    ["a.b.c", "a.b", false],
    ["a.b", "a.b.c", false],
    ["a.*.c", "a.x.c", true],
    ["a.*.c", "a.x.y", false],
    ["a.*", "a.x.y", false],
    ["a.>", "a.x.y", true],
    ["a.>", "a", false],
    [">", "a", true],
    ["mx.*.agent.*.jobs", "mx.ws1.agent.a1.jobs", true],
    ["mx.*.agent.*.jobs", "mx.ws1.agent.a1.events", false],
  ];
  test.each(cases)("%s ~ %s → %p", (pattern, subject, expected) => {
    expect(subjectMatches(pattern, subject)).toEqual(expected);
  });
});

describe("subjectsOverlap", () => {
  const cases: [a: string, b: string, expected: boolean][] = [
    ["a.b", "a.b", true],
    ["a.b", "a.c", false],
    ["a.*", "a.b", true],
    ["a.>", "a.b.c", true],
    ["a.>", "a", false],
    ["a.*", "a.b.c", false],
    ["*.b", "a.*", true],
    [">", "x.y", true],
  ];
  test.each(cases)("%s vs %s → %p", (a, b, expected) => {
    expect(subjectsOverlap(a, b)).toEqual(expected);
    expect(subjectsOverlap(b, a)).toEqual(expected);
  });
});

describe("subjectProblem", () => {
  const cases: [subject: string, wildcards: boolean, expected: string | null][] = [
    ["a.b", false, null],
    ["a.*", true, null],
    ["a.>", true, null],
    ["a.*", false, "contains a wildcard"],
    ["a.>.b", true, 'has ">" before its last token'],
    ["a..b", false, 'has an invalid token "" at position 2'],
    ["a b", false, 'has an invalid token "a b" at position 1'],
    ["", false, "is empty"],
  ];
  test.each(cases)("%p (wildcards %p) → %p", (subject, wildcards, expected) => {
    expect(subjectProblem(subject, { wildcards })).toEqual(expected);
  });
});
