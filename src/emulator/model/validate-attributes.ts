import { TwilioError } from "../twilio-error.js";

/**
 * Twilio's Conversations limits (https://www.twilio.com/docs/conversations/conversations-limits, "Length limits"):
 * Conversation Attributes 16KB, Message and Participant Attributes 4KB, Conversation FriendlyName 256 characters,
 * SMS/WhatsApp Body 1600 characters. KB is read as 1024 bytes of UTF-8.
 */
export const LIMITS = {
  conversationAttributesBytes: 16 * 1024,
  messageAttributesBytes: 4 * 1024,
  participantAttributesBytes: 4 * 1024,
  friendlyNameChars: 256,
  messageBodyChars: 1600,
} as const;

/**
 * Checks an `Attributes` parameter: structurally valid JSON, at most `maxBytes` (the resource's limit).
 * Codes from Twilio's error dictionary: 50304 "Attributes not valid JSON", 50303 "Attributes too long"
 * (https://www.twilio.com/docs/api/errors/50303).
 */
export function validateAttributes(value: string | undefined, maxBytes: number = LIMITS.conversationAttributesBytes): string | undefined {
  if (value === undefined) return undefined;
  if (Buffer.byteLength(value, "utf8") > maxBytes) {
    throw new TwilioError(400, 50303, "Attributes too long");
  }
  try {
    JSON.parse(value);
  } catch {
    throw new TwilioError(400, 50304, "Attributes not valid JSON");
  }
  return value;
}

/** FriendlyName of a conversation: at most 256 characters (https://www.twilio.com/docs/api/errors/50003). */
export function validateFriendlyName(value: string | undefined): string | undefined {
  if (value !== undefined && [...value].length > LIMITS.friendlyNameChars) throw new TwilioError(400, 50003, "Friendly name too long");
  return value;
}
