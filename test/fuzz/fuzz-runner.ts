import { ERROR_CATALOGUE } from "../../src/errors.js";
import type { Contract, ContractOperation } from "../../src/http/openapi-contract.js";
import { matchOperation } from "../support/match-operation.js";
import type { TestApp } from "../support/start-app.js";
import { WireClient, type WireRequest, type WireResponse } from "./wire-client.js";

/**
 * What a case must get: `rejected` — a 4xx before any upstream call (the contract refuses it, or its credentials are
 * bad); `not-found` — a 404, upstream calls allowed (a well-formed SID that names nothing in this tenant);
 * `answered` — anything but a 5xx.
 */
export type Expectation = "rejected" | "not-found" | "answered";

export interface FuzzCase {
  category: string;
  name: string;
  operationId: string;
  expect: Expectation;
  wire: WireRequest;
  /** Whose token the request carries: no answer to anyone but beta may hold beta's data. */
  caller: "alpha" | "beta" | "none";
  /** Statuses accepted instead of the expectation's (e.g. 200 or 404 for a list filtered by another tenant's phone). */
  statuses?: number[];
  /** A further check of the parsed answer; returns a problem or undefined. */
  verify?: (status: number, body: any) => string | undefined;
}

export interface Offender {
  category: string;
  operationId: string;
  name: string;
  request: string;
  status: number;
  response: string;
  problems: string[];
}

/** Operations whose 401 answers credentials held in Twilio (the accounts directory), so it may follow a lookup. */
const CREDENTIAL_OPERATIONS = new Set(["loginAccount", "refreshAccountSession", "setAccountPassword"]);
const STACK_TRACE = /\n\s+at .+\(.+:\d+:\d+\)/;
const ERROR_KEYS = new Set(["code", "message", "field", "twilioCode", "moreInfo"]);
const PHP_ERROR_KEYS = new Set(["error", "code", "status", "field"]);
const preview = (text: string, length = 300) => (text.length > length ? `${text.slice(0, length)}… (${text.length} chars)` : text);

/** The problems with a 4xx body, judged by the error shape of its surface. */
export function errorShapeProblems(body: any, status: number, envelope: string | undefined): string[] {
  if (envelope === "success-data") {
    const data = body?.data;
    if (body?.success !== false || !data || typeof data !== "object") return ["the 4xx body is not { success: false, data }"];
    const problems: string[] = [];
    if (typeof data.error !== "string" || !Number.isInteger(data.code)) problems.push("data lacks error (string) or code (integer)");
    if (data.status !== status) problems.push(`data.status ${data.status} is not the HTTP status`);
    if (Object.keys(data).some((key) => !PHP_ERROR_KEYS.has(key)) || Object.keys(body).length !== 2) problems.push("the PHP error envelope has extra keys");
    if (status === 400 && !(typeof data.field === "string" && data.field)) problems.push("a 400 without data.field");
    return problems;
  }
  if (envelope === "success-message") {
    // The accounts API: `{ success: false, message, error? }`, `error` being "code: field" outside production.
    if (body?.success !== false || typeof body.message !== "string") return ["the 4xx body is not { success: false, message }"];
    const problems: string[] = [];
    if (Object.keys(body).some((key) => !["success", "message", "error"].includes(key))) problems.push("the accounts error envelope has extra keys");
    const [code, field] = String(body.error ?? "").split(": ");
    if ((ERROR_CATALOGUE as Record<string, { status: number }>)[code!]?.status !== status) problems.push(`error ${JSON.stringify(body.error)} does not mean HTTP ${status}`);
    if (status === 400 && !field) problems.push("a 400 whose error names no field");
    return problems;
  }
  const error = body?.error;
  if (!error || typeof error !== "object") return ["the 4xx body is not { error: { code, message } }"];
  const problems: string[] = [];
  const catalogued = (ERROR_CATALOGUE as Record<string, { status: number }>)[error.code];
  if (catalogued?.status !== status) problems.push(`error.code ${JSON.stringify(error.code)} does not mean HTTP ${status}`);
  if (typeof error.message !== "string") problems.push("error.message is not a string");
  if (Object.keys(error).some((key) => !ERROR_KEYS.has(key)) || Object.keys(body).length !== 1) problems.push("the error body has extra keys");
  if (status === 400 && !(typeof error.field === "string" && error.field)) problems.push("a 400 without error.field");
  return problems;
}

