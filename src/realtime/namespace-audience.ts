import type { Namespace } from "socket.io";

/**
 * Whether an emit on `namespace` can reach anyone, now or later. Socket.IO encodes a broadcast, and its connection
 * state recovery keeps it for the recovery window, before it looks for a socket in the rooms: an event for a surface
 * nobody uses (the business API's `/`, an organization's live namespace, with only chat clients connected) cost its
 * payload, its encoding and a stored packet for nobody. Nobody means no socket connected and no disconnected one
 * whose session waits to be recovered (it gets what was emitted meanwhile). Scaled out, the other instances' sockets
 * are not known here: every emit goes out.
 */
export function hasAudience(namespace: Namespace<any, any, any, any>, scaledOut: boolean): boolean {
  if (scaledOut || namespace.sockets.size > 0) return true;
  // The in-memory adapter with recovery (socket.io-adapter's SessionAwareAdapter) keeps dropped sockets' sessions
  // here; the adapter without recovery keeps none.
  const sessions = (namespace.adapter as unknown as { sessions?: Map<unknown, unknown> }).sessions;
  return sessions !== undefined && sessions.size > 0;
}
