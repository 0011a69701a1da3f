import type { ContractOperation } from "../../src/http/openapi-contract.js";
import { encodeRequest } from "./encode-request.js";
import { baselineFor, type FuzzContext } from "./fuzz-context.js";
import type { FuzzCase } from "./fuzz-runner.js";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** Every contract path with two methods it does not declare (a seeded draw): no route, a 404 in the standard error shape. */
export function* methodCases(context: FuzzContext): Generator<FuzzCase> {
  const byPath = new Map<string, ContractOperation[]>();
  for (const operation of context.operations) byPath.set(operation.path, [...(byPath.get(operation.path) ?? []), operation]);
  for (const [path, operations] of byPath) {
    const declared = new Set(operations.map((operation) => operation.method.toUpperCase()));
    const wire = encodeRequest(baselineFor(context, operations[0]!), context.encode);
    for (const method of context.rng.some(METHODS.filter((m) => !declared.has(m)), 0, 2)) {
      yield {
        category: "wrong methods",
        name: `${method} ${path}`,
        operationId: `(none: ${method} ${path})`,
        expect: "rejected",
        wire: { ...wire, method, headers: { ...wire.headers, authorization: `Bearer ${context.tokens.alpha}` } },
        caller: "alpha",
      };
    }
  }
}
