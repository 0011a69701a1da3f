import { AppError, isAppError } from "../errors.js";
import { isDeletedInTwilio } from "../twilio/twilio-error.js";

const RETRY_AFTER_SECONDS = 5;

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
