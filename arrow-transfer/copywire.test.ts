import { describe, expect, test } from "bun:test";
import { errorOf } from "../bus/contract-helpers.ts";
import { copyDataFrame, copyDataPayloads, copyOutSplitter } from "./copywire.ts";

/** One protocol message: type byte, int32 length (itself included), body. */
function msg(type: string, body: Buffer | string = ""): Buffer {
  const b = typeof body === "string" ? Buffer.from(body) : body;
  const m = Buffer.alloc(5 + b.length);
  m.write(type, 0, "latin1");
  m.writeUInt32BE(b.length + 4, 1);
  b.copy(m, 5);
  return m;
}

const rows = [
  Buffer.from("PGCOPY\n\xff\r\n\0header", "latin1"),
  Buffer.alloc(0),
  Buffer.alloc(70_000, 7),
  Buffer.from("last"),
];
const before = [msg("1"), msg("2"), msg("n"), msg("H", Buffer.from([1, 0, 2, 0, 1, 0, 1]))];
const after = [msg("c"), msg("C", "COPY 3\0"), msg("Z", "I")];

/** Feeds `stream` cut at `cuts` and returns what went to postgres.js and what was taken. */
function split(stream: Buffer, cuts: number[]) {
  const passed: Buffer[] = [];
  const taken: Buffer[] = [];
  const s = copyOutSplitter((b) => taken.push(Buffer.from(b)));
  let at = 0;
  for (const c of [...cuts, stream.length]) {
    // As the connection does: once the copy ended the rest goes to postgres.js directly.
    if (s.done()) passed.push(stream.subarray(at, c));
    else s.tap(stream.subarray(at, c), (b) => passed.push(Buffer.from(b)));
    at = c;
  }
  return { passed: Buffer.concat(passed), taken: Buffer.concat(taken), done: s.done(), pieces: taken.length };
}

describe("copyOutSplitter", () => {
  const cases: { name: string; messages: Buffer[]; expectPassed: Buffer[]; expectTaken: Buffer[] }[] = [
    {
      name: "a whole COPY: CopyData after CopyOutResponse taken, everything else passed",
      messages: [...before, ...rows.map((r) => msg("d", r)), ...after],
      expectPassed: [...before, ...after],
      expectTaken: rows.map((r) => msg("d", r)),
    },
    {
      name: "an error in the middle: the rows before it taken, the error and the rest passed",
      messages: [...before, msg("d", rows[0]), msg("E", "SERROR\0C57014\0\0"), msg("d", "x"), msg("Z", "I")],
      expectPassed: [...before, msg("E", "SERROR\0C57014\0\0"), msg("d", "x"), msg("Z", "I")],
      expectTaken: [msg("d", rows[0])],
    },
    {
      name: "an error before the copy started: nothing taken",
      messages: [msg("1"), msg("E", "SERROR\0C42601\0\0"), msg("Z", "I")],
      expectPassed: [msg("1"), msg("E", "SERROR\0C42601\0\0"), msg("Z", "I")],
      expectTaken: [],
    },
  ];
  for (const c of cases) {
    test(`${c.name}, cut at every byte and in one piece`, () => {
      const stream = Buffer.concat(c.messages);
      const want = { passed: Buffer.concat(c.expectPassed), taken: Buffer.concat(c.expectTaken), done: true };
      const whole = split(stream, []);
      expect({ passed: whole.passed, taken: whole.taken, done: whole.done }).toEqual(want);
      // One run per read, never one piece per row.
      expect(whole.pieces).toBe(c.expectTaken.length > 0 ? 1 : 0);
      for (let i = 1; i < stream.length; i += i < 200 ? 1 : 997) {
        const r = split(stream, [i]);
        expect({ passed: r.passed, taken: r.taken, done: r.done }).toEqual(want);
      }
      for (let i = 1; i + 3 < stream.length; i += 61) {
        const r = split(stream, [i, i + 1, i + 3]);
        expect({ passed: r.passed, taken: r.taken, done: r.done }).toEqual(want);
      }
    });
  }
});

describe("CopyData payloads", () => {
  async function* pieces(b: Buffer, size: number) {
    for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
  }
  async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
    const out: Buffer[] = [];
    for await (const b of it) out.push(b);
    return Buffer.concat(out);
  }

  test("messages cut anywhere give back the bytes they carry; framing a payload is the inverse", async () => {
    const frames = Buffer.concat(rows.map((r) => copyDataFrame(r)));
    expect(frames).toEqual(Buffer.concat(rows.map((r) => msg("d", r))));
    for (const size of [1, 2, 3, 4, 5, 6, 7, 13, 4096, frames.length]) {
      expect(await collect(copyDataPayloads(pieces(frames, size)))).toEqual(Buffer.concat(rows));
    }
  });

  test("other messages or a cut message are data loss", async () => {
    expect(await errorOf(collect(copyDataPayloads(pieces(msg("C", "COPY 1\0"), 3))))).toEqual({
      code: "data_loss",
      message: "the COPY's bytes are not CopyData messages",
    });
    expect(await errorOf(collect(copyDataPayloads(pieces(msg("d", "abc").subarray(0, 6), 4))))).toEqual({
      code: "data_loss",
      message: "the COPY's bytes ended inside a row",
    });
  });
});
