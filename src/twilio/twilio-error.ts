import { AppError } from "../errors.js";
import { UnexpectedAnswer } from "./unexpected-answer.js";

/** The shape of the SDK's RestException (kept structural so nothing else imports the SDK). */
interface RestExceptionLike {
  status: number;
  code?: number;
  message: string;
  moreInfo?: string;
  details?: unknown;
}

const isRestException = (error: unknown): error is RestExceptionLike =>
  typeof error === "object" && error !== null && typeof (error as RestExceptionLike).status === "number";

/** Already in use: a binding (50416; 50425 for ConversationWithParticipants), an identity (50433), a unique name (50353). */
const CONFLICT_CODES = new Set([50416, 50425, 50433, 50353]);
const DEFAULT_RETRY_AFTER_SECONDS = 5;
/** Twilio's code for "The requested resource … was not found". */
const TWILIO_NOT_FOUND = 20404;

/**
 * Whether Twilio itself said the resource is gone: its 404 with code 20404. Not a 404 of the gateway's own (a lookup
 * that missed), nor one from something answering in Twilio's place without Twilio's error body.
 */
export function isDeletedInTwilio(error: unknown): boolean {
  return error instanceof AppError && error.code === "not_found" && error.options.upstream?.twilioCode === TWILIO_NOT_FOUND;
}

/** Translates anything the twilio SDK throws into an AppError, keeping Twilio's code and docs link. */
export function translateTwilioError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  // Something answered in Twilio's place: Twilio is, in effect, unreachable. Its status and an excerpt stay in the
  // cause (logs, the start-up error), not in what API clients read.
  if (error instanceof UnexpectedAnswer)
    return new AppError("upstream_unavailable", `the Twilio API answered HTTP ${error.status} with a body that is not Twilio's; retry later`, {
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
      cause: error,
    });
  if (!isRestException(error)) {
    const code = (error as { code?: string } | undefined)?.code;
    const timedOut = code === "ECONNABORTED" || code === "ETIMEDOUT";
    return new AppError("upstream_unavailable", timedOut ? "Twilio did not answer in time" : "Twilio is unreachable", {
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
      cause: error,
    });
  }
  const upstream = { twilioCode: error.code, moreInfo: error.moreInfo };
  const { status } = error;
  if (status === 404) return new AppError("not_found", "Not found", { upstream, cause: error });
  if (status === 409 || (error.code !== undefined && CONFLICT_CODES.has(error.code)))
    return new AppError("conflict", error.message, { upstream, cause: error });
  if (status === 429 || status >= 500)
    return new AppError("upstream_unavailable", "Twilio is busy or unavailable; retry later", {
      upstream,
      retryAfterSeconds: DEFAULT_RETRY_AFTER_SECONDS,
      cause: error,
    });
  if (status === 401 || status === 403)
    // Our credentials were refused: the client can do nothing about it and must not learn more.
    return new AppError("upstream_error", "Twilio refused the gateway's credentials", { upstream, cause: error });
  return new AppError("validation_failed", `Twilio rejected the request: ${error.message}`, { upstream, cause: error });
}
