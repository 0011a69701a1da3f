import type { BuiltResponse, CachedResponse, ResponseCache } from "../cache/response-cache.js";
import { etagOf, encodedBody } from "../cache/response-cache.js";
import { COMPRESSION_THRESHOLD_BYTES, preferredCoding } from "./content-encoding.js";
import type { OperationRequest, OperationResult } from "./operation-router.js";

/**
 * Tenant data may be kept by the browser (never by a shared cache) but is revalidated before each use: with the
 * ETag, a poll that finds nothing new is a 304 of a few hundred bytes.
 */
const CACHE_CONTROL = "private, no-cache";

/** `If-None-Match` (RFC 9110 §13.1.2, weak comparison): `*`, or one of the listed tags equals `etag`. */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === opaque);
}

const notModified = (etag: string): OperationResult => ({ status: 304, headers: { ETag: etag, "Cache-Control": CACHE_CONTROL } });

/**
 * A JSON answer held by the response cache under `key`: a 304 when the client's `If-None-Match` names it (found
 * without building the page when it is cached), else the page, compressed as the client accepts (each coding
 * computed once per cached page). `body` stays the uncompressed bytes (the audit reads them).
 */
export async function answerFromCache(
  request: OperationRequest,
  responses: ResponseCache,
  key: string,
  tenantId: string,
  build: () => Promise<BuiltResponse>,
): Promise<OperationResult> {
  // A warm answer is taken as it is (no fetch, no closure); a miss builds it once for every concurrent request.
  const answer = responses.peek(key) ?? (await responses.getOrBuild(key, tenantId, build));
  return respondCached(request, answer, request.ctx.get("if-none-match") || undefined);
}

/** An answer built for this request only (not cached): same validator and codings, compressed per request. */
export function answerBuilt(request: OperationRequest, tenantId: string, built: BuiltResponse): Promise<OperationResult> | OperationResult {
  return respondCached(request, { ...built, etag: etagOf(tenantId, built), encoded: {} }, request.ctx.get("if-none-match") || undefined);
}

/** Per cached answer and coding, the result handed to the router (immutable: built once, answered many times). */
const results = new WeakMap<CachedResponse, Map<string, OperationResult>>();

/** A 304 when `If-None-Match` names the answer, else its bytes in the client's coding (compressed at most once). */
function respondCached(request: OperationRequest, answer: CachedResponse, ifNoneMatch: string | undefined): Promise<OperationResult> | OperationResult {
  if (ifNoneMatchHits(ifNoneMatch, answer.etag)) return notModified(answer.etag);
  const coding = answer.body.length >= COMPRESSION_THRESHOLD_BYTES ? preferredCoding(request.ctx.get("accept-encoding") || undefined) : undefined;
  const held = results.get(answer)?.get(coding ?? "identity");
  if (held) return held;
  if (!coding) return resultOf(answer, "identity", answer.body);
  // Compressed already: answered without waiting on a promise.
  const compressed = answer.compressed?.[coding];
  return compressed ? resultOf(answer, coding, compressed) : encodedBody(answer, coding).then((body) => resultOf(answer, coding, body));
}

function resultOf(answer: CachedResponse, coding: string, body: Buffer): OperationResult {
  const result: OperationResult = Object.freeze({
    body: answer.body,
    type: "application/json",
    headers: Object.freeze({ ...answer.headers, ETag: answer.etag, "Cache-Control": CACHE_CONTROL }),
    encoded: Object.freeze({ coding, body }),
  });
  let byCoding = results.get(answer);
  if (!byCoding) results.set(answer, (byCoding = new Map()));
  byCoding.set(coding, result);
  return result;
}
