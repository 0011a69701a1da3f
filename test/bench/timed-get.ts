import { Agent, get } from "node:http";

/** One keep-alive connection per origin, as a browser tab would use for sequential requests. */
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

export interface TimedResponse {
  status: number;
  body: Buffer;
  contentType: string;
  /** The answer's headers (ETag, Content-Encoding). */
  headers: Record<string, string | string[] | undefined>;
  /** Request written → last body byte read. */
  ms: number;
}

/** A GET timed from the moment it is issued to the last byte of the answer. */
export function timedGet(url: string, headers: Record<string, string>): Promise<TimedResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const request = get(url, { agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          body: Buffer.concat(chunks),
          contentType: response.headers["content-type"] ?? "",
          headers: response.headers,
          ms: performance.now() - started,
        }),
      );
      response.on("error", reject);
    });
    request.on("error", reject);
  });
}
