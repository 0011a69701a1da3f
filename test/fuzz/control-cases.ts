import { baselineFor, caseOf, type FuzzContext } from "./fuzz-context.js";
import type { FuzzCase } from "./fuzz-runner.js";

/**
 * The valid request of every operation that only reads (GETs), in tenant alpha: the baselines the malformed cases
 * are cut from must themselves be answered as the contract says, and show nothing of beta's.
 */
export function* controlCases(context: FuzzContext): Generator<FuzzCase> {
  for (const operation of context.operations.filter((op) => op.method === "get")) {
    yield caseOf(context, "valid reads", "the valid request", baselineFor(context, operation), "answered");
  }
}
