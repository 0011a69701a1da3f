import { Agent, request } from "node:http";

/** A request exactly as it goes on the wire: fetch would normalise `..` segments and refuse a GET body. */
export interface WireRequest {
  method: string;
  /** Path and query, sent as written. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends raw HTTP/1.1 requests to one server over a keep-alive connection. */
export class WireClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly host: string;
  private readonly port: string;

  constructor(baseUrl: string) {
    ({ hostname: this.host, port: this.port } = new URL(baseUrl));
  }

  send(wire: WireRequest): Promise<WireResponse> {
    const headers = { ...wire.headers };
    if (wire.body && !Object.keys(headers).some((name) => name.toLowerCase() === "content-length"))
      headers["content-length"] = String(wire.body.length);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        { host: this.host, port: this.port, method: wire.method, path: wire.path, headers, agent: this.agent },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
          incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString("utf8") }));
          incoming.on("error", reject);
        },
      );
      // The server may answer (413) and close before a large body is written; the answer is what counts.
      outgoing.on("error", reject);
      outgoing.end(wire.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
