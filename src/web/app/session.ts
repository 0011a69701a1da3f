import { computed, signal } from "@preact/signals";

/** Who the page is signed in as. Kept in this tab's sessionStorage (never in a URL, never in localStorage). */
export interface Session {
  token: string;
  userId: string;
  tenantIds: string[];
  /** Names of those tenants, where the gateway said them (the development sign-in); a pasted token has ids only. */
  tenantNames?: Record<string, string>;
  /** When the token expires (ms since the epoch). */
  expiresAtMs: number;
  /** `emulator`: minted by POST /api/v1/emulator/session, renewed silently; `token`: pasted by the person. */
  source: "emulator" | "token";
}

const STORAGE_KEY = "switchboard.session";

export const session = signal<Session | undefined>(restore());
const TENANT_KEY = "switchboard.tenant";
/** The tenant the page works in (the token's only one, or the one picked when it grants several; kept per tab). */
export const tenantId = signal<string | undefined>(restoredTenant(session.value));
/** Why the person is looking at the sign-in form again (an expired session, a refused token). */
export const signInNotice = signal<string | undefined>(undefined);
export const userId = computed(() => session.value?.userId);

/** The claims the page shows and plans with. Not verified here: the gateway verifies every request. */
export function readClaims(token: string): { userId: string; tenantIds: string[]; expiresAtMs: number } | undefined {
  try {
    const payload = token.split(".")[1];
    if (!payload) return undefined;
    const json = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/"))) as Record<string, unknown>;
    const user = typeof json.sub === "string" ? json.sub : typeof json.userId === "string" ? json.userId : undefined;
    const tenants = Array.isArray(json.tenants) ? json.tenants.filter((t): t is string => typeof t === "string") : typeof json.tenant === "string" ? [json.tenant] : [];
    if (!user || typeof json.exp !== "number") return undefined;
    return { userId: user, tenantIds: tenants, expiresAtMs: json.exp * 1000 };
  } catch {
    return undefined;
  }
}

/** Works in `id` from now on (one of the token's tenants), and remembers it for this tab. */
export function chooseTenant(id: string): void {
  if (!session.peek()?.tenantIds.includes(id)) return;
  tenantId.value = id;
  try {
    sessionStorage.setItem(TENANT_KEY, id);
  } catch {
    // Storage may be off: the choice lives in memory only.
  }
}

export function startSession(next: Session): void {
  session.value = next;
  if (!tenantId.value || !next.tenantIds.includes(tenantId.value)) tenantId.value = next.tenantIds[0];
  signInNotice.value = undefined;
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  } catch {
    // Storage may be off (private mode): the session lives in memory only.
  }
  scheduleRenewal(next);
}

export function endSession(notice?: string): void {
  session.value = undefined;
  signInNotice.value = notice;
  clearTimeout(renewal);
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}

/** POST /api/v1/emulator/session: the development token, for a page opened on the gateway's own machine. */
export async function signInWithEmulator(): Promise<void> {
  const response = await fetch("/api/v1/emulator/session", { method: "POST", headers: { Accept: "application/json" } });
  const body = (await response.json().catch(() => undefined)) as
    | { token?: string; userId?: string; tenantIds?: string[]; tenants?: Array<{ id: string; name: string }>; expiresAt?: string; error?: { message?: string } }
    | undefined;
  if (response.status !== 201 || !body?.token) throw new Error(body?.error?.message ?? `the development sign-in answered ${response.status}`);
  const tenantNames = Object.fromEntries((body.tenants ?? []).map((tenant) => [tenant.id, tenant.name]));
  startSession({ token: body.token, userId: body.userId!, tenantIds: body.tenantIds ?? [], tenantNames, expiresAtMs: Date.parse(body.expiresAt!), source: "emulator" });
}

/** A token the person pasted: checked with one API call before it is kept. */
export async function signInWithToken(token: string): Promise<void> {
  const claims = readClaims(token.trim());
  if (!claims) throw new Error("That is not an access token (a JWT with sub and exp).");
  const headers: Record<string, string> = { Authorization: `Bearer ${token.trim()}` };
  if (claims.tenantIds.length > 1) headers["X-Tenant-Id"] = claims.tenantIds[0]!;
  const response = await fetch("/api/v1/chat/stats", { headers });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
    throw new Error(body?.error?.message ?? `the gateway answered ${response.status}`);
  }
  startSession({ token: token.trim(), ...claims, source: "token" });
}

/**
 * A fresh token when the current one expired (or is about to): emulator sessions get one silently; a pasted token
 * cannot be renewed, so the person signs in again. Resolves whether the page still has a session.
 */
let renewing: Promise<boolean> | undefined;
export function renewSession(): Promise<boolean> {
  const current = session.value;
  if (!current) return Promise.resolve(false);
  if (current.source !== "emulator") {
    endSession("Your token has expired: paste a new one.");
    return Promise.resolve(false);
  }
  renewing ??= signInWithEmulator()
    .then(() => true)
    .catch(() => {
      endSession("Your session expired and could not be renewed.");
      return false;
    })
    .finally(() => (renewing = undefined));
  return renewing;
}

let renewal: ReturnType<typeof setTimeout> | undefined;
function scheduleRenewal(current: Session): void {
  clearTimeout(renewal);
  if (current.source !== "emulator") return;
  // A minute before expiry; sockets are told `session:expired` and dropped at expiry, and reconnect with this one.
  const inMs = Math.max(5_000, current.expiresAtMs - Date.now() - 60_000);
  renewal = setTimeout(() => void renewSession(), Math.min(inMs, 2 ** 31 - 1));
}

function restoredTenant(current: Session | undefined): string | undefined {
  try {
    const stored = sessionStorage.getItem(TENANT_KEY);
    if (stored && current?.tenantIds.includes(stored)) return stored;
  } catch {
    // nothing stored
  }
  return current?.tenantIds[0];
}

function restore(): Session | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? "null") as Session | null;
    if (!stored || typeof stored.token !== "string") return undefined;
    if (stored.expiresAtMs <= Date.now() && stored.source !== "emulator") return undefined;
    queueMicrotask(() => scheduleRenewal(stored));
    return stored;
  } catch {
    return undefined;
  }
}
