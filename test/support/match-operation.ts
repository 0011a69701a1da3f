import type { Contract, ContractOperation } from "../../src/http/openapi-contract.js";
import { rewritePath } from "../../src/http/operation-router.js";

/**
 * The contract operation a request reaches, matched as koa-router matches it: method (HEAD as GET), the path as
 * mounted (after `pathPrefixRewrites`, e.g. the PHP-compatible API's base path), case-insensitive, an optional
 * trailing slash, first declared operation first.
 */
export function matchOperation(
  contract: Contract,
  method: string,
  url: string,
  rewrites: Record<string, string> = {},
): ContractOperation | undefined {
  const pathname = url.split("?")[0]!;
  // koa-router serves HEAD with the GET route (HTTP's HEAD: the GET answer without its body).
  const wanted = method.toLowerCase() === "head" ? "get" : method.toLowerCase();
  return contract.operations.find((operation) => {
    if (operation.method !== wanted) return false;
    const template = rewritePath(operation.path, rewrites);
    return new RegExp(`^${template.replace(/[.]/g, "\\.").replace(/\{\w+\}/g, "[^/]+")}/?$`, "i").test(pathname);
  });
}

/**
 * What is wrong with an answer's status, or undefined: every answer of an operation must be a status it declares,
 * and outside the contract only 404 (an unknown route) may answer.
 */
export function undeclaredStatus(contract: Contract, method: string, url: string, status: number, rewrites: Record<string, string> = {}): string | undefined {
  const operation = matchOperation(contract, method, url, rewrites);
  if (!operation) return status === 404 ? undefined : `outside openapi.yaml, answered ${status}`;
  return contract.declaresStatus(operation.operationId, status) ? undefined : `${operation.operationId} does not declare ${status}`;
}
