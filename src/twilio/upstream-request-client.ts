import type { RequestOptions } from "./twilio-sdk-types.js";
import { TwilioHttpTransport } from "./twilio-http-transport.js";
import { AppError } from "../errors.js";
import { parseRetryAfterMs, retryDelayMs, type RetryPolicy } from "./retry-policy.js";
import { translateTwilioError } from "./twilio-error.js";
import { isTwilioErrorBody, UnexpectedAnswer, unexpectedAnswer, excerptOf } from "./unexpected-answer.js";
import { FailedResponse, UpstreamGuard, type UpstreamGuardOptions } from "./upstream-guard.js";

/** What the gateway learns about each upstream call (for metrics and tests). */
export interface UpstreamCallEvent {
  method: string;
  url: string;
  status?: number;
  attempt: number;
  durationMs: number;
  error?: string;
  /** A 429's or 5xx's Retry-After, in ms, when Twilio sent a readable one. */
  retryAfterMs?: number;
}

export interface UpstreamRequestClientOptions {
  /** Send every request to this Twilio-compatible server instead of *.twilio.com (emulator, contract mocks). */
  baseUrl?: string;
  timeoutMs: number;
  retry: RetryPolicy;
  guard: UpstreamGuardOptions;
  onCall?: (event: UpstreamCallEvent) => void;
  sleep?: (ms: number) => Promise<void>;
}

const TWILIO_HOST = /^https:\/\/[a-z0-9.-]+\.twilio\.com/;
const SAFE_TO_RETRY_ANY_METHOD = new Set([429, 503]);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The `httpClient` handed to the twilio SDK (it calls `request` and nothing else): optionally rewrites Twilio's hosts to a base URL, bounds every
 * call with a timeout, and retries 429/5xx (honouring Retry-After) a bounded number of times. 429 and 503 are
 * never processed by Twilio, so they are retried for every method; other 5xx and network errors only for
 * reads, so a write is never sent twice.
 */
export class UpstreamRequestClient {
  private readonly options: UpstreamRequestClientOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly transport: TwilioHttpTransport;
  readonly guard: UpstreamGuard;

  constructor(options: UpstreamRequestClientOptions) {
    this.options = options;
    this.sleep = options.sleep ?? defaultSleep;
    this.guard = new UpstreamGuard(options.guard);
    // As many connections as the guard lets calls be in flight.
    this.transport = new TwilioHttpTransport({ maxConnections: options.guard.maxInFlight });
  }

  async request<TData>(opts: RequestOptions<TData>) {
    const uri = this.options.baseUrl ? opts.uri.replace(TWILIO_HOST, this.options.baseUrl) : opts.uri;
    const readOnly = opts.method.toLowerCase() === "get";
    const { maxRetries } = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        const response = await this.guard
          .run(opts.method, uri, async () => {
            const answer = await this.transport.send(opts, uri, this.options.timeoutMs);
            if (answer.statusCode >= 500) throw new FailedResponse(answer);
            return answer;
          })
          .catch((error: unknown) => {
            if (error instanceof FailedResponse) return error.response as typeof error.response & { statusCode: number };
            throw error;
          });
        const { statusCode } = response;
        const failed = statusCode >= 500 || statusCode === 429;
        // Read for every failure the loop retries (the wait honours it), and reported with the call.
        const retryAfter = failed ? headerValue(response.headers, "retry-after") : undefined;
        this.report(opts.method, uri, attempt, started, statusCode, undefined, retryAfter);
        if (!failed) {
          // The SDK would read a body that is not Twilio's as `message: undefined`: say what came back instead.
          const unexpected = unexpectedAnswer(response, uri, () => credentialsOf(opts));
          if (unexpected) throw translateTwilioError(unexpected);
          return response;
        }
        const retryable = SAFE_TO_RETRY_ANY_METHOD.has(statusCode) || readOnly;
        if (!retryable || attempt > maxRetries) throw upstreamUnavailable(response, uri, retryAfter, credentialsOf(opts));
        await this.sleep(retryDelayMs(this.options.retry, attempt, retryAfter));
      } catch (error) {
        if (error instanceof AppError) throw error;
        this.report(opts.method, uri, attempt, started, undefined, error);
        if (!readOnly || attempt > maxRetries) throw translateTwilioError(error);
        await this.sleep(retryDelayMs(this.options.retry, attempt, undefined));
      }
    }
  }

  /** Closes the idle keep-alive connections (shutdown). */
  close(): Promise<void> {
    return this.transport.close();
  }

  private report(method: string, url: string, attempt: number, started: number, status?: number, error?: unknown, retryAfter?: string) {
    if (!this.options.onCall) return;
    const retryAfterMs = parseRetryAfterMs(retryAfter);
    this.options.onCall({
      method: method.toUpperCase(),
      url,
      status,
      attempt,
      durationMs: performance.now() - started,
      error: error === undefined ? undefined : ((error as { code?: string }).code ?? "network_error"),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
}

const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** The credentials a request carries, to keep out of error excerpts. */
function credentialsOf(opts: RequestOptions<unknown>): string[] {
  if (!opts.username || !opts.password) return [];
  return [opts.password, Buffer.from(`${opts.username}:${opts.password}`).toString("base64")];
}

/**
 * Twilio stayed busy or down through every retry: 503 for the client, with Twilio's code when it sent one, and what
 * came back (status, excerpt) as the cause when it was not Twilio's.
 */
function upstreamUnavailable(response: { statusCode: number; body: string }, uri: string, retryAfter: string | undefined, secrets: string[]): AppError {
  const { body } = response;
  const parsed = safeJson(body);
  const twilio = (parsed ?? {}) as { code?: unknown; more_info?: unknown };
  const retryAfterMs = parseRetryAfterMs(retryAfter);
  return new AppError("upstream_unavailable", "Twilio is busy or unavailable; retry later", {
    upstream: {
      twilioCode: typeof twilio.code === "number" ? twilio.code : undefined,
      moreInfo: typeof twilio.more_info === "string" ? twilio.more_info : undefined,
    },
    retryAfterSeconds: retryAfterMs !== undefined ? Math.max(1, Math.ceil(retryAfterMs / 1000)) : DEFAULT_RETRY_AFTER_SECONDS,
    cause: isTwilioErrorBody(body) ? undefined : new UnexpectedAnswer(response.statusCode, new URL(uri).origin, excerptOf(body, secrets)),
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const value = (headers as Record<string, unknown>)[name] ?? (headers as Record<string, unknown>)[name.toLowerCase()];
  return typeof value === "string" ? value : Array.isArray(value) ? String(value[0]) : undefined;
}
