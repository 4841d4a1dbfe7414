import { describe, expect, test } from "bun:test";
import { MigratrixError } from "../../common/errors.ts";
import { createGitOpsRuntime } from "./runtime.ts";
import { createSecretBox, parseSecretKey } from "./secrets.ts";
import { githubSignature, verifyGitHubSignature, verifyGitLabToken } from "./signature.ts";

const enc = (s: string) => new TextEncoder().encode(s);
// GitHub's published example (docs.github.com, "Validating webhook deliveries").
const VECTOR = {
  secret: "It's a Secret to Everybody",
  body: "Hello, World!",
  header: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
};

describe("GitHub X-Hub-Signature-256", () => {
  test.each([
    ["the published test vector", VECTOR.header, VECTOR.body, { ok: true }],
    ["upper-case hex", VECTOR.header.toUpperCase().replace("SHA256=", "sha256="), VECTOR.body, { ok: true }],
    ["a tampered body", VECTOR.header, "Hello, World?", { ok: false, reason: "mismatch" }],
    [
      "another secret's signature",
      githubSignature("other", enc(VECTOR.body)),
      VECTOR.body,
      { ok: false, reason: "mismatch" },
    ],
    ["no header", null, VECTOR.body, { ok: false, reason: "missing" }],
    ["an empty header", "", VECTOR.body, { ok: false, reason: "missing" }],
    ["sha1 instead", "sha1=0123456789abcdef0123456789abcdef01234567", VECTOR.body, { ok: false, reason: "malformed" }],
    ["a truncated digest", VECTOR.header.slice(0, 40), VECTOR.body, { ok: false, reason: "malformed" }],
  ] as const)("%s", (_name, header, body, expected) => {
    expect(verifyGitHubSignature(VECTOR.secret, enc(body), header)).toEqual(expected);
  });

  test("githubSignature produces the vector", () => {
    expect(githubSignature(VECTOR.secret, enc(VECTOR.body))).toBe(VECTOR.header);
  });
});

describe("GitLab X-Gitlab-Token", () => {
  test.each([
    ["the secret", "s3cret-token", { ok: true }],
    ["another token", "s3cret-tokem", { ok: false, reason: "mismatch" }],
    ["a prefix", "s3cret", { ok: false, reason: "mismatch" }],
    ["no header", null, { ok: false, reason: "missing" }],
  ] as const)("%s", (_name, header, expected) => {
    expect(verifyGitLabToken("s3cret-token", header)).toEqual(expected);
  });
});

describe("secret box (AES-256-GCM under MIGRATRIX_SECRET_KEY)", () => {
  const key = parseSecretKey("11".repeat(32));
  const box = createSecretBox(key);

  test("seals and opens in its context; the ciphertext differs each time and hides the secret", () => {
    const a = box.seal("hunter2-webhook", "gitops:w:repo:webhook");
    const b = box.seal("hunter2-webhook", "gitops:w:repo:webhook");
    expect({ differ: a !== b, leaks: a.includes("hunter2"), opened: box.open(a, "gitops:w:repo:webhook") }).toEqual({
      differ: true,
      leaks: false,
      opened: "hunter2-webhook",
    });
  });

  test.each([
    ["another context (a row copied to another link)", (s: string) => s, "gitops:w:other:webhook"],
    ["a flipped byte", (s: string) => `v1:${flip(s.slice(3))}`, "gitops:w:repo:webhook"],
  ])("%s does not open", (_name, change, context) => {
    const sealed = change(box.seal("hunter2", "gitops:w:repo:webhook"));
    expect(() => box.open(sealed, context)).toThrow(MigratrixError);
  });

  test("another key does not open it", () => {
    const sealed = box.seal("hunter2", "c");
    expect(() => createSecretBox(parseSecretKey(Buffer.alloc(32, 2).toString("base64"))).open(sealed, "c")).toThrow(
      /does not open with MIGRATRIX_SECRET_KEY/,
    );
  });

  test.each([
    ["missing", undefined, "failed_precondition"],
    ["too short", "abcd", "invalid_argument"],
    ["31 bytes of base64", Buffer.alloc(31, 1).toString("base64"), "invalid_argument"],
  ])("a key that is %s is refused", (_name, text, code) => {
    let caught: MigratrixError | undefined;
    try {
      parseSecretKey(text);
    } catch (err) {
      caught = err as MigratrixError;
    }
    expect(caught?.code).toBe(code as MigratrixError["code"]);
  });

  test("hex and base64 of the same bytes give the same key", () => {
    const bytes = Buffer.alloc(32, 7);
    expect(parseSecretKey(bytes.toString("hex"))).toEqual(parseSecretKey(bytes.toString("base64")));
  });
});

describe("GitOps runtime", () => {
  test("without a key GitOps is off and says why; a malformed key is refused at start", () => {
    const off = createGitOpsRuntime({ cacheDir: "/nonexistent" });
    let code = "";
    let message = "";
    try {
      off.box();
    } catch (err) {
      code = (err as MigratrixError).code;
      message = (err as MigratrixError).message;
    }
    expect({ code, mentionsKey: message.includes("MIGRATRIX_SECRET_KEY") }).toEqual({
      code: "failed_precondition",
      mentionsKey: true,
    });
    expect(() => createGitOpsRuntime({ secretKey: "not-a-key" })).toThrow(/MIGRATRIX_SECRET_KEY must be 32 bytes/);
  });
});

function flip(b64: string): string {
  const bytes = Buffer.from(b64, "base64");
  bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
  return bytes.toString("base64");
}
