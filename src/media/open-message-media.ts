import { AppError } from "../errors.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { MediaStream } from "../twilio/media-service-client.js";

export interface OpenedMedia extends MediaStream {
  filename: string | null;
}

/**
 * GET …/messages/{messageSid}/media/{mediaSid}: the file, streamed from Twilio. The message is read in the tenant's
 * own Conversations Service (another tenant's conversation or message is Twilio's 404), and the media must be one
 * of that message's: a media SID alone opens nothing. The short-lived direct link Twilio gives is followed here and
 * never shown to the client.
 */
export async function openMessageMedia(inbox: TenantInbox, conversationSid: string, messageSid: string, mediaSid: string): Promise<OpenedMedia> {
  if (!inbox.media) throw new AppError("not_implemented", "media is not available for this tenant");
  // Both reads are in the tenant's own service and run together (one Twilio round trip, not two); the Media resource
  // is used only once the message is known to carry it.
  const [message, media] = await Promise.all([
    inbox.gateway.fetchMessage(conversationSid, messageSid),
    inbox.media.fetch(mediaSid).catch((error: unknown) => error as Error),
  ]);
  const item = message.media?.find((entry) => entry.sid === mediaSid);
  if (!item) throw new AppError("not_found", "this message has no such media", { field: "mediaSid" });
  if (media instanceof Error) throw media;
  if (!media.directUrl) throw new AppError("upstream_error", "Twilio gave no download link for this media");
  const stream = await inbox.media.open(media.directUrl);
  return { ...stream, filename: media.filename ?? item.filename };
}
