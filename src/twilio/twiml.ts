import twilio from "twilio";

/** A TwiML `<Response/>` for a Messaging webhook, with an acknowledgement `<Message>` when one is configured. */
export function messagingResponse(acknowledgement?: string): string {
  const response = new twilio.twiml.MessagingResponse();
  if (acknowledgement) response.message(acknowledgement);
  return response.toString();
}
