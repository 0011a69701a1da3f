import { randomBytes } from "node:crypto";

/** A Twilio-style SID: two-letter prefix + 32 lowercase hex characters. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** An API key secret: 32 alphanumeric characters, like Twilio's. */
export function newSecret(): string {
  // 256 is not a multiple of 62; the slight bias does not matter for an emulator.
  return Array.from(randomBytes(32), (byte) => ALPHANUMERIC[byte % ALPHANUMERIC.length]).join("");
}
