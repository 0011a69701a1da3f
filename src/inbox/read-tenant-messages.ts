import pMap from "p-map";
import { isAppError } from "../errors.js";
import type { MessageRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** Twilio's largest message page. */
const PAGE = 100;

/**
 * Reads the messages of every conversation in the tenant's index, newest first, a page at a time (`concurrency`
 * conversations at once), handing each page to `onPage` until `enough()` says so. A conversation gone from Twilio
 * since it was indexed (deleted elsewhere, its webhook not here yet) is forgotten and left out, not a failure.
 * Answers how many Twilio calls it made. Builds the per-tenant message indexes (search, business API).
 */
export async function readTenantMessages(
  inbox: TenantInbox,
  { concurrency, enough, onPage }: { concurrency: number; enough: () => boolean; onPage: (messages: MessageRecord[]) => void },
): Promise<number> {
  let calls = 0;
  await pMap(
    await inbox.directory.all(),
    async (entry) => {
      let pageToken: string | undefined;
      try {
        do {
          if (enough()) return;
          const page = await inbox.gateway.listMessages(entry.record.sid, { order: "desc", limit: PAGE, pageToken });
          calls++;
          onPage(page.items);
          pageToken = page.nextPageToken;
        } while (pageToken);
      } catch (error) {
        if (!isAppError(error) || error.code !== "not_found") throw error;
        inbox.directory.forget(entry.record.sid);
      }
    },
    { concurrency },
  );
  return calls;
}
