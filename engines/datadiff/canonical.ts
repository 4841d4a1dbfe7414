// Canonical text in JS, for engines that return raw values (SQLite) and for the row hash they
// cannot compute in SQL. It must agree byte for byte with the SQL forms in engines/<engine>/datadiff.ts
// (canonical.int.test.ts checks every class on every engine).
import { createHash } from "node:crypto";
import { MigratrixError } from "../../common/errors.ts";
import type { ValueClass } from "./types.ts";

const utf8 = new TextDecoder();

/** "1.2300" → "1.23", "5.000" → "5", "-0.0" → "0"; text without a point is left alone. */
export function trimScale(text: string): string {
  if (!text.includes(".")) return text;
  const t = text.replace(/0+$/, "").replace(/\.$/, "");
  return t === "-0" ? "0" : t;
}

/** A JS number in plain decimal notation (never exponent form), as a database prints a decimal. */
function plainDecimal(n: number): string {
  const s = String(n);
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign = "", lead = "", frac = "", expText = "0"] = m;
  const exp = Number(expText);
  const digits = lead + frac;
  if (exp >= 0) return sign + digits.padEnd(exp + 1, "0");
  return `${sign}0.${"0".repeat(-exp - 1)}${digits}`;
}

const pad = (n: number, w: number) => String(n).padStart(w, "0");

/** Date → "YYYY-MM-DDTHH:MM:SS.ffffff" in UTC, microseconds zero-filled (a Date holds milliseconds). */
export function isoMicros(d: Date, extraMicros = 0): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}` +
    `T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}` +
    `.${pad(d.getUTCMilliseconds() * 1000 + extraMicros, 6)}`
  );
}

const TS = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** A stored timestamp (ISO text with or without offset, or Unix seconds) → canonical UTC micros. */
export function canonicalTimestamp(value: unknown): string {
  if (value instanceof Date) return isoMicros(value);
  if (typeof value === "number" || typeof value === "bigint") return isoMicros(new Date(Number(value) * 1000));
  const text = String(value).trim();
  const m = TS.exec(text);
  if (!m) return text;
  const [, date = "", hh = "00", mi = "00", ss = "00", frac = "", zone] = m;
  const micros = frac.padEnd(6, "0").slice(0, 6);
  const naive = `${date}T${hh}:${mi}:${ss}.${micros}`;
  if (!zone || zone.toUpperCase() === "Z") return naive;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offsetMin = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0"));
  const ms = Date.parse(`${date}T${hh}:${mi}:${ss}Z`) - offsetMin * 60_000;
  return isoMicros(new Date(ms), 0).slice(0, 20) + micros;
}

function toText(value: unknown): string {
  if (value instanceof Uint8Array) return utf8.decode(value);
  return String(value);
}

/** Canonical text of one raw value of the given class; null and undefined stay null. */
export function canonicalValue(cls: ValueClass, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (cls) {
    case "int":
      return typeof value === "number" ? plainDecimal(value) : toText(value);
    case "decimal":
      return typeof value === "number" ? trimScale(plainDecimal(value)) : trimScale(toText(value));
    case "float":
      return typeof value === "number" ? String(value) : toText(value);
    case "bool": {
      if (typeof value === "number" || typeof value === "bigint") return Number(value) !== 0 ? "1" : "0";
      if (typeof value === "boolean") return value ? "1" : "0";
      const t = toText(value).toLowerCase();
      if (t === "true" || t === "t") return "1";
      if (t === "false" || t === "f") return "0";
      return Number(t) !== 0 ? "1" : "0";
    }
    case "bytes":
      return value instanceof Uint8Array
        ? Buffer.from(value).toString("hex")
        : Buffer.from(toText(value)).toString("hex");
    case "date":
      return value instanceof Date ? isoMicros(value).slice(0, 10) : toText(value).slice(0, 10);
    case "timestamp":
    case "timestamptz":
      return canonicalTimestamp(value);
    default:
      return toText(value);
  }
}

/**
 * The text a row hash is taken over: per value "N" for NULL, else "<UTF-8 byte length>:<text>".
 * Length-prefixed, so no value can run into the next and NULL differs from "".
 */
export function encodeRow(values: readonly (string | null)[]): string {
  let s = "";
  for (const v of values) s += v === null ? "N" : `${Buffer.byteLength(v, "utf8")}:${v}`;
  return s;
}

/** First 64 bits of md5(text) as an unsigned integer, as the SQL forms compute it. */
export function rowHash64(encoded: string): bigint {
  return BigInt(`0x${createHash("md5").update(encoded, "utf8").digest("hex").slice(0, 16)}`);
}

/** A database's aggregate (signed bigint, unsigned, decimal text) → unsigned 64-bit. */
export function toUint64(value: unknown): bigint {
  if (value === null || value === undefined) return 0n;
  if (typeof value === "bigint") return BigInt.asUintN(64, value);
  const text = String(value);
  if (!/^-?\d+$/.test(text)) throw new MigratrixError("internal", `row hash aggregate is not an integer: ${text}`);
  return BigInt.asUintN(64, BigInt(text));
}
