import Koa from "koa";

/** A recorded response: what the ceiling answers for one path. */
export interface RecordedResponse {
  body: Buffer;
  contentType: string;
  /** Default 200; 304 answers no body. */
  status?: number;
  /** Sent as recorded (Content-Encoding of a compressed body, the ETag of a 304). */
  headers?: Record<string, string>;
}

/**
 * The throughput ceiling: bare Koa answering the gateway's own response bytes after the same JWT check (the
 * gateway's own verifier: jsonwebtoken verify, algorithm pinned, exp required). No routing table, no validation,
 * no cache, no views, no JSON serialisation.
 */
export function createCeilingServer(
  verifyToken: (token: string | undefined) => unknown,
  responses: Map<string, RecordedResponse>,
): Koa {
  const koa = new Koa();
  koa.use((ctx) => {
    try {
      verifyToken(/^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"))?.[1]);
    } catch {
      ctx.status = 401;
      return;
    }
    const recorded = responses.get(ctx.path);
    if (!recorded) return; // 404
    if (recorded.headers) ctx.set(recorded.headers);
    if (recorded.status === 304) {
      ctx.status = 304;
      return;
    }
    ctx.type = recorded.contentType;
    ctx.body = recorded.body;
  });
  return koa;
}