/**
 * Sends fuzz cases one at a time through the real server and checks every answer: no 5xx, no upstream call for a
 * rejected request, the contract's status and body, the surface's error shape, no secret and no beta data to others.
 */
export class FuzzRunner {
  readonly offenders: Offender[] = [];
  readonly tried = new Map<string, number>();
  fiveHundreds = 0;
  /** Requests the server dropped without an HTTP answer. */
  unanswered = 0;
  private readonly client: WireClient;
  /** Emulator exchanges minus the gateway's call events while nothing is in flight (each call shows up in both). */
  private quietOffset: number;

  constructor(
    private readonly t: TestApp,
    private readonly contract: Contract,
    /** Never in any answer: auth tokens, API keys, the JWT secret. */
    private readonly secrets: string[],
    /** Never in an answer to anyone but beta, unless the request itself carried it. */
    private readonly betaData: () => string[],
  ) {
    this.client = new WireClient(t.baseUrl);
    this.quietOffset = this.inFlightGauge();
  }

  get total(): number {
    return [...this.tried.values()].reduce((sum, n) => sum + n, 0);
  }

  async runAll(cases: Iterable<FuzzCase>): Promise<Offender[]> {
    const before = this.offenders.length;
    for (const fuzzCase of cases) await this.run(fuzzCase);
    return this.offenders.slice(before);
  }

  async run(fuzzCase: FuzzCase): Promise<void> {
    this.tried.set(fuzzCase.category, (this.tried.get(fuzzCase.category) ?? 0) + 1);
    const upstreamBefore = this.upstreamCount();
    let response: WireResponse;
    try {
      response = await this.client.send(fuzzCase.wire);
    } catch (error) {
      this.unanswered += 1;
      this.offend(fuzzCase, 0, String(error), ["no answer: the connection was dropped"]);
      return;
    }
    const rejected = response.status >= 400 && response.status < 500 && response.status !== 404 && response.status !== 409;
    if (fuzzCase.expect === "rejected" || rejected) await new Promise((resolve) => setImmediate(resolve));
    // Writes that went through set off webhooks; reads only need their own calls to land.
    else await this.quiesce(fuzzCase.wire.method === "GET" ? 1 : 3);
    const upstream = this.upstreamCount() - upstreamBefore;
    const problems = this.check(fuzzCase, response, upstream);
    if (problems.length > 0) this.offend(fuzzCase, response.status, response.text, problems);
  }

  close(): void {
    this.client.close();
  }

  private check(fuzzCase: FuzzCase, response: WireResponse, upstream: number): string[] {
    const { status, text } = response;
    const problems: string[] = [];
    if (status >= 500) {
      this.fiveHundreds += 1;
      problems.push(`answered ${status}`);
    }
    const inClass = status >= 400 && status < 500;
    const allowed = fuzzCase.statuses?.includes(status) ?? false;
    if (fuzzCase.expect === "rejected" && !inClass && !allowed) problems.push(`expected a 4xx rejection, got ${status}`);
    if (fuzzCase.expect === "not-found" && status !== 404 && !allowed) problems.push(`expected 404, got ${status}`);
    // Sign-in, refresh and password-setting check credentials kept in Twilio: their 401 follows a lookup.
    const credentialRefusal = status === 401 && CREDENTIAL_OPERATIONS.has(fuzzCase.operationId);
    const rejected = inClass && status !== 404 && status !== 409 && !credentialRefusal;
    if (((fuzzCase.expect === "rejected" && !credentialRefusal) || rejected) && upstream > 0) problems.push(`a rejected request made ${upstream} upstream call(s)`);
    if (STACK_TRACE.test(text)) problems.push("the answer carries a stack trace");

    const isJson = String(response.headers["content-type"] ?? "").includes("application/json");
    let body: any = text;
    if (isJson && text) {
      try {
        body = JSON.parse(text);
      } catch {
        problems.push("the JSON answer does not parse");
      }
    }
    const operation = this.matchOperation(fuzzCase.wire);
    if (operation) {
      if (!this.contract.declaresStatus(operation.operationId, status)) problems.push(`${operation.operationId} does not declare ${status}`);
      const validate = isJson ? this.contract.responseValidator(operation.operationId, status) : undefined;
      if (validate && !validate(body)) problems.push(`the ${status} body breaks the contract: ${JSON.stringify(validate.errors).slice(0, 300)}`);
    } else if (status !== 404) problems.push(`a route outside the contract answered ${status}`);
    if (inClass) {
      if (!isJson) problems.push(`a ${status} that is not JSON (${response.headers["content-type"] ?? "no content type"})`);
      else problems.push(...errorShapeProblems(body, status, operation?.errorEnvelope));
    }

    for (const secret of this.secrets) if (text.includes(secret)) problems.push("the answer holds a secret (auth token, API key or JWT secret)");
    if (fuzzCase.caller !== "beta") {
      const sent = requestText(fuzzCase.wire);
      const leaked = this.betaData().filter((datum) => !sent.includes(datum) && text.includes(datum));
      if (leaked.length > 0) problems.push(`the answer holds beta's data: ${leaked.join(", ")}`);
    }
    const verdict = fuzzCase.verify?.(status, body);
    if (verdict) problems.push(verdict);
    return problems;
  }

