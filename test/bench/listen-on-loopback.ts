import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Open-loop webhook load opens hundreds of connections at once while the server is busy: Node's default accept
 * backlog (511) overflows and connections fail (ECONNRESET). Every server of the benchmarks gets the same, larger one.
 */
export const LISTEN_BACKLOG = 4096;

export interface LoopbackServer {
  server: Server;
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `listener` on 127.0.0.1 on a free port. */
export async function listenOnLoopback(listener?: RequestListener): Promise<LoopbackServer> {
  const server = createServer(listener);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: "127.0.0.1", backlog: LISTEN_BACKLOG }, resolve));
  return {
    server,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
