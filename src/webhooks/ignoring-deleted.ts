import { AppError, isAppError } from "../errors.js";

/** Twilio's code for "The requested resource … was not found". */
const TWILIO_NOT_FOUND = 20404;
const RETRY_AFTER_SECONDS = 5;

/**
 * Whether Twilio itself said the resource is gone: its 404 with code 20404. Not a 404 of the gateway's own (a lookup
 * that missed), nor one from something answering in Twilio's place without Twilio's error body.
 */
export function isDeletedInTwilio(error: unknown): boolean {
  return isAppError(error) && error.code === "not_found" && error.options.upstream?.twilioCode === TWILIO_NOT_FOUND;
}

/**
 * Webhook work about a conversation or message deleted since (Twilio delivers late, and retries anything but a 2xx)
 * is not an error: it resolves to "deleted", and is not remembered as done. Any other "not found" is a failure the
 * webhook's contract has no 404 for: 503, so Twilio retries.
 */
export async function ignoringDeleted<T>(work: Promise<T>): Promise<T | "deleted"> {
  try {
    return await work;
  } catch (error) {
    if (isDeletedInTwilio(error)) return "deleted";
    if (isAppError(error) && error.status === 404)
      throw new AppError("upstream_unavailable", "the webhook could not be applied; retry later", { retryAfterSeconds: RETRY_AFTER_SECONDS, cause: error });
    throw error;
  }
}
