import type { Next } from "koa";
import type { EmulatorContext } from "./emulator-state.js";
import type { FaultPlan } from "./fault-plan.js";

/** Adds the planned latency, then answers with the next scripted failure, if any. */
export function applyFaults(faults: FaultPlan) {
  return async (ctx: EmulatorContext, next: Next) => {
    await faults.delay();
    const failure = faults.failureFor(ctx.method, ctx.path);
    if (failure) throw failure;
    await next();
  };
}
