import { AppError, isAppError } from "../errors.js";
import type { AckResponse } from "./chat-events.js";

/** A conversation SID as clients name it in socket events (`CH` + 32 hex). */
export const CONVERSATION_SID = /^CH[0-9a-fA-F]{32}$/;

/** The `{ error }` a socket ack carries for a failure: the code, and the message only when it may be shown. */
export function ackErrorOf(error: unknown): { code: string; message: string } {
  const known = isAppError(error) ? error : new AppError("internal_error", "Internal Server Error");
  return { code: known.code, message: known.expose ? known.message : "Internal Server Error" };
}

/** Runs a client event's work and answers its ack (when the client sent one) `{ data }` or `{ error }`. */
export async function respond<T>(ack: ((response: AckResponse<T>) => void) | undefined, work: () => Promise<T>): Promise<void> {
  try {
    const data = await work();
    if (typeof ack === "function") ack({ data });
  } catch (error) {
    if (typeof ack === "function") ack({ error: ackErrorOf(error) });
  }
}
