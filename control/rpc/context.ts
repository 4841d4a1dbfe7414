// What every RPC shares: the caller resolved from the bearer token, the correlation id, metrics,
// and one mapping of errors to Connect codes that never leaks a stack or a secret.
import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { type ErrorCode, MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { AuthDenied, authenticate, type Caller } from "../identity/index.ts";
import { newCorrelationId } from "../ids.ts";
import type { ControlMetrics } from "../metrics.ts";
import type { Db } from "../store/index.ts";

const CALLER = createContextKey<Caller | undefined>(undefined, { description: "authenticated caller" });
const CORRELATION = createContextKey<string>("", { description: "correlation id" });

export function callerOf(ctx: HandlerContext): Caller {
  const caller = ctx.values.get(CALLER);
  // The auth interceptor runs before every handler; reaching here without a caller is a bug.
  if (!caller) throw new MigratrixError("internal", "request reached a handler without an authenticated caller");
  return caller;
}

export function correlationOf(ctx: HandlerContext): string {
  return ctx.values.get(CORRELATION) || newCorrelationId();
}

const TO_CONNECT: Record<ErrorCode, Code> = {
  canceled: Code.Canceled,
  unknown: Code.Unknown,
  invalid_argument: Code.InvalidArgument,
  deadline_exceeded: Code.DeadlineExceeded,
  not_found: Code.NotFound,
  already_exists: Code.AlreadyExists,
  permission_denied: Code.PermissionDenied,
  resource_exhausted: Code.ResourceExhausted,
  failed_precondition: Code.FailedPrecondition,
  aborted: Code.Aborted,
  out_of_range: Code.OutOfRange,
  unimplemented: Code.Unimplemented,
  internal: Code.Internal,
  unavailable: Code.Unavailable,
  data_loss: Code.DataLoss,
  unauthenticated: Code.Unauthenticated,
};

function codeName(code: Code): string {
  return (Object.entries(TO_CONNECT).find(([, c]) => c === code)?.[0] as string | undefined) ?? "unknown";
}

/** MigratrixError keeps its code and message; anything else is "internal" with the cause logged only. */
export function toConnectError(err: unknown, log: Logger, correlationId: string): ConnectError {
  if (err instanceof ConnectError) return err;
  if (err instanceof MigratrixError) return new ConnectError(err.message, TO_CONNECT[err.code]);
  log.error("internal error", { correlationId, error: MigratrixError.from(err).message });
  return new ConnectError(`internal error (correlation id ${correlationId})`, Code.Internal);
}

const CORRELATION_HEADER = "x-correlation-id";
const CORRELATION_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

export interface InterceptorDeps {
  db: Db;
  metrics: ControlMetrics;
  log: Logger;
}

/** Outermost: correlation id, metrics by method and code, error mapping (streams included). */
export function observeInterceptor(deps: InterceptorDeps): Interceptor {
  return (next) => async (req) => {
    const given = req.header.get(CORRELATION_HEADER);
    const correlationId = given && CORRELATION_ID.test(given) ? given : newCorrelationId();
    req.contextValues.set(CORRELATION, correlationId);
    const method = `${req.service.typeName}/${req.method.name}`;
    const started = performance.now();
    const done = (code: string) => {
      deps.metrics.rpcRequests.inc({ method, code });
      deps.metrics.rpcSeconds.observe({ method }, (performance.now() - started) / 1000);
    };
    try {
      const res = await next(req);
      res.header.set(CORRELATION_HEADER, correlationId);
      if (!res.stream) {
        done("ok");
        return res;
      }
      const inner = res.message;
      async function* mapped() {
        try {
          yield* inner;
        } catch (err) {
          const e = toConnectError(err, deps.log, correlationId);
          done(codeName(e.code));
          throw e;
        }
        done("ok");
      }
      return { ...res, message: mapped() };
    } catch (err) {
      const e = toConnectError(err, deps.log, correlationId);
      done(codeName(e.code));
      throw e;
    }
  };
}

/** Resolves the bearer token into the caller; users and service tokens only, never agent tokens. */
export function authInterceptor(deps: InterceptorDeps): Interceptor {
  return (next) => async (req) => {
    try {
      const caller = await authenticate(deps.db, req.header.get("authorization"), {
        kinds: ["user", "service"],
        correlationId: req.contextValues.get(CORRELATION),
        via: `rpc ${req.service.typeName}/${req.method.name}`,
      });
      req.contextValues.set(CALLER, caller);
    } catch (err) {
      if (err instanceof AuthDenied) {
        deps.metrics.authDenied.inc({ reason: err.reason });
        deps.log.warn("request denied", { reason: err.reason, method: `${req.service.typeName}/${req.method.name}` });
      }
      throw err;
    }
    return next(req);
  };
}
