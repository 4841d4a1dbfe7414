// Test helper: the snapshot fields of a SchemaImpact as an agent packs them.
import { gzipSync } from "node:zlib";

/** Plain JSON, or (with a byte limit it does not fit) gzip+base64, or omitted like the agent does. */
export function packSnapshotForTest(json: string, limit = 700 * 1024) {
  if (Buffer.byteLength(json) <= limit) return { snapshotJson: json };
  const packed = gzipSync(json).toString("base64");
  if (packed.length <= limit) return { snapshotJson: packed, snapshotEncoding: "gzip+base64" };
  return { snapshotOmitted: `too big for one bus message (limit ${limit})` };
}
