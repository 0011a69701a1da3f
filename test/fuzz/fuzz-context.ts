import type { ContractOperation } from "../../src/http/openapi-contract.js";
import type { TestApp } from "../support/start-app.js";
import { contractAccepts, encodeRequest, type EncodeContext } from "./encode-request.js";
import type { Expectation, FuzzCase } from "./fuzz-runner.js";
import type { Prng } from "./prng.js";
import { baselineShape, type RequestShape } from "./request-shape.js";
import type { SampleSource } from "./schema-samples.js";
import type { TenantFixture } from "./tenant-fixture.js";

/** Everything the case generators draw on. */
export interface FuzzContext {
  t: TestApp;
  document: Record<string, any>;
  /** Every operation of openapi.yaml, from the project's own loader (a copy separate from the server's). */
  operations: readonly ContractOperation[];
  rng: Prng;
  alpha: TenantFixture;
  beta: TenantFixture;
  /** Alpha's tenant naming SIDs that exist nowhere. */
  alphaUnknown: SampleSource;
  tokens: { alpha: string; beta: string };
  /** Encodes as alpha's Twilio and SendGrid would sign. */
  encode: EncodeContext;
}

/**
 * The valid request every case of an operation starts from, in tenant alpha. Deleting operations name SIDs that do
 * not exist, so a malformed request the gateway wrongly accepted cannot delete the fixtures the other cases use.
 */
export function baselineFor(context: FuzzContext, operation: ContractOperation, mediaType?: string): RequestShape {
  return baselineShape(context.document, operation, sourceFor(context, operation), context.tokens.alpha, mediaType);
}

export function sourceFor(context: FuzzContext, operation: ContractOperation): SampleSource {
  return operation.method === "delete" ? context.alphaUnknown : context.alpha.source;
}

/** A case from a shape: encoded and signed as alpha's providers would, expected `rejected` unless the contract accepts it. */
export function caseOf(
  context: FuzzContext,
  category: string,
  name: string,
  shape: RequestShape,
  expect: Expectation | "by-contract" = "by-contract",
  extra: Partial<FuzzCase> = {},
): FuzzCase {
  const caller = shape.operation.securityScheme !== "bearerAuth" ? "none" : shape.token === context.tokens.beta ? "beta" : "alpha";
  return {
    category,
    name,
    operationId: shape.operation.operationId,
    expect: expect === "by-contract" ? (contractAccepts(shape) ? "answered" : "rejected") : expect,
    wire: encodeRequest(shape, context.encode),
    caller,
    ...extra,
  };
}
