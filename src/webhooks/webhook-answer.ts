import type { OperationResult } from "../http/operation-router.js";

export type WebhookOutcome = "applied" | "duplicate" | "ignored";

/**
 * A webhook's answer, `{ "status": outcome }`, serialised once at boot. Its few bytes are answered as they are
 * (`encoded` identity): the compression middleware, which would weigh and negotiate them on every webhook only to
 * leave them alone (they are far below its threshold), is skipped.
 */
const ANSWERS: Record<WebhookOutcome, Buffer> = {
  applied: Buffer.from(JSON.stringify({ status: "applied" })),
  duplicate: Buffer.from(JSON.stringify({ status: "duplicate" })),
  ignored: Buffer.from(JSON.stringify({ status: "ignored" })),
};

export function webhookAnswer(outcome: WebhookOutcome): OperationResult {
  return { body: { status: outcome }, encoded: { coding: "identity", body: ANSWERS[outcome] } };
}
