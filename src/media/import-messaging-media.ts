import type { TenantInbox } from "../inbox/tenant-inbox.js";

export interface ImportedMedia {
  /** MCS Media SIDs, in the webhook's order, of the files that could be copied. */
  mediaSids: string[];
  /** How many could not be read from Twilio (gone, refused): they are counted, never linked. */
  failed: number;
}

/**
 * The files of an inbound Messaging webhook (`MediaUrl0…`) copied into the Media Content Service, streamed from
 * Twilio to Twilio (never buffered), so the conversation message carries them as Conversations media: clients then
 * download them through the gateway, and no permanent Twilio URL reaches them.
 */
export async function importMessagingMedia(inbox: TenantInbox, media: Array<{ url: string; contentType?: string }>): Promise<ImportedMedia> {
  const imported: ImportedMedia = { mediaSids: [], failed: 0 };
  const mcs = inbox.media;
  if (!mcs) return { mediaSids: [], failed: media.length };
  for (const [index, item] of media.entries()) {
    try {
      const file = await mcs.openMessagingMedia(item.url);
      const contentType = (item.contentType || file.contentType).split(";")[0]!.trim();
      const uploaded = await mcs.upload({ contentType, filename: `media-${index + 1}`, body: file.body, size: file.size });
      imported.mediaSids.push(uploaded.sid);
    } catch {
      imported.failed += 1;
    }
  }
  return imported;
}
