// Type names as format_type prints them, and which changes only widen (need no backup).
import { arr, at, type Node, names, obj, str } from "./sql.ts";

const ALIASES: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  varchar: "character varying",
  bpchar: "character",
  timestamptz: "timestamp with time zone",
  timestamp: "timestamp without time zone",
  timetz: "time with time zone",
  time: "time without time zone",
};

/** A parsed TypeName as format_type prints it: "character varying(20)", "numeric(10,2)", "integer[]". */
export function formatTypeName(t: Node | undefined): string {
  const parts = names(arr(t, "names")).filter((p) => p !== "pg_catalog");
  const base = parts.join(".");
  const name = ALIASES[base] ?? base;
  const mods = arr(t, "typmods").map(ival);
  const suffix = arr(t, "arrayBounds").length > 0 ? "[]" : "";
  const withMods = mods.length > 0 ? insertMods(name, mods.join(",")) : name;
  return withMods + suffix;
}

// protobuf JSON leaves a zero out: `ival: {}` is 0.
function ival(m: Node): string {
  const v = at(m, "A_Const", "ival", "ival");
  if (typeof v === "number") return String(v);
  return str(m, "A_Const", "sval", "sval") ?? (obj(m, "A_Const", "ival") ? "0" : "");
}

// Time types put their precision before "with/without time zone".
function insertMods(name: string, mods: string): string {
  const m = /^(timestamp|time)( with(out)? time zone)$/.exec(name);
  return m ? `${m[1]}(${mods})${m[2]}` : `${name}(${mods})`;
}

const INT_RANK: Record<string, number> = { smallint: 1, integer: 2, bigint: 3 };

/** True when every value of `from` fits `to` unchanged, so the old values need no backup. */
export function isWidening(from: string, to: string): boolean {
  if (from === to) return true;
  const fi = INT_RANK[from];
  const ti = INT_RANK[to];
  if (fi !== undefined && (ti !== undefined || to === "numeric" || to === "text")) return ti === undefined || ti >= fi;
  const vf = /^character varying(?:\((\d+)\))?$/.exec(from);
  if (vf && to === "text") return true;
  const vt = /^character varying(?:\((\d+)\))?$/.exec(to);
  if (vf && vt) return vt[1] === undefined || (vf[1] !== undefined && Number(vt[1]) >= Number(vf[1]));
  const nf = /^numeric\((\d+),(\d+)\)$/.exec(from);
  const nt = /^numeric(?:\((\d+),(\d+)\))?$/.exec(to);
  if (nf && nt) {
    if (nt[1] === undefined) return true;
    return Number(nt[2]) >= Number(nf[2]) && Number(nt[1]) - Number(nt[2]) >= Number(nf[1]) - Number(nf[2]);
  }
  return false;
}
