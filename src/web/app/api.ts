import { endSession, renewSession, session, tenantId } from "./session.js";

/** An error answer of the API (`{ error: { code, message, field? } }`), or `network` when none came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiAnswer<T> {
  data: T;
  status: number;
  /** The `Link: <…>; rel="next"` target, when there is a next page. */
  next?: string;
}

/**
 * One call of the chat API with the session's token (and X-Tenant-Id when the token grants several tenants). An
 * expired token is renewed once (emulator sessions) and the call repeated; otherwise the person signs in again.
 */
export async function api<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}, renewed = false): Promise<ApiAnswer<T>> {
  const current = session.value;
  if (!current) throw new ApiError(401, "unauthenticated", "Not signed in");
  const headers: Record<string, string> = { Accept: "application/json", Authorization: `Bearer ${current.token}`, ...options.headers };
  if (current.tenantIds.length > 1 && tenantId.value) headers["X-Tenant-Id"] = tenantId.value;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch {
    throw new ApiError(0, "network", "The gateway could not be reached");
  }
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    const code = error?.code ?? "http_error";
    if (response.status === 401 && !renewed) {
      if (code === "token_expired" && (await renewSession())) return api<T>(method, path, options, true);
      if (code !== "token_expired") endSession("The gateway refused the token: sign in again.");
    }
    throw new ApiError(response.status, code, error?.message ?? `${response.status} ${response.statusText}`);
  }
  return { data: body as T, status: response.status, next: nextLink(response.headers.get("link")) };
}

function nextLink(header: string | null): string | undefined {
  return header ? /<([^>]+)>\s*;\s*rel="next"/.exec(header)?.[1] : undefined;
}

/** An Idempotency-Key: random, from the Web Crypto API (also on plain-HTTP origins, unlike randomUUID). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
