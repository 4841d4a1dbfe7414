// The PostgreSQL parser on a worker thread (parse-client.ts starts it for a big script): it parses
// the texts it is sent, in order, and answers with the parser's JSON text, while the main thread
// runs the rules over the chunks already answered.
import { loadParser, parseRaw, type RawParseAttempt } from "./parser.ts";

/** A request: parse the text; the answer carries the same id. */
export interface ParseRequest {
  id: number;
  text: string;
}

export type ParseReply = { id: number; result: RawParseAttempt } | { failed: string };

declare const self: Worker;

const loaded = loadParser();

// Set before the first await: a request that arrives while the module compiles waits for it, in order.
self.onmessage = async (event: MessageEvent<ParseRequest>) => {
  const { id, text } = event.data;
  try {
    await loaded;
  } catch (err) {
    self.postMessage({ failed: err instanceof Error ? err.message : String(err) } satisfies ParseReply);
    return;
  }
  self.postMessage({ id, result: parseRaw(text) } satisfies ParseReply);
};
