/** The gateway's own download URL of a message's media (the chat API serves it; no Twilio URL reaches a client). */
export const mediaDownloadPath = (conversationSid: string, messageSid: string, mediaSid: string) =>
  `/api/v1/chat/conversations/${conversationSid}/messages/${messageSid}/media/${mediaSid}`;
