import { newSid } from "../sid.js";
import { TwilioError } from "../twilio-error.js";
import type { Store } from "./store.js";
import type { Conversation, MediaItem, Service, StoredMedia } from "./types.js";

/** The emulator keeps uploads in memory: a bound of its own (Twilio's MCS limit is not documented). */
export const MCS_MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Stores an uploaded file as an MCS Media resource of the service, attached to no message yet. */
export function createMedia(
  store: Store,
  service: Service,
  input: { contentType: string; filename: string | null; bytes: Buffer; author?: string },
): StoredMedia {
  const now = new Date();
  const media: StoredMedia = {
    sid: newSid("ME"),
    accountSid: service.accountSid,
    serviceSid: service.sid,
    contentType: input.contentType,
    filename: input.filename,
    author: input.author ?? "system",
    bytes: input.bytes,
    conversationSid: null,
    messageSid: null,
    dateCreated: now,
    dateUpdated: now,
  };
  store.media.set(media.sid, media);
  return media;
}

/** The media of the service with that SID; another service's (or account's) is not found, as on Twilio. */
export function findMedia(store: Store, service: Service, sid: string): StoredMedia {
  const media = store.media.get(sid);
  if (!media || media.serviceSid !== service.sid) throw new TwilioError(404, 20404, `The requested resource /Media/${sid} was not found`);
  return media;
}

/**
 * Attaches an uploaded Media to a new message of `conversation`: the message's `media` entry, in the fields the
 * Conversation Message resource documents (`sid`, `content_type`, `filename`, `size`).
 */
export function attachMedia(store: Store, conversation: Conversation, sid: string): { item: MediaItem; media: StoredMedia } {
  const media = store.media.get(sid);
  if (!media || media.serviceSid !== conversation.serviceSid) throw new TwilioError(404, 20404, `Media ${sid} not found`);
  if (media.messageSid) throw new TwilioError(400, 20001, `Media ${sid} is already attached to a message`);
  return { media, item: mediaItemOf(media) };
}

export function mediaItemOf(media: StoredMedia): MediaItem {
  return { sid: media.sid, content_type: media.contentType, filename: media.filename, size: media.bytes.length, category: "media" };
}
