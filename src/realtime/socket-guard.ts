import type { Namespace, Socket } from "socket.io";
import { isAppError, type AppError } from "../errors.js";
import type { Principal } from "../http/access-token.js";
import type { RateLimits } from "../http/rate-limits.js";
import type { AuditLog } from "../logger.js";
import { conversationOfRoom, isRoomOfTenant, type SessionExpired } from "./chat-events.js";
import { guardRecovery } from "./recovery-guard.js";
import { ackErrorOf } from "./socket-ack.js";
import { authenticateSocket, type SocketAuthenticationDependencies, type SocketIdentity } from "./socket-authentication.js";
import { FEED_FIELD, FEED_MODES, feedModeOf, isFeedRefusal, joinTenantFeed, type FeedMode } from "./tenant-feed.js";

export interface SocketGuardDependencies extends SocketAuthenticationDependencies {
  /** Per-user client event limit (RATE_LIMIT_SOCKET_EVENTS_PER_USER_PER_MINUTE); none: unlimited. */
  rateLimits?: RateLimits;
  /** Records every live feed a socket opens (its tenant's room here; conversation subscriptions where they happen). */
  audit?: AuditLog;
}

/** How one namespace names its tenant and refuses a socket; the check itself is the same everywhere. */
export interface NamespacePolicy {
  /** The tenant a socket asks for: the handshake's `tenantId`, or the organization the namespace names. */
  requestedTenant(auth: Record<string, unknown>): string | undefined;
  /** What a refused socket is told (message and `data` reach the client's connect_error). */
  refusal(error: unknown): Error & { data?: unknown };
  /** The tenant feeds a socket may ask for (`auth.conversationFeed`, tenant-feed.ts); default: all of them. */
  feeds?: readonly FeedMode[];
}

export const SESSION_EXPIRED_EVENT = "session:expired";

/** setTimeout's longest delay (2^31 − 1 ms, about 24.8 days): a longer one would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

type AnyNamespace = Namespace<any, any, any, any>;
/** Who the socket is, and the tenant feed it chose at the handshake. */
type GuardedIdentity = SocketIdentity & { conversationFeed: FeedMode };
type GuardedSocket = Socket<any, any, any, GuardedIdentity>;

/**
 * One guard for every namespace: a socket is only as good as its token.
 * - The handshake is checked by `authenticateSocket` (token, then tenant), for new sockets and recovered ones alike;
 *   a session is restored only into a socket whose valid token is of the session's user and tenant and which asks
 *   for the same tenant feed (`auth.conversationFeed`; its rooms come back with the session). An unknown feed is
 *   refused with its own message — checked after the token, so it tells an unauthenticated caller nothing.
 * - At the token's `exp` the socket hears `session:expired` `{ code: "token_expired" }` and is disconnected; its
 *   session is kept as after a network drop, so reconnecting with a fresh token (socket.io-client's `auth` may be a
 *   function) within the recovery window restores its rooms and what it missed. A client event arriving after
 *   `exp`, before the timer fired, is refused the same way (its ack answers `token_expired`).
 * - Client events count against the user's socket event limit: over it, an ack answers `rate_limited` and an
 *   event without one (typing) is dropped.
 */
