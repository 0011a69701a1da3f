import { createHmac } from "node:crypto";
import type { StoredMedia } from "../model/types.js";

/** Where Twilio serves the short-lived direct links; the gateway rewrites *.twilio.com to the emulator. */
export const MEDIA_HOST = "https://media.us1.twilio.com";
/** How long a direct link works (Twilio says "temporary" without a figure; the emulator picks 5 minutes). */
export const DIRECT_LINK_TTL_SECONDS = 300;

/** The signature of a direct link: it names the media and when the link expires. */
export function directLinkSignature(secret: Buffer, sid: string, expires: number): string {
  return createHmac("sha256", secret).update(`${sid}:${expires}`).digest("hex");
}

/**
 * A Media resource as MCS prints it (https://www.twilio.com/docs/conversations/api/media-resource, "Properties"):
 * paths in `url` and `links.content` are relative to the MCS host; `links.content_direct_temporary` (fetch only)
 * is an absolute, signed, expiring URL that needs no credentials.
 */
export function mcsMediaJson(media: StoredMedia, direct?: { secret: Buffer; now: number }) {
  const url = `/v1/Services/${media.serviceSid}/Media/${media.sid}`;
  const expires = direct ? Math.floor(direct.now / 1000) + DIRECT_LINK_TTL_SECONDS : 0;
  return {
    sid: media.sid,
    service_sid: media.serviceSid,
    date_created: media.dateCreated.toISOString(),
    date_upload_updated: media.dateCreated.toISOString(),
    date_updated: media.dateUpdated.toISOString(),
    links: {
      content: `${url}/Content`,
      ...(direct
        ? { content_direct_temporary: `${MEDIA_HOST}/${media.sid}?Expires=${expires}&Signature=${directLinkSignature(direct.secret, media.sid, expires)}` }
        : {}),
    },
    size: media.bytes.length,
    content_type: media.contentType,
    filename: media.filename,
    author: media.author,
    category: "media",
    message_sid: media.messageSid,
    channel_sid: media.conversationSid,
    url,
    is_multipart_upstream: false,
  };
}
