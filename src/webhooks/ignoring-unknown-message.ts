import { isAppError } from "../errors.js";

/**
 * A delivery report about a message the tenant does not have (deleted, or never the gateway's) is not an error to
 * retry: it resolves to "unknown" instead of throwing. Not remembered as done, so nothing is emitted for it later.
 */
export async function ignoringUnknownMessage(work: Promise<"applied" | "duplicate">): Promise<"applied" | "duplicate" | "unknown"> {
  try {
    return await work;
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") return "unknown";
    throw error;
  }
}
