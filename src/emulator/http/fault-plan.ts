import { TwilioError } from "../twilio-error.js";

export interface FaultRule {
  status: 429 | 500 | 503;
  count: number;
  retryAfterSeconds?: number;
  method?: string;
  pathPattern?: RegExp | string;
}

export interface FaultPlanInput {
  latencyMs?: number;
  failures?: FaultRule[];
}

const MESSAGES: Record<FaultRule["status"], [number, string]> = {
  429: [20429, "Too Many Requests"],
  500: [20500, "Internal Server Error"],
  503: [20503, "Service Unavailable"],
};

/** Injected latency and scripted failures for the next matching REST calls. */
export class FaultPlan {
  private latencyMs = 0;
  private rules: FaultRule[] = [];

  set(plan: FaultPlanInput): void {
    this.latencyMs = plan.latencyMs ?? 0;
    this.rules = (plan.failures ?? []).map((rule) => ({ ...rule }));
  }

  async delay(): Promise<void> {
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
  }

  /** The scripted failure for this call, consuming one of its `count`; undefined when none. */
  failureFor(method: string, path: string): TwilioError | undefined {
    const rule = this.rules.find((r) => r.count > 0 && matches(r, method, path));
    if (!rule) return undefined;
    rule.count -= 1;
    const [code, message] = MESSAGES[rule.status];
    return new TwilioError(rule.status, code, message, rule.retryAfterSeconds);
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.pathPattern === undefined) return true;
  return typeof rule.pathPattern === "string"
    ? path.includes(rule.pathPattern)
    : rule.pathPattern.test(path);
}
