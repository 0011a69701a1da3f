/** Twilio's real hosts: every `url`, `links` and page URL the emulator prints uses them. */
export const CONVERSATIONS_HOST = "https://conversations.twilio.com";
export const API_HOST = "https://api.twilio.com";

/** `…/v1` for the default service's top-level routes, `…/v1/Services/IS…` for scoped ones. */
export function scopePrefix(serviceSid: string | null): string {
  return serviceSid ? `${CONVERSATIONS_HOST}/v1/Services/${serviceSid}` : `${CONVERSATIONS_HOST}/v1`;
}
