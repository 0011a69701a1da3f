import { TwilioError } from "../twilio-error.js";

const MAX_ATTRIBUTES_BYTES = 16 * 1024;

/**
 * Checks an `Attributes` parameter: structurally valid JSON, at most 16 KB.
 * Codes from Twilio's error dictionary: 50304 "Attributes not valid JSON", 50303 "Attributes too long".
 */
export function validateAttributes(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (Buffer.byteLength(value, "utf8") > MAX_ATTRIBUTES_BYTES) {
    throw new TwilioError(400, 50303, "Attributes too long");
  }
  try {
    JSON.parse(value);
  } catch {
    throw new TwilioError(400, 50304, "Attributes not valid JSON");
  }
  return value;
}
