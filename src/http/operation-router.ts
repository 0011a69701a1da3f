import Router from "@koa/router";
import type { Context } from "koa";
import { AppError } from "../errors.js";
import { bearerToken, type Principal, type TokenVerifier } from "./access-token.js";
import type { Contract, ContractOperation } from "./openapi-contract.js";

/** What a handler receives: the request as the contract validated and coerced it. */
export interface OperationRequest {
  params: Record<string, any>;
  query: Record<string, any>;
  headers: Record<string, any>;
  body: any;
  /** Set for every operation the contract secures. */
  principal: Principal;
  ctx: Context;
}

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
export function createOperationRouter(
  contract: Contract,
  handlers: Record<string, OperationHandler>,
  verifyToken: TokenVerifier,
): Router {
  const router = new Router();
  const unknown = Object.keys(handlers).filter((id) => !contract.operations.some((op) => op.operationId === id));
  if (unknown.length > 0) throw new Error(`handlers for operations the contract does not declare: ${unknown.join(", ")}`);
  for (const operation of contract.operations) {
    const handler = handlers[operation.operationId];
    if (!handler) throw new Error(`no handler for contract operation ${operation.operationId}`);
    router[operation.method](operation.operationId, operation.routerPath, async (ctx) => {
      const result = await handler(parseRequest(ctx, operation, verifyToken));
      if (result.headers) ctx.set(result.headers);
      if (result.type) ctx.type = result.type;
      ctx.status = result.status ?? 200;
      ctx.body = result.body ?? null;
    });
  }
  return router;
}

function parseRequest(ctx: Context, operation: ContractOperation, verifyToken: TokenVerifier): OperationRequest {
  const principal = operation.requiresAuth ? verifyToken(bearerToken(ctx.get("authorization") || undefined)) : ANONYMOUS;
  const { path, query, headers } = operation.parseParameters({
    path: (ctx as Context & { params: Record<string, string> }).params,
    query: ctx.query,
    headers: ctx.headers,
  });
  const raw = (ctx.request as { rawBody?: string }).rawBody;
  const present = raw !== undefined && raw.length > 0;
  if (!present && ctx.request.length > 0 && !ctx.is("application/json"))
    throw new AppError("unsupported_media_type", "request body must be application/json", { field: "body" });
  const body = operation.parseBody((ctx.request as { body?: unknown }).body, present);
  return { params: path, query, headers, body, principal, ctx };
}
