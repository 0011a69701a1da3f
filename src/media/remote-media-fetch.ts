import { createWriteStream } from "node:fs";
import type { IncomingMessage } from "node:http";
import { request, type RequestOptions } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { AppError, isAppError } from "../errors.js";
import type { AddressPolicy } from "./address-policy.js";
import { createSpoolDirectory, mediaGuard } from "./media-spool.js";
import type { MessageUpload, UploadedFile } from "./read-message-upload.js";
import { bareHost, checkMediaUrl, MEDIA_URL_FIELD, resolveMediaHost, systemResolver, type PinnedAddress, type ResolveHost } from "./remote-media-url.js";

export interface RemoteMediaFetchSettings {
  /** TCP connect and TLS handshake, per hop. */
  connectTimeoutMs: number;
  /** The whole fetch: every hop, the headers and the body. */
  timeoutMs: number;
  /** Ports besides 443 (MEDIA_FETCH_ALLOWED_PORTS). */
  allowedPorts: readonly number[];
  policy: AddressPolicy;
}

/** What tests replace: the resolver (a name's answers) and the CA trusted (their own); TLS verification stays on. */
export interface RemoteMediaFetchDeps {
  resolve?: ResolveHost;
  ca?: string | Buffer;
}

/** What the file must be, decided by the channel and the message type. */
export interface RemoteMediaRequirements {
  /** Throws (415) unless this content type may be sent. */
  accept(contentType: string): void;
  /** The largest file of this content type. */
  maxBytes(contentType: string): number;
}

export interface RemoteMediaFetcher {
  /** The checks that need no network (400 naming content/mediaUrl), to run before anything else. */
  check(raw: string): URL;
  /**
   * The file at `url`, spooled to a private temporary file and checked, as one upload of the chat API; `caption` is its
   * text. At most `MAX_FETCHES_PER_TENANT` at once per `tenantId` (429 beyond).
   */
  fetch(url: URL, requirements: RemoteMediaRequirements, options: { tenantId: string; caption?: string }): Promise<MessageUpload>;
}

/**
 * Fetches one tenant may have in flight: each holds a connection and up to 16 MB of disk for up to
 * MEDIA_FETCH_TIMEOUT_MS, so the per-user request rate alone would let one user hold hundreds.
 */
export const MAX_FETCHES_PER_TENANT = 4;

/** Redirects followed, each checked as the first URL was (3 covers a link shortener in front of a CDN). */
export const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * A server-side fetch of a URL a tenant's user supplies, safe against SSRF: https only; the host resolved once and
 * every answer checked against the address policy; the connection pinned to the checked addresses (the request's
 * `lookup` answers them, so a second DNS answer cannot swap them; Node tries the next when one does not answer) with
 * TLS verified against the host name; at most
 * 3 redirects, each checked from scratch; no cookies or credentials sent; connect and total timeouts; the size limit
 * enforced while streaming (and up front from Content-Length); the type and first bytes checked as the chat API's
 * multipart upload checks them. Refusals of the URL or its addresses are 400; the remote's failures are 502, too
 * large 413, wrong type 415 — each naming content/mediaUrl.
 */
