/** One entry of SendGrid's error body `{ errors: [{ message, field, help }] }`. */
export interface SendGridErrorItem {
  message: string;
  field: string | null;
  help?: string | null;
}

/** An answer of the emulated SendGrid API other than 2xx. */
export class SendGridError extends Error {
  constructor(
    readonly status: number,
    readonly errors: SendGridErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors[0]?.message ?? `SendGrid error ${status}`);
    this.name = "SendGridError";
  }
}

/** Statuses `failNext` can script. */
export type SendGridFaultStatus = 400 | 401 | 403 | 429 | 500 | 503;

// 401/403/429 bodies as SendGrid answers them ("Rate Limits" page for 429); 5xx bodies are not
// documented, so they only name the status.
const DEFAULT_ERRORS: Record<SendGridFaultStatus, SendGridErrorItem> = {
  400: { message: "Bad Request", field: null, help: null },
  401: { message: "The provided authorization grant is invalid, expired, or revoked", field: null, help: null },
  403: { message: "access forbidden", field: null, help: null },
  429: { field: null, message: "too many requests" },
  500: { message: "internal server error", field: null, help: null },
  503: { message: "service unavailable", field: null, help: null },
};

/** The error SendGrid would answer with `status`, with its rate-limit headers on 429. */
export function sendGridFault(status: SendGridFaultStatus, errors?: SendGridErrorItem[]): SendGridError {
  const headers: Record<string, string> =
    status === 429
      ? {
          "X-RateLimit-Limit": "600",
          "X-RateLimit-Remaining": "0",
          "X-RateLimit-Reset": String(Math.floor(Date.now() / 1000) + 1),
        }
      : {};
  return new SendGridError(status, errors ?? [DEFAULT_ERRORS[status]], headers);
}

/** The 401 SendGrid answers to a missing, unknown or revoked key. */
export function unauthorized(): SendGridError {
  return new SendGridError(401, [DEFAULT_ERRORS[401]]);
}
