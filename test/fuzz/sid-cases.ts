import type { ContractOperation } from "../../src/http/openapi-contract.js";
import { baselineFor, caseOf, sourceFor, type FuzzContext } from "./fuzz-context.js";
import type { FuzzCase } from "./fuzz-runner.js";
import { baselineShape, differingSlots, getSlot, parametersOf, withSlot, type RequestShape, type Slot } from "./request-shape.js";
import { resolveSchema, type SampleSource } from "./schema-samples.js";
import { crossTenantSource, unknownSource } from "./tenant-fixture.js";
import { crossTenantWebhookCases, unknownResourceWebhookCases } from "./webhook-cases.js";

/** What naming an absent resource must get: 404 — but a query filter (a phone) may find nothing (200), and webhooks just answer. */
function expectationFor(operation: ContractOperation, slot: Slot, value: unknown, source: SampleSource): Pick<FuzzCase, "expect" | "statuses"> {
  if (operation.securityScheme !== "bearerAuth") return { expect: "answered" };
  if (value === source.customerPhone && slot.in === "query") return { expect: "not-found", statuses: [200] };
  // A phone in a body is a new participant's address, not a lookup.
  if (value === source.customerPhone && slot.in === "body") return { expect: "answered" };
  return { expect: "not-found" };
}

/** Cases naming `source`'s SIDs in each slot on its own, then in all of them at once. */
function* substituted(context: FuzzContext, category: string, what: string, baseline: RequestShape, source: SampleSource): Generator<FuzzCase> {
  const operation = baseline.operation;
  const other = baselineShape(context.document, operation, source, baseline.token!, baseline.mediaType);
  const slots = differingSlots(baseline, other);
  for (const slot of slots) {
    const value = getSlot(other, slot);
    yield caseOf(context, category, `${what} in ${slot.in} ${slot.key.join(".")}`, withSlot(baseline, slot, value), "answered", expectationFor(operation, slot, value, source));
  }
  if (slots.length > 1) {
    const all = slots.reduce((shape, slot) => withSlot(shape, slot, getSlot(other, slot)), baseline);
    yield caseOf(context, category, `${what} in every slot`, all, "answered", expectationFor(operation, slots[0]!, undefined, source));
  }
}

/** Well-formed SIDs (and a phone) that name nothing: they may reach Twilio, and must come back 404. */
export function* unknownSidCases(context: FuzzContext): Generator<FuzzCase> {
  for (const operation of context.operations) {
    const baseline = baselineFor(context, operation);
    yield* substituted(context, "unknown SIDs", "a well-formed unknown SID", baseline, unknownSource(sourceFor(context, operation), context.rng));
  }
  yield* unknownResourceWebhookCases(context);
}

/**
 * Beta's SIDs, phone and text in every alpha request: each must be 404 (or find nothing) and no answer may show
 * beta's data. Webhooks signed for alpha that name beta's resources must change nothing of beta's.
 */
export function* crossTenantCases(context: FuzzContext): Generator<FuzzCase> {
  const beta = context.beta.source;
  for (const operation of context.operations) {
    const baseline = baselineFor(context, operation);
    // Writes keep alpha's customer and SMS SID: writing those values into alpha is allowed, and would show up later.
    const own = sourceFor(context, operation);
    const cross = crossTenantSource(own, beta);
    const source = operation.method === "get" ? cross : { ...cross, customerPhone: own.customerPhone, smsSid: own.smsSid };
    yield* substituted(context, "cross-tenant", "beta's SID", baseline, source);
    if (operation.securityScheme !== "bearerAuth") continue;
    for (const parameter of parametersOf(context.document, operation).filter((p) => p.in === "query" && !p.required)) {
      const schema = resolveSchema(context.document, parameter.schema);
      if (schema.type !== "string") continue;
      const slot: Slot = { in: "query", key: [parameter.name] };
      if (parameter.name === "conversation_service_sid")
        yield caseOf(context, "cross-tenant", "beta's Conversations Service", withSlot(baseline, slot, beta.serviceSid), "not-found");
      else if (schema.pattern && new RegExp(schema.pattern, "u").test(beta.customerPhone))
        yield caseOf(context, "cross-tenant", `beta's customer phone as ${parameter.name}`, withSlot(baseline, slot, beta.customerPhone), "answered");
      else if (!schema.pattern && !schema.enum && !schema.format)
        yield caseOf(context, "cross-tenant", `beta's text as ${parameter.name}`, withSlot(baseline, slot, context.beta.marker), "answered");
    }
    if (operation.bodyMediaTypes.length > 0 && baseline.body && typeof baseline.body === "object" && "account_id" in baseline.body)
      yield caseOf(context, "cross-tenant", "beta's Conversations Service", withSlot(baseline, { in: "body", key: ["conversation_service_sid"] }, beta.serviceSid), "not-found");
  }
  yield* crossTenantWebhookCases(context);
}
