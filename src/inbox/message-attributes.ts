import type { Channel } from "./inbox-types.js";

/** The message `attributes` JSON the inbox reads and writes. Unknown keys are preserved. */
export interface MessageAttributes {
  channel?: Channel;
  /** Delivery status: queued → sent → delivered → read, or failed/undelivered. */
  status?: string;
  /** `inbound` for customers' messages, `outbound` for agents'. */
  direction?: "inbound" | "outbound";
  /** The gateway user who sent it. */
  sentBy?: string;
  /** The SMS/WhatsApp message SID (SM…/MM…) Twilio delivered it as. */
  twilioMessageId?: string;
  errorCode?: number;
  /** Why delivery failed, as the provider said. */
  reason?: string;
  [key: string]: unknown;
}
