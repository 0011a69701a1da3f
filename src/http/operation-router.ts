import Router from "@koa/router";
import type { Context, Middleware } from "koa";
import { AppError } from "../errors.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { AuditLog } from "../logger.js";
import { bearerToken, type Principal, type TokenVerifier } from "./access-token.js";
import { disclosureOfBody } from "./message-audit.js";
import type { Contract, ContractOperation } from "./openapi-contract.js";
import type { RateLimits } from "./rate-limits.js";

/** What a handler receives: the request as the contract validated and coerced it. */
export interface OperationRequest {
  params: Record<string, any>;
  query: Record<string, any>;
  headers: Record<string, any>;
  body: any;
  /** The user, for operations secured by bearerAuth. */
  principal: Principal;
  /** The tenant whose signature a webhook carried, for operations secured by a webhook signature. */
  webhookTenant?: TenantInbox;
  /** The tenant the handler served the request from (set by `inTenant`; the audit line names it). */
  tenantId?: string;
  ctx: Context;
}

/** Records the tenant a request is served from, for the audit line, and hands its inbox on. */
export function inTenant(request: OperationRequest, inbox: TenantInbox): TenantInbox {
  request.tenantId = inbox.tenant.id;
  return inbox;
}

/** What an authenticator proves about a request; it throws AppError (400/401/403) when it proves nothing. */
export interface Authentication {
  principal?: Principal;
  webhookTenant?: TenantInbox;
}

/** One authenticator per security scheme of the contract (bearerAuth is built in). */
export type Authenticator = (ctx: Context) => Authentication | Promise<Authentication>;

export interface OperationResult {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Content type when the body is not JSON. */
  type?: string;
  /**
   * The bytes to send instead of `body`, already in the coding the handler chose for the client (`identity`: as
   * they are); no other compression applies. `body` stays what the audit reads.
   */
  encoded?: { coding: string; body: Buffer };
}

export type OperationHandler = (request: OperationRequest) => Promise<OperationResult> | OperationResult;

const ANONYMOUS: Principal = Object.freeze({ userId: "", tenantIds: [], expiresAtMs: 0, role: "AGENT" }) as Principal;

/**
 * Mounts one route per contract operation, so nothing is served that the contract does not describe and nothing
 * the contract describes is left unserved (either mismatch stops the boot). Every request is authenticated (when
 * the contract secures it) and then validated before its handler runs.
 */
export interface OperationRouterOptions {
  verifyToken: TokenVerifier;
  /** Authenticators of the contract's webhook security schemes. */
  webhookAuthenticators?: Record<string, Authenticator>;
  /** Contract path prefix → where to mount it instead (e.g. `{ "/twilio": "/legacy/twilio" }`). */
  pathPrefixRewrites?: Record<string, string>;
  /** Per-IP limits on what browsers and clients call (not webhooks), per-user limits once authenticated. */
  rateLimits?: RateLimits;
  /**
   * Parses the request body (koa-bodyparser). It runs only for operations that take a body, after the
   * operation's error envelope is set, so a body it refuses (broken JSON, too large) is answered in that envelope;
   * a body sent to an operation that takes none is never read.
   */
  bodyParser?: Middleware;
  /** Where the answers of `x-audit` operations are recorded. */
  audit: AuditLog;
  /**
   * Runs after a bearer token is verified and before the role check: confirms a session token against the user's
   * record (revocation, current role) and makes sure the tenants it names are served. Returns the principal to use.
   */
  checkPrincipal?: (principal: Principal) => Principal | Promise<Principal>;
}

const NOTHING_NEXT = () => Promise.resolve();
const NO_AUTHENTICATION: Authentication = Object.freeze({});

/** A step that may answer at once: awaiting a plain value would still cost the request a microtask turn. */
const isPromise = <T>(value: T | Promise<T>): value is Promise<T> => value instanceof Promise;

