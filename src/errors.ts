/**
 * One catalogue of application errors. Only `http/error-handler.ts` turns them into HTTP responses.
 * `expose` says whether the client may read `message`; a 5xx only says its status text.
 */
export const ERROR_CATALOGUE = {
  validation_failed: { status: 400, expose: true },
  invalid_json: { status: 400, expose: true },
  unauthenticated: { status: 401, expose: true },
  token_expired: { status: 401, expose: true },
  forbidden: { status: 403, expose: true },
  request_timeout: { status: 408, expose: true },
  tenant_not_found: { status: 404, expose: true },
  not_found: { status: 404, expose: true },
  conflict: { status: 409, expose: true },
  whatsapp_window_closed: { status: 409, expose: true },
  template_not_approved: { status: 409, expose: true },
  payload_too_large: { status: 413, expose: true },
  unsupported_media_type: { status: 415, expose: true },
  rate_limited: { status: 429, expose: true },
  internal_error: { status: 500, expose: false },
  not_implemented: { status: 501, expose: true },
  upstream_error: { status: 502, expose: true },
  upstream_unavailable: { status: 503, expose: true },
  upstream_timeout: { status: 504, expose: true },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Details copied from the provider so clients can act on them (Twilio's own code and docs link). */
export interface UpstreamDetails {
  twilioCode?: number;
  moreInfo?: string;
}

export class AppError extends Error {
  readonly status: number;
  readonly expose: boolean;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      field?: string;
      upstream?: UpstreamDetails;
      retryAfterSeconds?: number;
      details?: Record<string, unknown>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.status = ERROR_CATALOGUE[code].status;
    this.expose = ERROR_CATALOGUE[code].expose;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
