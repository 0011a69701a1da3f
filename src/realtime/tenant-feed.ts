import type { Socket } from "socket.io";
import { AppError } from "../errors.js";
import { tenantRoom } from "./chat-events.js";

/**
 * How a socket hears its tenant's conversation updates, chosen at the handshake (`auth.conversationFeed`):
 * - `each` (the default, today's clients): one event per update (`conversation:updated`, coalesced per conversation
 *   per REALTIME_CONVERSATION_UPDATE_MS), in the tenant's room;
 * - `batched`: one event per tenant per REALTIME_FEED_BATCH_MS carrying the latest state of every conversation
 *   updated in the window (`conversations:updated` `{ conversations: [...] }`), in the tenant's batched room — one
 *   frame per socket per window, whatever the message rate;
 * - `none`: no tenant-wide feed at all, only the conversations the socket subscribes to (a one-thread widget).
 */
export const FEED_MODES = ["each", "batched", "none"] as const;
export type FeedMode = (typeof FEED_MODES)[number];

/** The handshake field naming the feed. */
export const FEED_FIELD = "conversationFeed";

/** The room of the tenant's batched feed (`tenant:<id>` stays the per-update one, so today's clients are untouched). */
export const batchedTenantRoom = (tenantId: string) => `${tenantRoom(tenantId)}:batched`;

/** The room a socket of `mode` joins for its tenant's feed; `none` joins none. */
export const feedRoomOf = (tenantId: string, mode: FeedMode): string | undefined =>
  mode === "each" ? tenantRoom(tenantId) : mode === "batched" ? batchedTenantRoom(tenantId) : undefined;

/**
 * The feed the handshake's `auth` asks for (absent: `each`), among those the namespace `offers`.
 * Throws AppError validation_failed naming `conversationFeed` for anything else.
 */
export function feedModeOf(auth: Record<string, unknown>, offers: readonly FeedMode[] = FEED_MODES): FeedMode {
  const asked = auth[FEED_FIELD];
  if (asked === undefined) return "each";
  if (typeof asked === "string" && (offers as readonly string[]).includes(asked)) return asked as FeedMode;
  throw new AppError("validation_failed", `${FEED_FIELD} must be ${offers.map((mode) => `"${mode}"`).join(" or ")}`, { field: FEED_FIELD });
}

/** Whether `error` is `feedModeOf`'s refusal (raised only once the token was accepted, so it may be told as it is). */
export const isFeedRefusal = (error: unknown): error is AppError =>
  error instanceof AppError && error.options.field === FEED_FIELD;

/** Puts a new socket in its tenant's feed room (a recovered one got its rooms back with its session). */
export function joinTenantFeed(socket: Socket<any, any, any, { tenantId: string; conversationFeed?: FeedMode }>): void {
  if (socket.recovered) return;
  const room = feedRoomOf(socket.data.tenantId, socket.data.conversationFeed ?? "each");
  if (room) void socket.join(room);
}
