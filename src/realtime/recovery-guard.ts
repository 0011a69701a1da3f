import { Socket, type Namespace } from "socket.io";

/** A session Socket.IO kept for a dropped socket (the adapter's `restoreSession` result). */
export interface StoredSession {
  sid: string;
  pid: string;
  rooms: string[];
  data: unknown;
  missedPackets: unknown[][];
}

type SocketFactory = (client: unknown, auth: Record<string, unknown>) => Promise<Socket>;

/**
 * Connection state recovery that asks first. Socket.IO 4.8 restores a session inside the Socket constructor: it
 * joins the old rooms and writes every missed packet to the connection before any middleware has run, whatever
 * `skipMiddlewares` says, so no middleware can keep a garbage token from receiving what the session missed. This
 * replaces the namespace's `_createSocket` (the one place that restores, node_modules/socket.io/dist/namespace.js)
 * with one that restores only when `identify` accepts the handshake's auth and `belongs` the stored session to that
 * identity; otherwise the socket starts fresh and meets the namespace's middleware like any new one. A refused auth
 * does not even read the session, so a stolen session id without a valid token cannot use it up either.
 */
export function guardRecovery<Identity>(
  nsp: Namespace<any, any, any, any>,
  identify: (auth: Record<string, unknown>) => Promise<Identity | undefined>,
  belongs: (session: StoredSession, identity: Identity) => boolean,
): void {
  const internals = nsp as unknown as { _createSocket?: SocketFactory };
  // test/realtime/socket-guard.test.ts fails if an upgrade moves this; refusing to start is better than an open door.
  if (typeof internals._createSocket !== "function")
    throw new Error("socket.io no longer has Namespace._createSocket: session recovery cannot be guarded (see src/realtime/recovery-guard.ts)");
  internals._createSocket = async (client, auth) => {
    const { pid, offset } = auth;
    let session: StoredSession | undefined;
    if (typeof pid === "string" && typeof offset === "string") {
      const identity = await identify(auth);
      if (identity !== undefined) {
        const restored = await Promise.resolve(nsp.adapter.restoreSession(pid, offset) as Promise<StoredSession | null>).catch(() => null);
        if (restored && belongs(restored, identity)) session = restored;
      }
    }
    return new Socket(nsp, client as never, auth, session as never);
  };
}
