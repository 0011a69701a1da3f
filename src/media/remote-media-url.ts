import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { AppError } from "../errors.js";
import type { AddressPolicy } from "./address-policy.js";

/** The request field every refusal names. */
export const MEDIA_URL_FIELD = "content/mediaUrl";

/** What may be fetched: https on 443 (or a configured port), no credentials, a host that is not private or reserved. */
export interface RemoteMediaUrlRules {
  /** Ports besides 443 a URL may name (MEDIA_FETCH_ALLOWED_PORTS). */
  allowedPorts: readonly number[];
  policy: AddressPolicy;
}

/** Every address a host name resolves to (the system resolver, as getaddrinfo answers, by default). */
export type ResolveHost = (hostname: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

export const systemResolver: ResolveHost = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** An address the connection may go to: checked, so only such addresses are connected to. */
export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/** How a refusal reads: the request's URL, or one a redirect led to. */
const refusal = (redirected: boolean, reason: string) =>
  new AppError("validation_failed", redirected ? `content.mediaUrl redirects to a URL that is refused: it ${reason}` : `content.mediaUrl ${reason}`, {
    field: MEDIA_URL_FIELD,
  });

const PRIVATE = "resolves to a private or reserved address";

/** The host without IPv6's brackets. */
export const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * The checks that need no network (400 naming content/mediaUrl): an absolute https URL, without userinfo, on 443 or a
 * configured port, whose host — when it is an IP literal (the URL parser has already turned `0x7f.1` or `2130706433`
 * into dotted form) — is allowed by the address policy.
 */
export function checkMediaUrl(raw: string, rules: RemoteMediaUrlRules, redirected = false): URL {
  if (!URL.canParse(raw)) throw refusal(redirected, "is not an absolute URL");
  const url = new URL(raw);
  if (url.protocol !== "https:") throw refusal(redirected, "must be an https URL");
  if (url.username || url.password) throw refusal(redirected, "must not carry credentials");
  if (url.port !== "" && !rules.allowedPorts.includes(Number(url.port))) throw refusal(redirected, "must use the default https port (443)");
  const host = bareHost(url);
  if (isIP(host) && !rules.policy.allows(host)) throw refusal(redirected, PRIVATE);
  return url;
}

/**
 * The addresses to connect to for `url`: its host resolved once, every answer checked — one private or reserved
 * answer refuses the URL (400), so a name that mixes a public and an internal address cannot be used to reach the
 * internal one. The connection is then pinned to the returned addresses, in the resolver's order (DNS is not asked
 * again): when the first does not answer (an IPv6 answer on a host without an IPv6 route, one server of several
 * down), the next checked one is tried, never another.
 */
export async function resolveMediaHost(url: URL, rules: RemoteMediaUrlRules, resolve: ResolveHost, redirected = false): Promise<PinnedAddress[]> {
  const host = bareHost(url);
  const literal = isIP(host);
  if (literal) return [{ address: host, family: literal as 4 | 6 }];
  let answers: ReadonlyArray<{ address: string; family: number }>;
  try {
    answers = await resolve(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTFOUND" || code === "ENODATA") throw refusal(redirected, "names a host that does not resolve");
    throw new AppError("upstream_error", "the media URL could not be fetched: its host name could not be resolved", { field: MEDIA_URL_FIELD, cause: error });
  }
  if (answers.length === 0) throw refusal(redirected, "names a host that does not resolve");
  if (answers.some((answer) => !rules.policy.allows(answer.address))) throw refusal(redirected, PRIVATE);
  // Each address once (a resolver may repeat one per socket type), as Node connects to them.
  const seen = new Set<string>();
  return answers.flatMap(({ address }) => (seen.has(address) ? [] : (seen.add(address), [{ address, family: isIP(address) as 4 | 6 }])));
}