export function createRemoteMediaFetcher(settings: RemoteMediaFetchSettings, deps: RemoteMediaFetchDeps = {}): RemoteMediaFetcher {
  const resolve = deps.resolve ?? systemResolver;
  const inFlight = new Map<string, number>();
  return {
    check: (raw) => checkMediaUrl(raw, settings),
    async fetch(first, requirements, { tenantId, caption }) {
      const running = inFlight.get(tenantId) ?? 0;
      if (running >= MAX_FETCHES_PER_TENANT)
        throw new AppError("rate_limited", `at most ${MAX_FETCHES_PER_TENANT} media URLs are fetched at once per tenant: retry when one has finished`, {
          field: MEDIA_URL_FIELD,
          retryAfterSeconds: 1,
        });
      inFlight.set(tenantId, running + 1);
      try {
        return await fetchFile(first, requirements, caption);
      } finally {
        const left = inFlight.get(tenantId)! - 1;
        if (left === 0) inFlight.delete(tenantId);
        else inFlight.set(tenantId, left);
      }
    },
  };

  /** One fetch: the redirect loop, each hop resolved, checked and pinned, under one total timeout. */
  async function fetchFile(first: URL, requirements: RemoteMediaRequirements, caption?: string): Promise<MessageUpload> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), settings.timeoutMs);
    try {
      let url = first;
      for (let hop = 0; ; hop++) {
        const redirected = hop > 0;
        const pinned = await untilAborted(resolveMediaHost(url, settings, resolve, redirected), abort.signal);
        const response = await get(url, pinned, settings.connectTimeoutMs, abort.signal, deps.ca);
        if (REDIRECTS.has(response.statusCode ?? 0)) {
          response.destroy();
          const location = response.headers.location;
          if (hop === MAX_REDIRECTS) throw remoteFailure(`it redirected more than ${MAX_REDIRECTS} times`);
          if (!location) throw remoteFailure(`it answered ${response.statusCode} without a Location`);
          url = checkMediaUrl(new URL(location, url).href, settings, true);
          continue;
        }
        return await spool(response, url, requirements, abort.signal, caption);
      }
    } catch (error) {
      if (!isAppError(error) && abort.signal.aborted) throw remoteFailure(`it did not answer in full within ${settings.timeoutMs} ms`, error);
      throw translate(error, settings);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * One GET to the pinned addresses: no cookies, no credentials, no compression, a fresh connection (never pooled).
 * Node asks the lookup for every address (`all`) and tries them in turn, each for at most 250 ms when it hears
 * nothing (autoSelectFamily, on by default since Node 20: RFC 8305's Happy Eyeballs); the connect timeout bounds them all.
 */
function get(url: URL, pinned: PinnedAddress[], connectTimeoutMs: number, signal: AbortSignal, ca?: string | Buffer): Promise<IncomingMessage> {
  const host = bareHost(url);
  const lookup = ((_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) (callback as (error: null, addresses: PinnedAddress[]) => void)(null, pinned);
    else callback(null, pinned[0]!.address, pinned[0]!.family);
  }) as LookupFunction;
  const options: RequestOptions = {
    method: "GET",
    host,
    port: url.port || 443,
    path: `${url.pathname}${url.search}`,
    headers: { accept: "*/*", "accept-encoding": "identity", "user-agent": "Switchboard-media-fetch/1" },
    agent: false,
    lookup,
    // TLS is checked against the URL's host name, whatever address was connected to (SNI takes no IP literal).
    ...(isIP(host) ? {} : { servername: host }),
    ...(ca ? { ca } : {}),
    rejectUnauthorized: true,
    signal,
  };
  return new Promise((resolve, reject) => {
    const req = request(options, resolve);
    req.once("error", reject);
    req.once("socket", (socket) => {
      const timer = setTimeout(() => req.destroy(new ConnectTimeout(connectTimeoutMs)), connectTimeoutMs);
      socket.once("secureConnect", () => clearTimeout(timer));
      socket.once("close", () => clearTimeout(timer));
    });
    req.end();
  });
}

/** The body to a private temporary file: type, Content-Length and size while streaming, first bytes checked. */
async function spool(response: IncomingMessage, url: URL, requirements: RemoteMediaRequirements, signal: AbortSignal, caption?: string): Promise<MessageUpload> {
  const status = response.statusCode ?? 0;
  if (status !== 200) {
    response.destroy();
    throw remoteFailure(`it answered ${status}`);
  }
  const encoding = response.headers["content-encoding"];
  if (encoding && encoding !== "identity") {
    response.destroy();
    throw remoteFailure(`it answered with Content-Encoding ${encoding}, not the file itself`);
  }
  const contentType = (response.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const max = (() => {
    try {
      if (!contentType) throw new AppError("unsupported_media_type", "content.mediaUrl answered without a Content-Type", { field: MEDIA_URL_FIELD });
      requirements.accept(contentType);
      return requirements.maxBytes(contentType);
    } catch (error) {
      response.destroy();
      throw error;
    }
  })();
  const tooLarge = () => new AppError("payload_too_large", `content.mediaUrl serves more than ${max} bytes, the most this channel takes for ${contentType}`, { field: MEDIA_URL_FIELD });
  // Refused before reading when the server says so; counted while streaming when it does not (or lies).
  if (Number(response.headers["content-length"]) > max) {
    response.destroy();
    throw tooLarge();
  }
  const { dir, cleanup } = await createSpoolDirectory("switchboard-fetch-");
  const file: UploadedFile = { path: join(dir, "0"), contentType, filename: filenameOf(url), size: 0 };
  const guard = mediaGuard(contentType, MEDIA_URL_FIELD, (size) => (size > max ? tooLarge() : undefined));
  try {
    await pipeline(response, guard, createWriteStream(file.path, { mode: 0o600 }), { signal });
    file.size = guard.size;
    if (file.size === 0) throw remoteFailure("it answered an empty file");
  } catch (error) {
    response.destroy();
    await cleanup();
    throw error;
  }
  return { files: [file], cleanup, ...(caption ? { body: caption } : {}) };
}

/** The URL's last path segment, kept to safe characters, as the file's name in Twilio. */
function filenameOf(url: URL): string {
  let segment = url.pathname.split("/").at(-1) ?? "";
  try {
    segment = decodeURIComponent(segment);
  } catch {
    // Keep the raw segment: it is cleaned below.
  }
  const safe = segment.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^[._]+/, "").slice(0, 100);
  return safe || "media";
}

class ConnectTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no connection within ${ms} ms`);
  }
}

const remoteFailure = (reason: string, cause?: unknown) =>
  new AppError("upstream_error", `the media URL could not be fetched: ${reason}`, { field: MEDIA_URL_FIELD, cause });

/** Node's failures in the remote's terms, without internal details (no address, no stack). */
function translate(error: unknown, settings: RemoteMediaFetchSettings): AppError {
  if (isAppError(error)) return error;
  if (error instanceof ConnectTimeout) return remoteFailure(`it did not accept a connection within ${settings.connectTimeoutMs} ms`, error);
  const code = String((error as NodeJS.ErrnoException).code ?? "");
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return remoteFailure("its TLS certificate could not be verified for its host name", error);
  if (code === "ERR_STREAM_PREMATURE_CLOSE" || code === "ECONNRESET") return remoteFailure("the connection closed before the file ended", error);
  return remoteFailure("its server could not be reached", error);
}

/** `promise`, or a rejection as soon as `signal` aborts (a DNS lookup cannot be cancelled, only stopped waiting for). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