  /** The operation the server routes a request to. */
  private matchOperation(wire: WireRequest): ContractOperation | undefined {
    return matchOperation(this.contract, wire.method, wire.path, { "/twilio": this.t.config.phpCompatBasePath });
  }

  private upstreamCount(): number {
    return this.t.upstreamCalls.length + this.t.emulator.requests.count() + this.t.emulator.sendgrid.requests.length;
  }

  private inFlightGauge(): number {
    return this.t.emulator.requests.count() - this.t.upstreamCalls.length;
  }

  /**
   * Waits until the webhooks the emulator fired (after a request that went through) are handled, no call is half
   * recorded, and the counts stay still for a while: so the next request is measured alone.
   */
  private async quiesce(rounds: number): Promise<void> {
    let last = this.upstreamCount();
    let still = 0;
    for (let round = 0; round < 100 && still < rounds; round++) {
      await this.t.emulator.whenIdle();
      await new Promise((resolve) => setTimeout(resolve, 10));
      const now = this.upstreamCount();
      still = now === last && this.inFlightGauge() === this.quietOffset ? still + 1 : 0;
      last = now;
    }
    // Still for a second without balancing: a call that never completes on one side; start counting afresh.
    if (still < rounds) this.quietOffset = this.inFlightGauge();
  }

  private offend(fuzzCase: FuzzCase, status: number, text: string, problems: string[]) {
    const body = fuzzCase.wire.body ? ` body=${preview(fuzzCase.wire.body.toString("utf8"), 160)}` : "";
    const headers = Object.entries(fuzzCase.wire.headers)
      .filter(([name]) => name !== "authorization" && !name.startsWith("x-twilio"))
      .map(([name, value]) => `${name}: ${preview(value, 60)}`)
      .join("; ");
    this.offenders.push({
      category: fuzzCase.category,
      operationId: fuzzCase.operationId,
      name: fuzzCase.name,
      request: `${fuzzCase.wire.method} ${preview(fuzzCase.wire.path, 200)} [${headers}]${body}`,
      status,
      response: preview(text),
      problems,
    });
  }
}

/** Everything a request says, decoded, so an answer merely echoing it is not counted as a leak. */
function requestText(wire: WireRequest): string {
  let path = wire.path;
  try {
    path += decodeURIComponent(wire.path.replace(/\+/g, " "));
  } catch {
    // A malformed escape: the raw path is what was said.
  }
  return `${path}\n${JSON.stringify(wire.headers)}\n${wire.body?.toString("utf8") ?? ""}`;
}

/** Offenders as lines a reader can act on: what was sent, what came back, what is wrong. */
export function describeOffenders(offenders: Offender[], limit = 40): string {
  const lines = offenders
    .slice(0, limit)
    .map((o) => `- [${o.category}] ${o.operationId} — ${o.name}\n    sent: ${o.request}\n    got:  ${o.status} ${o.response}\n    ${o.problems.join("; ")}`);
  return `${offenders.length} offending answer(s):\n${lines.join("\n")}${offenders.length > limit ? `\n… and ${offenders.length - limit} more` : ""}`;
}
