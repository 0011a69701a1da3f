/** What the signature base needs from a request; a Koa context has all three. */
export interface CalledRequest {
  /** Koa's `ctx.protocol`: `https` on a TLS socket, else X-Forwarded-Proto only when the app trusts its proxy. */
  readonly protocol: string;
  /** Koa's `ctx.host`: the Host header (`:authority` on HTTP/2), X-Forwarded-Host only when the app trusts its proxy. */
  readonly host: string;
  /** The request target as received: path and query, exactly as Twilio signed them. */
  readonly originalUrl: string;
}

// host[:port], or [IPv6][:port]: nothing that could carry a path, query, userinfo or a second URL.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The URL Twilio called, which its `X-Twilio-Signature` covers: PUBLIC_BASE_URL + path + query when configured,
 * otherwise protocol + Host as this server saw them (Koa honours X-Forwarded-Proto/Host only with TRUST_PROXY).
 * Never the `Origin` header: that is the caller's to choose, and would let a webhook signed for another
 * deployment of the same account pass. Undefined when the request names no URL Twilio could have called.
 */
export function calledWebhookUrl(request: CalledRequest, publicBaseUrl: string | undefined): string | undefined {
  // Twilio sends origin-form targets (`/path?query`); an absolute-form or `*` target is not one of its calls.
  if (!request.originalUrl.startsWith("/")) return undefined;
  const base = publicBaseUrl ?? requestBaseUrl(request);
  if (base === undefined) return undefined;
  const url = `${base}${request.originalUrl}`;
  return URL.canParse(url) ? url : undefined;
}

function requestBaseUrl({ protocol, host }: CalledRequest): string | undefined {
  if (protocol !== "http" && protocol !== "https") return undefined;
  return HOST.test(host) ? `${protocol}://${host}` : undefined;
}

/** The URL to register with Twilio (or SendGrid) for one of the gateway's webhook paths. */
export function webhookUrl(publicBaseUrl: string, path: string): string {
  return `${publicBaseUrl}${path}`;
}
