import type { BenchGateway, BenchTenantId } from "./bench-gateway.js";
import { timedGet } from "./timed-get.js";

export interface WireBytesRow {
  name: string;
  /** Body bytes of the warm answer as sent: no Accept-Encoding, `br`, `gzip`. */
  identity: number;
  br: number;
  gzip: number;
  /** Header bytes of a 304 (If-None-Match with the warm ETag), as Node wrote them: what a poll that finds nothing costs. */
  notModifiedHeaderBytes: number;
}

/** Bytes over the wire of a warm page, per coding, and of a 304. */
export async function benchWireBytes(
  gateway: BenchGateway,
  targets: Array<{ name: string; path: string; tenant: BenchTenantId }>,
): Promise<WireBytesRow[]> {
  const rows: WireBytesRow[] = [];
  for (const target of targets) {
    const url = `${gateway.baseUrl}${target.path}`;
    const auth = { authorization: `Bearer ${gateway.token(target.tenant)}` };
    const sized = async (headers: Record<string, string>, expected?: string) => {
      await timedGet(url, { ...auth, ...headers }); // warm (and compress once)
      const answer = await timedGet(url, { ...auth, ...headers });
      if (answer.status !== 200 || answer.headers["content-encoding"] !== expected)
        throw new Error(`${target.path}: ${answer.status} ${String(answer.headers["content-encoding"])}, expected ${String(expected)}`);
      return answer;
    };
    const identity = await sized({});
    const br = await sized({ "accept-encoding": "br" }, "br");
    const gzip = await sized({ "accept-encoding": "gzip" }, "gzip");
    const notModified = await timedGet(url, { ...auth, "if-none-match": String(identity.headers.etag) });
    if (notModified.status !== 304) throw new Error(`${target.path} with If-None-Match answered ${notModified.status}`);
    const headerBytes = Object.entries(notModified.headers).reduce(
      (sum, [name, value]) => sum + [value ?? ""].flat().reduce((s, v) => s + name.length + 4 + String(v).length, 0),
      "HTTP/1.1 304 Not Modified\r\n\r\n".length,
    );
    rows.push({ name: target.name, identity: identity.body.length, br: br.body.length, gzip: gzip.body.length, notModifiedHeaderBytes: headerBytes });
  }
  return rows;
}
