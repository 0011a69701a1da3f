import { connection } from "../live.js";

/** Shown while the live connection is down; the list and the open thread are fetched again when it is back. */
export function ConnectionBanner() {
  return (
    <div class="banner-slot" role="status">
      {connection.value === "offline" && <p class="banner">Live updates are disconnected — reconnecting. The inbox will refresh when the connection is back.</p>}
    </div>
  );
}
