import Router from "@koa/router";
import type { Context, Middleware } from "koa";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import { bearerToken, type Principal, type TokenVerifier } from "./access-token.js";
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
  ctx: Context;
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
}

export type OperationHandler = (request: OperationRequest) => Promise<OperationResult> | OperationResult;

const ANONYMOUS: Principal = Object.freeze({ userId: "", tenantIds: [] }) as Principal;

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
}

export function createOperationRouter(
  contract: Contract,
  handlers: Record<string, OperationHandler>,
  { verifyToken, webhookAuthenticators = {}, pathPrefixRewrites = {}, rateLimits }: OperationRouterOptions,
): Router {
  const router = new Router();
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
    router[operation.method](operation.operationId, rewritePath(operation.routerPath, pathPrefixRewrites), async (ctx) => {
      ctx.state.errorEnvelope = operation.errorEnvelope;
      // Webhooks come from Twilio and SendGrid in bursts, and health probes from the platform: not rate limited.
      if (scheme === "bearerAuth") await rateLimits?.consumeIp(ctx.ip);
      const authentication = authenticate ? await authenticate(ctx) : {};
      if (authentication.principal) await rateLimits?.consumeUser(authentication.principal.tenantIds.join(","), authentication.principal.userId);
      const result = await handler(parseRequest(ctx, operation, authentication));
      if (result.headers) ctx.set(result.headers);
      if (result.type) ctx.type = result.type;
      ctx.status = result.status ?? 200;
      ctx.body = result.body ?? null;
    });
  }
  return router;
}

/**
 * Picks the error envelope of the operation a request is for before the body is parsed, so a body the parser
 * refuses (broken JSON, too large) is answered in that operation's envelope too. Mount it before the body parser.
 */
export function errorEnvelopeMarker(contract: Contract, router: Router): Middleware {
  const operations = new Map(contract.operations.map((operation) => [operation.operationId, operation]));
  return (ctx, next) => {
    const layer = router.match(ctx.path, ctx.method).pathAndMethod.find((candidate) => candidate.name);
    const operation = layer?.name ? operations.get(layer.name) : undefined;
    if (operation) {
      ctx.state.errorEnvelope = operation.errorEnvelope;
      // An operation that takes no body never reads one, so a body sent anyway is not parsed (nor refused).
      if (operation.bodyMediaTypes.length === 0) (ctx as { disableBodyParser?: boolean }).disableBodyParser = true;
    }
    return next();
  };
}

/** Mounts a contract path under another prefix when one of `rewrites` names its first segments. */
export function rewritePath(path: string, rewrites: Record<string, string>): string {
  for (const [from, to] of Object.entries(rewrites)) {
    if (path === from || path.startsWith(`${from}/`)) return `${to.replace(/\/+$/, "")}${path.slice(from.length)}` || "/";
  }
  return path;
}

function parseRequest(ctx: Context, operation: ContractOperation, authentication: Authentication): OperationRequest {
  const { path, query, headers } = operation.parseParameters({
    path: (ctx as Context & { params: Record<string, string> }).params,
    query: ctx.query,
    headers: ctx.headers,
  });
  const raw = (ctx.request as { rawBody?: string }).rawBody;
  const present = (raw !== undefined && raw.length > 0) || (ctx.request.length ?? 0) > 0;
  const mediaType = operation.bodyMediaTypes.find((type) => ctx.is(type)) ?? (ctx.request.type || undefined);
  const body = operation.parseBody((ctx.request as { body?: unknown }).body, present, mediaType);
  return {
    params: path,
    query,
    headers,
    body,
    principal: authentication.principal ?? ANONYMOUS,
    webhookTenant: authentication.webhookTenant,
    ctx,
  };
}
