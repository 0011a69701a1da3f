import { AppError } from "../errors.js";
import type { ConversationRecord } from "./inbox-types.js";

/** Twilio's `closed` is terminal: nothing more can be said in that conversation. */
export function assertOpen(record: ConversationRecord): void {
  if (record.state === "closed") throw new AppError("conflict", "the conversation is closed; start a new one", { field: "sid" });
}