export function createOperationRouter(
  contract: Contract,
  handlers: Record<string, OperationHandler>,
  { verifyToken, webhookAuthenticators = {}, pathPrefixRewrites = {}, rateLimits, bodyParser, audit, checkPrincipal }: OperationRouterOptions,
): Router {
  const router = new Router();
  const surfaces = new SurfaceRouters(router);
  const authenticators: Record<string, Authenticator> = {
    ...webhookAuthenticators,
    bearerAuth: (ctx) => ({ principal: verifyToken(bearerToken(ctx.get("authorization") || undefined)) }),
  };
  const unknown = Object.keys(handlers).filter((id) => !contract.operations.some((op) => op.operationId === id));
  if (unknown.length > 0) throw new Error(`handlers for operations the contract does not declare: ${unknown.join(", ")}`);
  for (const operation of contract.operations) {
    const handler = handlers[operation.operationId];
    if (!handler) throw new Error(`no handler for contract operation ${operation.operationId}`);
    const scheme = operation.securityScheme;
    const authenticate = scheme ? authenticators[scheme] : undefined;
    if (scheme && !authenticate) throw new Error(`no authenticator for security scheme ${scheme}`);
    // Roles are declared per operation in the contract (x-roles), and only there: every bearer operation names its own.
    if (scheme === "bearerAuth" && !operation.roles) throw new Error(`contract operation ${operation.operationId} declares no x-roles`);
    const parseBody = operation.bodyMediaTypes.length > 0 ? bodyParser : undefined;
    const path = rewritePath(operation.routerPath, pathPrefixRewrites);
    surfaces.routerFor(operation.surface, path)[operation.method](operation.operationId, path, async (ctx) => {
      ctx.state.errorEnvelope = operation.errorEnvelope;
      if (parseBody) {
        await parseBody(ctx, NOTHING_NEXT);
        // A form's values come out of the parser as slices of the raw body: anything kept from one (a dedupe key, a
        // cached record) would keep the whole body alive. A structured clone gives them their own memory.
        if (ctx.request.is("application/x-www-form-urlencoded")) {
          const request = ctx.request as { body?: unknown };
          request.body = structuredClone(request.body);
        }
      }
      // Webhooks come from Twilio and SendGrid in bursts, and health probes from the platform: not rate limited.
      if (scheme === "bearerAuth" && rateLimits) await rateLimits.consumeIp(ctx.ip);
      const authenticated = authenticate ? authenticate(ctx) : NO_AUTHENTICATION;
      const authentication = isPromise(authenticated) ? await authenticated : authenticated;
      let principal = authentication.principal;
      if (principal) {
        if (rateLimits) await rateLimits.consumeUser(principal.tenantIds.join(","), principal.userId);
        if (checkPrincipal) {
          const checked = checkPrincipal(principal);
          principal = isPromise(checked) ? await checked : checked;
        }
        if (operation.roles && !operation.roles.includes(principal.role))
          throw new AppError("forbidden", `this operation needs the role ${operation.roles.join(" or ")}`, { field: "role" });
      }
      const request = parseRequest(ctx, operation, principal, authentication.webhookTenant);
      const produced = handler(request);
      const result = isPromise(produced) ? await produced : produced;
      const status = result.status ?? 200;
      if (operation.audit && status >= 200 && status < 300) recordDisclosure(audit, operation, request, result);
      if (result.headers) setHeaders(ctx, result.headers);
      ctx.status = status;
      // A 304 has no body (Koa ends it with none).
      if (status !== 304) respondWith(ctx, result);
    });
  }
  surfaces.mount();
  return router;
}

/** How many leading path segments name a surface's part of the URL space (`/api/v1/chat`). */
const STEM_SEGMENTS = 3;

/**
 * @koa/router tests every route's regexp on every request (84 routes: ≈ 6 µs and as many `debug` calls in a CPU
 * profile of the warm list). Each surface's routes get a router of their own, mounted on the top router as one
 * route matching the surface's leading static segments; a request then walks the surfaces' few stems and its own
 * surface's routes. A surface answers a path it does not know by passing it on (@koa/router calls `next`), so
 * stems that overlap another surface's cost a walk, never a wrong answer. Routes with no static leading segment
 * (`/`) stay on the top router.
 */
class SurfaceRouters {
  private readonly bySurface = new Map<string, { router: Router; stems: Set<string> }>();

  constructor(private readonly top: Router) {}

  routerFor(surface: string, path: string): Router {
    const stem = stemOf(path);
    if (!stem) return this.top;
    let entry = this.bySurface.get(surface);
    if (!entry) this.bySurface.set(surface, (entry = { router: new Router(), stems: new Set() }));
    entry.stems.add(stem);
    return entry.router;
  }

