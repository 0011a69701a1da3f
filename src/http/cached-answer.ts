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
  // A poll sends back exactly the ETag it was given: no split, no trim.
  if (header === etag) return true;
  if (header.trim() === "*") return true;
  const opaque = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === opaque);
}

/**
 * A 304 carries what the 200 would for ETag, Cache-Control and Vary (RFC 9110 §15.4.5: the 200 varies by
 * Accept-Encoding), and nothing else of the representation.
 */
const notModified = (etag: string): OperationResult =>
  Object.freeze({ status: 304, headers: Object.freeze({ ETag: etag, "Cache-Control": CACHE_CONTROL, Vary: "Accept-Encoding" }) });

/**
 * A JSON answer held by the response cache under `key`: a 304 when the client's `If-None-Match` names it (found
 * without building the page when it is cached), else the page, compressed as the client accepts (each coding
 * computed once per cached page). `body` stays the uncompressed bytes (the audit reads them).
 */
export function answerFromCache(
  request: OperationRequest,
  responses: ResponseCache,
  key: string,
  tenantId: string,
  build: () => Promise<BuiltResponse>,
): Promise<OperationResult> | OperationResult {
  // A warm answer is taken as it is, and answered at once (no fetch, no promise); a miss builds it once for every
  // concurrent request.
  const ifNoneMatch = request.ctx.get("if-none-match") || undefined;
  const warm = responses.peek(key);
  if (warm) return respondCached(request, warm, ifNoneMatch);
  return responses.getOrBuild(key, tenantId, build).then((answer) => respondCached(request, answer, ifNoneMatch));
}

/** An answer built for this request only (not cached): same validator and codings, compressed per request. */
export function answerBuilt(request: OperationRequest, tenantId: string, built: BuiltResponse): Promise<OperationResult> | OperationResult {
  return respondCached(request, { ...built, etag: etagOf(tenantId, built), encoded: {} }, request.ctx.get("if-none-match") || undefined);
}

/** Per cached answer and coding (or its 304), the result handed to the router (immutable: built once, answered many times). */
const results = new WeakMap<CachedResponse, Map<string, OperationResult>>();

/** A 304 when `If-None-Match` names the answer, else its bytes in the client's coding (compressed at most once). */
function respondCached(request: OperationRequest, answer: CachedResponse, ifNoneMatch: string | undefined): Promise<OperationResult> | OperationResult {
  if (ifNoneMatchHits(ifNoneMatch, answer.etag)) return held(answer, NOT_MODIFIED) ?? hold(answer, NOT_MODIFIED, notModified(answer.etag));
  const coding = answer.body.length >= COMPRESSION_THRESHOLD_BYTES ? preferredCoding(request.ctx.get("accept-encoding") || undefined) : undefined;
  const kept = held(answer, coding ?? "identity");
  if (kept) return kept;
  if (!coding) return resultOf(answer, "identity", answer.body);
  // Compressed already: answered without waiting on a promise.
  const compressed = answer.compressed?.[coding];
  return compressed ? resultOf(answer, coding, compressed) : encodedBody(answer, coding).then((body) => resultOf(answer, coding, body));
}

/** The key of an answer's 304 among its results by coding. */
const NOT_MODIFIED = "304";

const held = (answer: CachedResponse, key: string): OperationResult | undefined => results.get(answer)?.get(key);

function hold(answer: CachedResponse, key: string, result: OperationResult): OperationResult {
  let byKey = results.get(answer);
  if (!byKey) results.set(answer, (byKey = new Map()));
  byKey.set(key, result);
  return result;
}

function resultOf(answer: CachedResponse, coding: string, body: Buffer): OperationResult {
  return hold(answer, coding, Object.freeze({
    body: answer.body,
    type: "application/json",
    headers: Object.freeze({ ...answer.headers, ETag: answer.etag, "Cache-Control": CACHE_CONTROL }),
    encoded: Object.freeze({ coding, body }),
  }));
}