export function guardNamespace(nsp: AnyNamespace, policy: NamespacePolicy, deps: SocketGuardDependencies): void {
  const identify = async (auth: unknown): Promise<{ identity: GuardedIdentity; principal: Principal }> => {
    const fields = auth !== null && typeof auth === "object" ? (auth as Record<string, unknown>) : {};
    const { identity, principal } = await authenticateSocket(deps, fields, policy.requestedTenant(fields));
    return { identity: { ...identity, conversationFeed: feedModeOf(fields, policy.feeds ?? FEED_MODES) }, principal };
  };
  /** The verified token of each socket, for the session check on its events (kept out of socket.data, which is stored). */
  const principals = new WeakMap<GuardedSocket, Principal>();

  nsp.use((socket, next) => {
    identify(socket.handshake.auth).then(
      ({ identity, principal }) => {
        Object.assign(socket.data, identity);
        principals.set(socket, principal);
        next();
      },
      (error: unknown) => next(isFeedRefusal(error) ? feedRefusal(error) : policy.refusal(error)),
    );
  });

  guardRecovery(
    nsp,
    async (auth) => (await identify(auth).catch(() => undefined))?.identity,
    (session, identity) => {
      const previous = session.data as Partial<GuardedIdentity> | undefined;
      return (
        previous?.tenantId === identity.tenantId &&
        previous.userId === identity.userId &&
        (previous.conversationFeed ?? "each") === identity.conversationFeed &&
        session.rooms.every((room) => room === session.sid || isRoomOfTenant(room, identity.tenantId))
      );
    },
  );

  nsp.on("connection", (socket: GuardedSocket) => {
    // Every namespace's socket joins its tenant's feed room here (a recovered one is back in its rooms, its
    // conversations' too); a socket with no tenant feed opens nothing until it subscribes (recorded then).
    joinTenantFeed(socket);
    const conversationSids = [...socket.rooms].flatMap((room) => conversationOfRoom(room) ?? []);
    if (socket.data.conversationFeed !== "none" || conversationSids.length > 0)
      deps.audit?.({
        action: "conversation.live.tenant",
        userId: socket.data.userId,
        tenantId: socket.data.tenantId,
        surface: nsp.name,
        operation: socket.recovered ? "recover" : "connect",
        conversationSids,
      });
    const stopTimer = expireAtExp(socket);
    socket.once("disconnect", stopTimer);
    socket.use((event, next) => {
      const last = event[event.length - 1];
      const ack = typeof last === "function" ? (last as (reply: unknown) => void) : undefined;
      if (Date.now() >= socket.data.expiresAtMs) {
        ack?.({ error: { code: "token_expired", message: "the token has expired" } });
        expire(socket);
        return;
      }
      const principal = principals.get(socket);
      // A session of this gateway that ended since the handshake (logout, a reused refresh token, a password change,
      // the user removed) ends its sockets at their next event; pushes stop at the token's exp at the latest.
      const sessionCheck = principal?.session && deps.checkPrincipal ? deps.checkPrincipal(principal) : Promise.resolve(principal);
      sessionCheck
        .then(
          () => (deps.rateLimits ? deps.rateLimits.consumeSocketEvent(socket.data.tenantId, socket.data.userId) : undefined),
          (error: unknown) => {
            const ended = isAppError(error) && (error.code === "unauthenticated" || error.code === "token_expired");
            if (!ended) throw error;
            ack?.({ error: { code: error.code, message: error.message } });
            expire(socket, "session_ended");
            return "ended" as const;
          },
        )
        .then(
          (outcome) => {
            if (outcome !== "ended") next();
          },
          (error: unknown) => {
            const retryAfterSeconds = isAppError(error) ? error.options.retryAfterSeconds : undefined;
            ack?.({ error: { ...ackErrorOf(error), ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) } });
          },
        );
    });
  });
}

/** An unknown `auth.conversationFeed`: the client is told which feeds the namespace offers. */
const feedRefusal = (error: AppError) => Object.assign(new Error(error.message), { data: { code: error.code, field: FEED_FIELD } });

/** Disconnects the socket when its token expires; returns the canceller. Long lifetimes wait in steps. */
function expireAtExp(socket: GuardedSocket): () => void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = Math.min(Math.max(0, socket.data.expiresAtMs - Date.now()), MAX_TIMER_MS);
    timer = setTimeout(() => (Date.now() >= socket.data.expiresAtMs ? expire(socket) : arm()), wait);
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}

function expire(socket: GuardedSocket, code: SessionExpired["code"] = "token_expired"): void {
  if (!socket.connected) return;
  const notice: SessionExpired =
    code === "token_expired"
      ? { code, message: "the token has expired: connect again with a fresh one" }
      : { code, message: "the session has ended: sign in again" };
  // Written to this connection now (`local`: not through a cluster adapter, whose publish would let the disconnect
  // below overtake it); with connection state recovery it is stored like any emit.
  socket.nsp.local.to(socket.id).emit(SESSION_EXPIRED_EVENT, notice);
  // Kept as Socket.IO keeps the session of a dropped socket (a server-side disconnect is not one it keeps): a
  // reconnect with a fresh token gets its rooms and what it missed; the recovery check above still applies.
  const pid = (socket as unknown as { pid?: unknown }).pid;
  if (code === "token_expired" && typeof pid === "string") socket.nsp.adapter.persistSession({ sid: socket.id, pid, rooms: [...socket.rooms], data: socket.data });
  socket.disconnect();
}