  mount(): void {
    for (const { router, stems } of this.bySurface.values()) {
      const pattern = [...stems].map((stem) => stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
      // A RegExp route captures no named parameter, so the surface's own route alone sets `ctx.params`.
      this.top.all(new RegExp(`^(?:${pattern})(?:/|$)`), router.routes());
    }
  }
}

/** The leading static segments of a router path, up to STEM_SEGMENTS (`/api/v1/chat/conversations/:sid` → `/api/v1/chat`). */
function stemOf(path: string): string {
  const stem: string[] = [];
  for (const segment of path.split("/").slice(1, STEM_SEGMENTS + 1)) {
    if (!segment || /[:{(*]/.test(segment)) break;
    stem.push(segment);
  }
  return stem.length > 0 ? `/${stem.join("/")}` : "";
}

/**
 * Writes the audit line of an answer that carries message content, before the answer goes out: an answer that
 * cannot be audited (its handler did not say which tenant served it) is not given.
 */
function recordDisclosure(audit: AuditLog, operation: ContractOperation, request: OperationRequest, result: OperationResult): void {
  if (!request.tenantId) throw new AppError("internal_error", `${operation.operationId} is audited but did not name its tenant`);
  audit({
    action: "conversation.messages.read",
    userId: request.principal.userId,
    tenantId: request.tenantId,
    surface: operation.surface,
    operation: operation.operationId,
    ...disclosureOfBody(operation.audit!, result.body),
  });
}

/** A result's headers, straight to Node's response (Koa's ctx.set checks and converts each on top of Node's own checks). */
function setHeaders(ctx: Context, headers: Readonly<Record<string, string>>): void {
  const res = ctx.res;
  for (const name in headers) res.setHeader(name, headers[name]!);
}

/**
 * Sets the body. A JSON value is serialised here, straight to bytes: left to Koa, a page of messages would be
 * stringified, measured (Buffer.byteLength) and then encoded again by the socket write — three passes over a string
 * that is two bytes a character as soon as one message holds an emoji.
 */
function respondWith(ctx: Context, { body, type, encoded }: OperationResult): void {
  if (encoded) {
    (ctx as { compress?: boolean }).compress = false; // koa-compress: negotiated already
    ctx.vary("Accept-Encoding");
    setType(ctx, type);
    if (encoded.coding !== "identity") ctx.set("Content-Encoding", encoded.coding);
    ctx.body = encoded.body;
    return;
  }
  if (body === undefined || body === null || typeof body === "string" || Buffer.isBuffer(body) || !isJsonValue(body)) {
    if (type) ctx.type = type;
    ctx.body = body ?? null;
    return;
  }
  setType(ctx, type);
  ctx.body = Buffer.from(JSON.stringify(body));
}

/** JSON's Content-Type as Koa writes it (`ctx.type =` looks the type up in mime-types on every answer). */
const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

function setType(ctx: Context, type: string | undefined): void {
  if (type === undefined || type === "application/json") ctx.set("Content-Type", JSON_CONTENT_TYPE);
  else ctx.type = type;
}

/** Plain objects and arrays (not streams or other objects Koa answers in its own way). */
function isJsonValue(body: unknown): boolean {
  if (Array.isArray(body)) return true;
  const prototype = Object.getPrototypeOf(body);
  return prototype === Object.prototype || prototype === null;
}

/** Mounts a contract path under another prefix when one of `rewrites` names its first segments. */
export function rewritePath(path: string, rewrites: Record<string, string>): string {
  for (const [from, to] of Object.entries(rewrites)) {
    if (path === from || path.startsWith(`${from}/`)) return `${to.replace(/\/+$/, "")}${path.slice(from.length)}` || "/";
  }
  return path;
}

function parseRequest(ctx: Context, operation: ContractOperation, principal: Principal | undefined, webhookTenant: TenantInbox | undefined): OperationRequest {
  const { path, query, headers } = operation.parseParameters({
    path: (ctx as Context & { params: Record<string, string> }).params,
    // Parsed only when the operation has not seen this query string yet (a valid one is remembered).
    from: ctx,
    headers: ctx.headers,
  });
  return {
    params: path,
    query,
    headers,
    body: operation.bodyMediaTypes.length > 0 ? parseBody(ctx, operation) : undefined,
    principal: principal ?? ANONYMOUS,
    webhookTenant,
    ctx,
  };
}

/** The body of an operation that takes one, validated (an operation taking none never looks at it). */
function parseBody(ctx: Context, operation: ContractOperation): unknown {
  const raw = (ctx.request as { rawBody?: string }).rawBody;
  const present = (raw !== undefined && raw.length > 0) || (ctx.request.length ?? 0) > 0;
  const mediaType = operation.bodyMediaTypes.find((type) => ctx.is(type)) ?? (ctx.request.type || undefined);
  return operation.parseBody((ctx.request as { body?: unknown }).body, present, mediaType);
}
