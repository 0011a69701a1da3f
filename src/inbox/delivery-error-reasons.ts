/**
 * Twilio's title for a delivery error code, for `delivery:receipt.reason` and the message's `attributes.reason`
 * (a Conversations delivery receipt carries only the code). Titles from Twilio's error dictionary pages.
 */
const REASONS: Record<number, string> = {
  // https://www.twilio.com/docs/api/errors/63016
  63016: "Outside messaging window. For WhatsApp, use a Message Template instead",
};

export const deliveryErrorReason = (code: number | undefined): string | undefined => (code === undefined ? undefined : REASONS[code]);
