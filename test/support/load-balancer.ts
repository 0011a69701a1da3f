import { createServer, request, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** How the balancer picks: alternately, always one target (its index), or every target at once ("mirror"). */
export type BalancerMode = "round-robin" | "mirror" | number;

export interface LoadBalancer {
  url: string;
  targets: string[];
  mode: BalancerMode;
  /** Requests forwarded to each target. */
  forwarded: number[];
  close(): Promise<void>;
}

function forward(target: string, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer) {
  return new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const outgoing = request(`${target}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/**
 * A tiny HTTP load balancer on loopback for the scale-out tests: buffers each request and forwards it. "mirror"
 * plays a redelivery racing the first attempt: every target gets the request at once, the first answer wins.
 */
export async function startLoadBalancer(): Promise<LoadBalancer> {
  let next = 0;
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const body = Buffer.concat(chunks);
      const picks =
        balancer.mode === "mirror"
          ? balancer.targets.map((_, index) => index)
          : [balancer.mode === "round-robin" ? next++ % balancer.targets.length : balancer.mode];
      const answers = picks.map((index) => {
        balancer.forwarded[index] = (balancer.forwarded[index] ?? 0) + 1;
        return forward(balancer.targets[index]!, incoming.method!, incoming.url!, incoming.headers, body);
      });
      Promise.race(answers).then(
        (answer) => {
          outgoing.writeHead(answer.status, answer.headers);
          outgoing.end(answer.body);
        },
        () => {
          outgoing.writeHead(502);
          outgoing.end();
        },
      );
      answers.forEach((answer) => answer.catch(() => undefined));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const balancer: LoadBalancer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets: [],
    mode: "round-robin",
    forwarded: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return balancer;
}
