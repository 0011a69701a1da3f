import { AppError } from "../errors.js";

/**
 * Twilio's Conversations limits the gateway must not break
 * (https://www.twilio.com/docs/conversations/conversations-limits, "Length limits"). KB is read as 1024 bytes of
 * UTF-8, as the emulator enforces them. Conversation attributes (16 KB) are kept within bounds by
 * conversation-attributes.ts, which drops the summary first.
 */
export const CONVERSATIONS_LIMITS = {
  conversationAttributesBytes: 16 * 1024,
  messageAttributesBytes: 4 * 1024,
  participantAttributesBytes: 4 * 1024,
  friendlyNameChars: 256,
  messageBodyChars: 1600,
} as const;

/**
 * Refuses (400, before any upstream call) message attributes Twilio would refuse (4 KB). `contributors` are the
 * request fields that went into them: the largest is the one named, since shortening it helps most.
 */
export function assertMessageAttributesFit(attributes: string, contributors: Record<string, unknown>): void {
  const size = Buffer.byteLength(attributes);
  if (size <= CONVERSATIONS_LIMITS.messageAttributesBytes) return;
  const weight = (value: unknown) => (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value)));
  const [field] = Object.entries(contributors).sort((a, b) => weight(b[1]) - weight(a[1]))[0] ?? ["attributes"];
  throw new AppError(
    "validation_failed",
    `the message would carry ${size} bytes of attributes, over Twilio's ${CONVERSATIONS_LIMITS.messageAttributesBytes}-byte limit for message attributes: shorten ${field}`,
    { field },
  );
}
