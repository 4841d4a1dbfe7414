// What every RPC shares: the caller resolved from the bearer token, the correlation id, metrics,
// and one mapping of errors to Connect codes that never leaks a stack or a secret.
import { Code, ConnectError, createContextKey, type HandlerContext, type Interceptor } from "@connectrpc/connect";
import { type ErrorCode, MigratrixError } from "../../common/errors.ts";
import type { Logger } from "../../common/log.ts";
import { AuthDenied, authenticate, type Caller, CHAT_USER_HEADER } from "../identity/index.ts";
import { newCorrelationId } from "../ids.ts";
import type { ControlMetrics } from "../metrics.ts";
import {
  type Access,
  type Action,
  authorize,
  BOT_AS_ITSELF,
  PUBLIC,
  type RequestFields,
  ruleFor,
  UNLINKED_CHAT_ALLOWED,
} from "../rbac/index.ts";
import type { Db } from "../store/index.ts";

const CALLER = createContextKey<Caller | undefined>(undefined, { description: "authenticated caller" });
const CORRELATION = createContextKey<string>("", { description: "correlation id" });
const ACCESS = createContextKey<Access>({}, { description: "what the access rule resolved" });
const METHOD = createContextKey<string>("", { description: "rpc method path" });

export function callerOf(ctx: HandlerContext): Caller {
  const caller = ctx.values.get(CALLER);
  // The auth interceptor runs before every handler; reaching here without a caller is a bug.
  if (!caller) throw new MigratrixError("internal", "request reached a handler without an authenticated caller");
  return caller;
}

export function correlationOf(ctx: HandlerContext): string {
  return ctx.values.get(CORRELATION) || newCorrelationId();
}

/** The environment (and the caller's role there) the RPC's access rule checked, if any. */
export function accessOf(ctx: HandlerContext): Access {
  return ctx.values.get(ACCESS);
}

/**
 * For checks beyond the RPC's own rule (a second environment, a finer action): refused attempts
 * are audited like every other one.
 */
export function authorizeCall(db: Db, ctx: HandlerContext, action: Action, environment?: string): Promise<Access> {
  return authorize(db, callerOf(ctx), action, {
    environment,
    correlationId: correlationOf(ctx),
    via: `rpc ${ctx.values.get(METHOD)}`,
  });
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

/**
 * Resolves the bearer token into the caller (users and service tokens only, never agent tokens),
 * then applies the RPC's access rule before the handler runs. An RPC without a rule is refused.
 */
export function authInterceptor(deps: InterceptorDeps): Interceptor {
  return (next) => async (req) => {
    const method = `${req.service.typeName}/${req.method.name}`;
    const rule = ruleFor(method);
    req.contextValues.set(METHOD, method);
    if (rule === PUBLIC) return next(req);
    const correlationId = req.contextValues.get(CORRELATION);
    let caller: Caller;
    try {
      caller = await authenticate(deps.db, req.header.get("authorization"), {
        kinds: ["user", "service", "bot"],
        correlationId,
        via: `rpc ${method}`,
        chatUser: req.header.get(CHAT_USER_HEADER),
        allowUnlinkedChat: method === UNLINKED_CHAT_ALLOWED,
        botAsItself: BOT_AS_ITSELF.has(method),
      });
      req.contextValues.set(CALLER, caller);
    } catch (err) {
      if (err instanceof AuthDenied) {
        deps.metrics.authDenied.inc({ reason: err.reason });
        deps.log.warn("request denied", { reason: err.reason, method });
      }
      throw err;
    }
    if (rule === undefined) {
      throw new MigratrixError("permission_denied", `${method} has no access rule (control/rbac/rules.ts)`);
    }
    let environment: string | undefined;
    if (rule.environment) {
      let message: unknown;
      if (req.stream) {
        // A server-streaming call's one request message arrives as a stream: read it, hand it on.
        if (req.method.methodKind !== "server_streaming") {
          throw new MigratrixError("internal", `${method}: access rules cannot read a client stream`);
        }
        const first = await req.message[Symbol.asyncIterator]().next();
        message = first.value;
        const replay = (async function* () {
          if (!first.done) yield first.value;
        })();
        req = { ...req, message: replay };
      } else {
        message = req.message;
      }
      const fields = (message ?? {}) as RequestFields;
      environment = (await rule.environment(fields, { db: deps.db, workspaceId: caller.workspaceId })) || undefined;
    }
    const action = environment === undefined && rule.withoutEnvironment ? rule.withoutEnvironment : rule.action;
    const access = await authorize(deps.db, caller, action, { environment, correlationId, via: `rpc ${method}` });
    req.contextValues.set(ACCESS, access);
    return next(req);
  };
}
