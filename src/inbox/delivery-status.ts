import type { DeliveryStatus } from "./domain-events.js";

const RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 2, undelivered: 2 };

/**
 * Whether a message whose status is `current` should move to `next`. Receipts can arrive out of order (a late
 * `sent` after `delivered`); a status never moves backwards, and `read` is final.
 */
export function advancesStatus(current: string | undefined, next: DeliveryStatus): boolean {
  if (current === undefined || !(current in RANK)) return true;
  const from = current as DeliveryStatus;
  if (from === next) return false;
  if (from === "read") return false;
  return RANK[next] >= RANK[from];
}

/** Twilio's receipt / status-callback status, as the inbox knows it (`undefined` when not a delivery state). */
export function toDeliveryStatus(value: string | undefined): DeliveryStatus | undefined {
  switch (value) {
    case "queued":
    case "accepted":
    case "scheduled":
    case "sending":
      return "queued";
    case "sent":
    case "delivered":
    case "read":
    case "failed":
    case "undelivered":
      return value;
    default:
      return undefined;
  }
}
