import type { Middleware } from "koa";
import type { Logger } from "pino";
import { AppError, isAppError } from "../errors.js";

/** Errors thrown by koa-bodyparser and koa itself carry an HTTP status; they are the client's fault. */
function fromHttpError(error: unknown): AppError | undefined {
  // A body whose Content-Encoding does not decode (zlib and brotli errors carry no HTTP status).
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && /^(Z_|ERR__ERROR_FORMAT|ERR_BROTLI)/.test(code))
    return new AppError("validation_failed", "request body could not be decoded (Content-Encoding)", { field: "body" });
  const status = (error as { status?: unknown }).status;
  if (typeof status !== "number") return undefined;
  if (status === 413) return new AppError("payload_too_large", "request body is too large", { field: "body" });
  if (status === 415) return new AppError("unsupported_media_type", "request body must be application/json", { field: "body" });
  // co-body rethrows JSON.parse's SyntaxError with status 400; raw-body's own errors carry a `type` instead.
  if (status === 400 && (error instanceof SyntaxError || (error as { type?: string }).type === undefined))
    return new AppError("invalid_json", "request body is not valid JSON", { field: "body" });
  if (status >= 400 && status < 500) return new AppError("validation_failed", "the request is invalid", { field: "body" });
  return undefined;
}

/** The only place errors become HTTP responses: `{ error: { code, message, field?, twilioCode?, moreInfo? } }`. */
export function errorHandler(logger: Logger, options: { detailedErrors?: boolean } = {}): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (raw) {
      const error = isAppError(raw) ? raw : (fromHttpError(raw) ?? new AppError("internal_error", "Internal Server Error", { cause: raw }));
      if (error.status >= 500) logger.error({ err: raw, requestId: ctx.state.requestId, route: ctx._matchedRoute }, "request failed");
      ctx.status = error.status;
      if (error.options.retryAfterSeconds !== undefined) ctx.set("Retry-After", String(error.options.retryAfterSeconds));
      const message = error.expose ? error.message : statusText(error.status);
      ctx.body =
        ctx.state.errorEnvelope === "success-message"
          ? // The accounts API (its frontends' backend answered this way): `{ success: false, message, error? }`,
            // `error` (the code and field) only outside production.
            {
              success: false,
              message,
              ...(options.detailedErrors ? { error: [error.code, error.options.field].filter(Boolean).join(": ") } : {}),
            }
          : ctx.state.errorEnvelope === "success-data"
          ? // The PHP-compatible surface (seed 004): `{ success: false, data: { error, code, status } }`, with
            // Twilio's code when Twilio answered, else the HTTP status, as that backend did.
            {
              success: false,
              data: {
                error: message,
                code: error.options.upstream?.twilioCode ?? error.status,
                status: error.status,
                ...(error.options.field ? { field: error.options.field } : {}),
              },
            }
          : {
              error: {
                code: error.code,
                message,
                ...(error.options.field ? { field: error.options.field } : {}),
                ...(error.options.upstream?.twilioCode !== undefined ? { twilioCode: error.options.upstream.twilioCode } : {}),
                ...(error.options.upstream?.moreInfo ? { moreInfo: error.options.upstream.moreInfo } : {}),
              },
            };
    }
  };
}

const statusText = (status: number) => (status === 500 ? "Internal Server Error" : `HTTP ${status}`);
