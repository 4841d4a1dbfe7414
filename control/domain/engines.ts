// Engine ids as stored and the proto Engine enum on the wire, with the API's wording for a
// missing engine.
import { MigratrixError } from "../../common/errors.ts";
import {
  ENGINE_IDS,
  type EngineId,
  engineIdFromProto,
  isEngineId,
  engineToProto as toProto,
} from "../../engines/index.ts";
import { Engine } from "../../proto/gen/migratrix/agent/v1/engine_pb.ts";

export function engineToProto(id: string): Engine {
  return isEngineId(id) ? toProto(id) : Engine.UNSPECIFIED;
}

export function engineFromProto(engine: Engine, what: string): EngineId {
  if (engine === Engine.UNSPECIFIED) {
    throw new MigratrixError("invalid_argument", `${what}: engine is required (one of ${ENGINE_IDS.join(", ")})`);
  }
  return engineIdFromProto(engine);
}
