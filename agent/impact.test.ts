import { expect, test } from "bun:test";
import { gunzipSync } from "node:zlib";
import { packSnapshot } from "./impact.ts";

const repetitive = JSON.stringify({ tables: Array.from({ length: 200 }, (_, i) => ({ name: `t${i % 3}` })) });
const noise = Buffer.from(crypto.getRandomValues(new Uint8Array(3000))).toString("hex");

test.each<[string, string, number, { encoding: string; omitted: string | RegExp }]>([
  ["fits as is", '{"version":1}', 100, { encoding: "", omitted: "" }],
  ["too big plain, fits gzip+base64", repetitive, 1000, { encoding: "gzip+base64", omitted: "" }],
  [
    "too big even compressed: omitted, saying why",
    noise,
    1000,
    { encoding: "", omitted: /^snapshot of 6000 bytes is \d+ bytes gzip\+base64, over the 1000-byte limit/ },
  ],
])("%s", (_name, json, limit, want) => {
  const p = packSnapshot(json, limit);
  const decoded =
    p.snapshotEncoding === "gzip+base64"
      ? gunzipSync(Buffer.from(p.snapshotJson, "base64")).toString("utf8")
      : p.snapshotJson;
  expect({
    encoding: p.snapshotEncoding,
    omitted: p.snapshotOmitted,
    roundTrip: want.omitted === "" ? decoded : "",
    withinLimit: p.snapshotJson.length <= limit,
  }).toEqual({
    encoding: want.encoding,
    omitted: typeof want.omitted === "string" ? want.omitted : expect.stringMatching(want.omitted),
    roundTrip: want.omitted === "" ? json : "",
    withinLimit: true,
  });
});
